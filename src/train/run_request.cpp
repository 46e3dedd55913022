#include "train/run_request.h"

#include <algorithm>
#include <filesystem>

#include "core/check.h"
#include "io/file.h"
#include "metrics/evaluate.h"
#include "train/train_data.h"

namespace gan {

bool RunRequest::has(const std::string& flag) const {
    return std::find(given.begin(), given.end(), flag) != given.end();
}

namespace {

// config.json's options with the values given on top.
TrainOptions options_from_config(const RunRequest& r) {
    const std::vector<uint8_t> bytes = file_read_all(r.config, size_t(1) << 20);
    TrainOptions o = TrainOptions::from_json(std::string(bytes.begin(), bytes.end()), r.config);
    for (const TrainOption& t : train_option_table())
        if (t.has_flag() && r.has(t.flag)) t.copy(o, r.options);
    return o;
}

// "runs/a", "runs/a/" and "runs/./a" name one directory.
std::filesystem::path dir_key(const std::string& dir) {
    std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
    return p.has_filename() ? p : p.parent_path();
}

}  // namespace

TrainOptions new_run_options(const RunRequest& r) {
    if (!r.config.empty()) return options_from_config(r);
    TrainOptions o = r.options;
    if (o.model.arch == Arch::dcgan) apply_dcgan_defaults(o, [&](const std::string& flag) { return r.has(flag); });
    if (!r.has("--data")) o.data_dir = mnist_dir_find("");
    return o;
}

void fit_run_to_data(TrainOptions& o, const ImageSet& data, const RunRequest& r) {
    fit_model_to_data(o, data);
    const int k = o.model.num_classes;
    if (r.config.empty() && o.model.conditional && o.fixed_samples % k != 0) o.fixed_samples = k * std::max(1, 64 / k);
}

std::vector<OptionChange> apply_resume_request(const RunRequest& r, const std::string& run_dir, TrainOptions& stored) {
    GAN_CHECK(r.config.empty(), "--config starts a new run and --resume continues one: give one of them");
    const std::string& out = r.options.out_dir;
    GAN_CHECK(!r.has("--out") || dir_key(out) == dir_key(run_dir), "--out ",
              out, ": --resume ", run_dir, " continues that run in place; to continue a copy, copy it to ", out,
              " and give --resume ", out, "; to start a new run with its options, give --config ", run_dir,
              "/config.json --out ", out);
    std::vector<const TrainOption*> changed;
    for (const TrainOption& t : train_option_table())
        if (t.has_flag() && r.has(t.flag) && t.on_resume != OnResume::ignored && t.show(stored) != t.show(r.options))
            changed.push_back(&t);
    for (const TrainOption* t : changed)
        GAN_CHECK(t->on_resume == OnResume::changes, t->flag, " ", t->show(r.options), ": ", run_dir,
                  " was trained with ", t->flag, " ", t->show(stored), ", which a resumed run cannot change (start "
                  "a new run from its options: ", r.command, " --config ", run_dir, "/config.json ", t->flag, " ",
                  t->show(r.options), " --out NEW_DIR)");
    std::vector<OptionChange> changes;
    for (const TrainOption* t : changed) {
        changes.push_back({t->flag, t->show(stored), t->show(r.options)});
        t->copy(stored, r.options);
    }
    return changes;
}

}  // namespace gan
