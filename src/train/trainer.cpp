#include "train/trainer.h"

#include <chrono>
#include <climits>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "io/file.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "models/dcgan.h"
#include "optim/ema.h"
#include "train/losses.h"
#include "train/checkpoint.h"

namespace gan {

using json = nlohmann::json;

// ---- options ----------------------------------------------------------------------------------

std::string TrainOptions::to_json() const {
    json j = {{"arch", to_string(model.arch)},
              {"z_dim", model.z_dim},
              {"hidden", model.hidden},
              {"alpha", model.alpha},
              {"latent", to_string(model.latent)},
              {"image", {model.channels, model.rows, model.cols}},
              {"epochs", epochs},
              {"batch", batch},
              {"lr", adam.lr},
              {"beta1", adam.beta1},
              {"beta2", adam.beta2},
              {"eps", adam.eps},
              {"smooth", step.smooth},
              {"seed", seed},
              {"threads", threads},
              {"samples_per_epoch", samples_per_epoch},
              {"fixed_samples", fixed_samples},
              {"eval_every", eval_every},
              {"log_every", log_every},
              {"loss", loss_kind_name(step.loss)},
              {"d_steps", d_steps},
              {"ema", ema},
              {"conditional", model.conditional},
              {"num_classes", model.num_classes},
              {"cond_d", to_string(model.cond_d)},
              {"class_weight", step.class_weight},
              {"data", data_dir},
              {"out", out_dir},
              {"version", GAN_VERSION}};
    return j.dump(2) + "\n";
}

TrainOptions TrainOptions::from_json(const std::string& text, const std::string& source) {
    TrainOptions o;
    try {
        json j = json::parse(text);
        // Integers are range-checked before conversion: a hostile checkpoint must not reach the
        // undefined behaviour of converting 1e300 or -1.5 to int.
        auto int_at = [&](const json& v, const char* key) {
            GAN_CHECK(v.is_number_integer() && v.get<int64_t>() >= INT32_MIN && v.get<int64_t>() <= INT32_MAX,
                      source, ": training option '", key, "' is not an integer");
            return int(v.get<int64_t>());
        };
        auto get_int = [&](const char* key) { return int_at(j.at(key), key); };
        auto get_float = [&](const char* key) {
            const json& v = j.at(key);
            GAN_CHECK(v.is_number() && std::fabs(v.get<double>()) <= 3.0e38, source, ": training option '", key,
                      "' is not a float32 number");
            return float(v.get<double>());
        };
        o.model.arch = arch_from_string(j.at("arch").get<std::string>(), "--arch");
        o.model.z_dim = get_int("z_dim");
        o.model.hidden = get_int("hidden");
        o.model.alpha = get_float("alpha");
        o.model.latent = latent_from_string(j.at("latent").get<std::string>());
        auto img = j.at("image");
        o.model.channels = int_at(img.at(0), "image");
        o.model.rows = int_at(img.at(1), "image");
        o.model.cols = int_at(img.at(2), "image");
        o.epochs = get_int("epochs");
        o.batch = get_int("batch");
        o.adam.lr = get_float("lr");
        o.adam.beta1 = get_float("beta1");
        o.adam.beta2 = get_float("beta2");
        o.adam.eps = get_float("eps");
        o.step.smooth = get_float("smooth");
        GAN_CHECK(j.at("seed").is_number_unsigned(), source, ": training option 'seed' is not a non-negative integer");
        o.seed = j.at("seed").get<uint64_t>();
        o.threads = get_int("threads");
        o.samples_per_epoch = get_int("samples_per_epoch");
        o.fixed_samples = get_int("fixed_samples");
        o.eval_every = get_int("eval_every");
        o.log_every = get_int("log_every");
        o.step.loss = loss_kind_from_string(j.at("loss").get<std::string>());
        o.d_steps = get_int("d_steps");
        o.ema = get_float("ema");
        o.model.conditional = j.at("conditional").get<bool>();
        o.model.num_classes = get_int("num_classes");
        o.model.cond_d = cond_d_from_string(j.at("cond_d").get<std::string>(), "--cond-d");
        if (j.contains("class_weight")) o.step.class_weight = get_float("class_weight");  // absent before 0.1.1
        o.data_dir = j.at("data").get<std::string>();
        o.out_dir = j.at("out").get<std::string>();
    } catch (const json::exception& e) {
        throw Error(str(source, ": bad training options: ", e.what()));
    } catch (const Error& e) {
        throw Error(str(source, ": ", e.what()));
    }
    return o;
}

void TrainOptions::validate() const {
    GAN_CHECK(epochs >= 1, "--epochs must be at least 1 (got ", epochs, ")");
    GAN_CHECK(batch >= 1, "--batch must be at least 1 (got ", batch, ")");
    GAN_CHECK(std::isfinite(adam.lr) && adam.lr > 0, "--lr must be a positive number (got ", adam.lr, ")");
    GAN_CHECK(std::isfinite(adam.eps) && adam.eps > 0, "--eps must be a positive number (got ", adam.eps, ")");
    GAN_CHECK(adam.beta1 >= 0 && adam.beta1 < 1, "--beta1 must be in [0, 1) (got ", adam.beta1, ")");
    GAN_CHECK(adam.beta2 >= 0 && adam.beta2 < 1, "--beta2 must be in [0, 1) (got ", adam.beta2, ")");
    GAN_CHECK(step.smooth >= 0 && step.smooth < 1, "--smooth must be in [0, 1) (got ", step.smooth, ")");
    GAN_CHECK(step.class_weight >= 0 && step.class_weight <= 100, "--class-weight must be in [0, 100] (got ",
              step.class_weight, ")");
    GAN_CHECK(model.z_dim >= 1 && model.z_dim <= 65536, "--z-dim must be in [1, 65536] (got ", model.z_dim, ")");
    GAN_CHECK(model.hidden >= 1 && model.hidden <= 65536, "--hidden must be in [1, 65536] (got ", model.hidden,
              ")");
    GAN_CHECK(std::isfinite(model.alpha) && model.alpha >= 0 && model.alpha < 1,
              "--alpha must be in [0, 1) (got ", model.alpha, ")");
    GAN_CHECK(threads >= 0 && threads <= 256, "--threads must be in [0, 256] (got ", threads, ")");
    GAN_CHECK(samples_per_epoch >= 1 && samples_per_epoch <= 1024, "samples per epoch must be in [1, 1024]");
    GAN_CHECK(fixed_samples >= 1 && fixed_samples <= 1024, "fixed samples must be in [1, 1024]");
    GAN_CHECK(eval_every >= 0, "--eval-every must not be negative");
    GAN_CHECK(log_every >= 0, "--log-every must not be negative");
    GAN_CHECK(d_steps >= 1 && d_steps <= 100, "--d-steps must be in [1, 100] (got ", d_steps, ")");
    GAN_CHECK(ema >= 0 && ema < 1, "--ema must be in [0, 1) (got ", ema, ")");
    GAN_CHECK(model.num_classes >= 2 && model.num_classes <= 256, "number of classes must be in [2, 256]");
}

// ---- the trainer ------------------------------------------------------------------------------

namespace {

enum Stream : uint64_t { kInit = 0, kData = 1, kLatent = 2, kSample = 3, kFixed = 4 };

std::string rng_to_string(const RngState& s) {
    return str(s.key, " ", s.counter, " ", s.used);
}

RngState rng_from_string(const std::string& text, const std::string& source) {
    RngState s;
    unsigned long long key = 0, counter = 0;
    unsigned used = 0;
    GAN_CHECK(std::sscanf(text.c_str(), "%llu %llu %u", &key, &counter, &used) == 3 && used <= 4, source,
              ": bad RNG state '", text, "'");
    s.key = key, s.counter = counter, s.used = used;
    return s;
}

std::string hexfloat(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", v);
    return buf;
}

double meta_double(const Metadata& m, const std::string& key, const std::string& source) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), source, ": metadata has no '", key, "'");
    char* end = nullptr;
    double v = std::strtod(it->second.c_str(), &end);
    GAN_CHECK(end && *end == 0 && !it->second.empty(), source, ": metadata '", key, "' is not a number");
    return v;
}

const std::string& meta_at(const Metadata& m, const std::string& key, const std::string& source) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), source, ": metadata has no '", key, "'");
    return it->second;
}

std::string epoch_name(int epoch) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%03d", epoch);
    return buf;
}

}  // namespace

Trainer::Trainer(TrainOptions options, Dataset data)
    : o_(std::move(options)),
      data_(std::move(data)),
      data_rng_(o_.seed, kData),
      latent_rng_(o_.seed, kLatent),
      sample_rng_(o_.seed, kSample) {
    o_.validate();
    const IdxImages& im = data_.images;
    GAN_CHECK(im.n > 0, o_.data_dir, ": the image set is empty");
    GAN_CHECK(im.rows == o_.model.rows && im.cols == o_.model.cols && o_.model.channels == 1, o_.data_dir,
              ": images are ", im.rows, "x", im.cols, " but the model expects ", o_.model.rows, "x", o_.model.cols);
    GAN_CHECK(o_.batch <= im.n, "--batch ", o_.batch, " is larger than the data set (", im.n, " images in ",
              o_.data_dir, ")");
    if (o_.model.conditional) {
        GAN_CHECK(data_.labels.labels.size() == size_t(im.n), o_.data_dir,
                  ": a conditional model needs one label per image");
        for (uint8_t l : data_.labels.labels)
            GAN_CHECK(int(l) < o_.model.num_classes, o_.data_dir, ": label ", int(l), " is not below the ",
                      o_.model.num_classes, " classes of the model");
    }
    model_ = gan_build(o_.model);
    Rng init_rng(o_.seed, kInit);
    gan_init(*model_, init_rng);
    if (o_.ema > 0) ema_ = model_->g.params.values();
    opt_g_ = std::make_unique<Adam>(model_->g.params, o_.adam);
    opt_d_ = std::make_unique<Adam>(model_->d.params, o_.adam);
    // The fused classic step splits its work over its own threads (bitwise the 1-thread step, tested),
    // which pays from batch 32 up on 2 cores (BENCHMARKS.md): by default every CPU this process may
    // use, up to 4; never more than those CPUs, since idle parts spin briefly.
    StepOptions so = o_.step;
    so.threads = std::min(o_.threads > 0 ? o_.threads : std::min(usable_cpus(), 4), usable_cpus());
    step_ = std::make_unique<GanStep>(*model_, *opt_g_, *opt_d_, so);
    p_.data_epoch = data_rng_.state();
    p_.latent = latent_rng_.state();
    p_.sample = sample_rng_.state();
    Rng fixed_rng(o_.seed, kFixed);
    sample_latent(fixed_z_, o_.fixed_samples, o_.model, fixed_rng);
    for (int i = 0; i < o_.fixed_samples; ++i) fixed_labels_.push_back(i % o_.model.num_classes);
}

std::string Trainer::last_checkpoint() const { return o_.out_dir + "/checkpoints/last.safetensors"; }

void Trainer::save_state() const {
    Metadata meta = model_->config.to_metadata();
    meta["format"] = "gan.cpp";
    meta["kind"] = "train_state";
    meta["version"] = GAN_VERSION;
    meta["train_options"] = o_.to_json();
    meta["epoch"] = std::to_string(p_.epoch);
    meta["step"] = std::to_string(p_.step);
    meta["adam_g_t"] = std::to_string(opt_g_->t);
    meta["adam_d_t"] = std::to_string(opt_d_->t);
    meta["rng_data_epoch"] = rng_to_string(p_.data_epoch);
    meta["rng_latent"] = rng_to_string(latent_rng_.state());
    meta["rng_sample"] = rng_to_string(sample_rng_.state());
    for (int i = 0; i < 4; ++i) meta["sum" + std::to_string(i)] = hexfloat(p_.sums[i]);
    meta["elapsed"] = hexfloat(p_.elapsed);
    std::vector<TensorView> views;
    for (Sequential* s : {&model_->g, &model_->d}) {
        arena_append_views(s->params, views);
        arena_append_views(s->buffers, views);
    }
    const int64_t ng = int64_t(opt_g_->m.size()), nd = int64_t(opt_d_->m.size());
    if (!ema_.empty()) views.push_back({"ema.generator", {ng}, ema_.data()});
    views.push_back({"optimizer.generator.exp_avg", {ng}, opt_g_->m.data()});
    views.push_back({"optimizer.generator.exp_avg_sq", {ng}, opt_g_->v.data()});
    views.push_back({"optimizer.discriminator.exp_avg", {nd}, opt_d_->m.data()});
    views.push_back({"optimizer.discriminator.exp_avg_sq", {nd}, opt_d_->v.data()});
    make_dirs(o_.out_dir + "/checkpoints");
    safetensors_write(last_checkpoint(), views, meta);
}

bool run_dir_holds_run(const std::string& dir) {
    std::error_code e;
    return std::filesystem::exists(dir + "/config.json", e) || std::filesystem::exists(dir + "/checkpoints", e);
}

void run_dir_clear(const std::string& dir) {
    std::error_code e;
    std::vector<std::filesystem::path> entries;  // listed first: removing while listing skips entries
    for (std::filesystem::directory_iterator it(dir, e), end; !e && it != end; it.increment(e))
        entries.push_back(it->path());
    GAN_CHECK(!e, dir, ": cannot list: ", e.message());
    for (const std::filesystem::path& p : entries) {
        std::filesystem::remove_all(p, e);
        GAN_CHECK(!e, p.string(), ": cannot remove: ", e.message());
    }
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& run_dir, const std::function<void(TrainOptions&)>& adjust,
                                         const std::function<Dataset(const TrainOptions&)>& load_data) {
    const std::string path = run_dir + "/checkpoints/last.safetensors";
    GAN_CHECK(file_exists(path), run_dir, ": nothing to resume (no checkpoints/last.safetensors)");
    SafetensorsFile file = safetensors_read(path);
    auto kind = file.metadata.find("kind");
    GAN_CHECK(kind != file.metadata.end() && kind->second == "train_state", path, ": not a full training state");
    TrainOptions o = TrainOptions::from_json(meta_at(file.metadata, "train_options", path), path);
    o.out_dir = run_dir;
    if (adjust) adjust(o);
    auto t = std::make_unique<Trainer>(o, load_data(o));
    for (Sequential* s : {&t->model_->g, &t->model_->d}) {
        arena_load(s->params, file, path);
        arena_load(s->buffers, file, path);
    }
    auto load_vec = [&](const std::string& name, auto& dst) {
        auto it = file.tensors.find(name);
        GAN_CHECK(it != file.tensors.end() && it->second.data.size() == dst.size(), path, ": missing or wrong '",
                  name, "'");
        dst.assign(it->second.data.begin(), it->second.data.end());
    };
    if (!t->ema_.empty()) load_vec("ema.generator", t->ema_);
    load_vec("optimizer.generator.exp_avg", t->opt_g_->m);
    load_vec("optimizer.generator.exp_avg_sq", t->opt_g_->v);
    load_vec("optimizer.discriminator.exp_avg", t->opt_d_->m);
    load_vec("optimizer.discriminator.exp_avg_sq", t->opt_d_->v);
    t->opt_g_->t = int64_t(meta_double(file.metadata, "adam_g_t", path));
    t->opt_d_->t = int64_t(meta_double(file.metadata, "adam_d_t", path));
    TrainProgress& p = t->p_;
    p.epoch = int(meta_double(file.metadata, "epoch", path));
    p.step = int(meta_double(file.metadata, "step", path));
    p.data_epoch = rng_from_string(meta_at(file.metadata, "rng_data_epoch", path), path);
    p.latent = rng_from_string(meta_at(file.metadata, "rng_latent", path), path);
    p.sample = rng_from_string(meta_at(file.metadata, "rng_sample", path), path);
    for (int i = 0; i < 4; ++i) p.sums[i] = meta_double(file.metadata, "sum" + std::to_string(i), path);
    p.elapsed = meta_double(file.metadata, "elapsed", path);
    t->data_rng_.set_state(p.data_epoch);
    t->latent_rng_.set_state(p.latent);
    t->sample_rng_.set_state(p.sample);
    // Earlier epochs' samples, so all_samples.npy stays complete.
    const std::string npy = run_dir + "/samples/all_samples.npy";
    if (file_exists(npy)) {
        NpyU8 s = npy_read_u8(npy);
        const size_t keep = size_t(p.epoch) * t->o_.samples_per_epoch * t->o_.model.image_size();
        if (s.data.size() >= keep) t->all_samples_.assign(s.data.begin(), s.data.begin() + long(keep));
    }
    return t;
}

// A run killed between writing an epoch's log rows and its checkpoint redoes that epoch on resume:
// drop log rows (first column: epoch) past the checkpoint's epoch so no epoch appears twice.
static void csv_keep_epochs(const std::string& path, int max_epoch) {
    if (!file_exists(path)) return;
    std::vector<uint8_t> bytes = file_read_all(path, size_t(1) << 31);
    std::string text(bytes.begin(), bytes.end()), kept;
    size_t pos = 0;
    for (bool header = true; pos < text.size(); header = false) {
        size_t end = text.find('\n', pos);
        end = end == std::string::npos ? text.size() : end + 1;
        if (header || std::atoi(text.c_str() + pos) <= max_epoch) kept.append(text, pos, end - pos);
        pos = end;
    }
    if (kept.size() != text.size()) file_write_atomic(path, kept);
}

// A write killed half-way leaves its temporary file (`<name>.tmp.<pid>`); nothing reads them.
static void remove_temp_files(const std::string& dir) {
    std::error_code e;
    for (std::filesystem::directory_iterator it(dir, e), end; !e && it != end; it.increment(e)) {
        const std::string name = it->path().filename().string();
        const size_t at = name.rfind(".tmp.");
        if (at != std::string::npos && at + 5 < name.size() &&
            name.find_first_not_of("0123456789", at + 5) == std::string::npos)
            std::filesystem::remove(it->path(), e);
    }
}

void Trainer::write_run_files_at_start() const {
    make_dirs(o_.out_dir + "/samples");
    make_dirs(o_.out_dir + "/checkpoints");
    for (const char* sub : {"", "/samples", "/checkpoints"}) remove_temp_files(o_.out_dir + sub);
    file_write_atomic(o_.out_dir + "/config.json", o_.to_json());
    for (const char* log : {"/metrics.csv", "/steps.csv", "/eval.csv"}) csv_keep_epochs(o_.out_dir + log, p_.epoch);
    const std::string csv = o_.out_dir + "/metrics.csv";
    if (!file_exists(csv) || p_.epoch == 0)
        file_write_atomic(csv, std::string("epoch,steps,d_loss,g_loss,d_loss_last,g_loss_last,d_real,d_fake,"
                                           "epoch_seconds,images_per_s,elapsed_s\n"));
}

void Trainer::start_epoch() {
    // The shuffle of each epoch is a function of the data stream's state at its start, which the
    // checkpoint stores, so a run stopped mid-epoch resumes with the same order.
    data_rng_.set_state(p_.data_epoch);
    const uint32_t n = uint32_t(data_.images.n);
    perm_.resize(n);
    for (uint32_t i = 0; i < n; ++i) perm_[i] = i;
    for (uint32_t i = n - 1; i > 0; --i) std::swap(perm_[i], perm_[data_rng_.below(i + 1)]);  // Fisher-Yates
}

void Trainer::gather_batch(int step) {
    const int B = o_.batch;
    const size_t img = size_t(o_.model.image_size());
    real_.resize({B, o_.model.channels, o_.model.rows, o_.model.cols});
    gather_unit_range(real_.data(), data_.images.pixels.data(), perm_.data() + size_t(step) * B, size_t(B), img);
    if (o_.model.conditional) {
        real_labels_.resize(size_t(B));
        fake_labels_.resize(size_t(B));
        for (int b = 0; b < B; ++b) real_labels_[b] = data_.labels.labels[perm_[size_t(step) * B + b]];
    }
}

void Trainer::swap_ema() {
    if (!ema_.empty()) std::swap(ema_, model_->g.params.values());
}

void Trainer::end_epoch(const std::function<void(const EpochReport&)>& on_epoch, double seconds, int steps_run) {
    const int steps = data_.images.n / o_.batch;
    // Never write a checkpoint holding NaN or Inf: the previous one stays the last good state.
    for (const Sequential* net : {&model_->g, &model_->d})
        for (float v : net->params.values())
            GAN_CHECK(std::isfinite(v), "training diverged in epoch ", p_.epoch + 1, " (step ", steps, "): ",
                      net->prefix(), " has a NaN or Inf weight (the last good checkpoint is ", last_checkpoint(),
                      "; try a lower --lr)");
    EpochReport r;
    r.epoch = p_.epoch + 1;
    r.epochs = o_.epochs;
    r.steps = steps;
    r.d_loss = p_.sums[0] / steps;
    r.g_loss = p_.sums[1] / steps;
    r.d_real = p_.sums[2] / steps;
    r.d_fake = p_.sums[3] / steps;
    r.d_loss_last = last_.d_loss;
    r.g_loss_last = last_.g_loss;
    r.seconds = seconds;
    r.images_per_s = seconds > 0 ? double(steps_run) * o_.batch / seconds : 0;
    r.elapsed = p_.elapsed;

    // The tutorial's fresh samples of this epoch, as a grid and in the all-epochs file.
    swap_ema();  // samples, metrics and generator checkpoints use the moving average when there is one
    std::vector<uint8_t> px;
    gan_generate(*model_, o_.samples_per_epoch, sample_rng_, px);
    all_samples_.insert(all_samples_.end(), px.begin(), px.end());
    const int grid_cols = int(std::ceil(std::sqrt(double(o_.samples_per_epoch))));
    GrayImage grid = image_grid(px.data(), o_.samples_per_epoch, o_.model.rows, o_.model.cols, grid_cols, 1, 3);
    r.sample_png = o_.out_dir + "/samples/epoch_" + epoch_name(r.epoch) + ".png";
    png_write_gray(r.sample_png, grid.pixels.data(), grid.width, grid.height);
    npy_write_u8(o_.out_dir + "/samples/all_samples.npy", all_samples_.data(),
                 {int64_t(r.epoch), o_.samples_per_epoch, o_.model.rows, o_.model.cols});
    {
        // The same latents every epoch, so samples/fixed_epoch_*.png show one set of digits taking shape
        // (batch-norm models in eval mode: running statistics, so the images depend on nothing else).
        Tensor gin;
        make_g_input(gin, fixed_z_, o_.model.conditional ? fixed_labels_.data() : nullptr, o_.model);
        model_->g.set_training(false);
        const Tensor& y = model_->g.forward(gin);
        px.resize(y.size());
        to_pixels(px.data(), y.data(), y.size());
        model_->g.set_training(true);
        const int cols = o_.model.conditional ? o_.model.num_classes
                                              : int(std::ceil(std::sqrt(double(o_.fixed_samples))));
        GrayImage fixed = image_grid(px.data(), o_.fixed_samples, o_.model.rows, o_.model.cols, cols, 1, 2);
        r.fixed_png = o_.out_dir + "/samples/fixed_epoch_" + epoch_name(r.epoch) + ".png";
        png_write_gray(r.fixed_png, fixed.pixels.data(), fixed.width, fixed.height);
    }
    if (evaluator && o_.eval_every > 0 && r.epoch % o_.eval_every == 0) {
        r.eval = evaluator(*model_, r.epoch);
        const std::string path = o_.out_dir + "/eval.csv";
        std::string text;
        if (file_exists(path)) {
            std::vector<uint8_t> old = file_read_all(path, size_t(1) << 30);
            text.assign(old.begin(), old.end());
        } else {
            text = "epoch";
            for (auto& [name, v] : r.eval) text += "," + name;
            text += "\n";
        }
        text += std::to_string(r.epoch);
        for (auto& [name, v] : r.eval) text += str(",", v);
        file_write_atomic(path, text + "\n");
    }
    Metadata gen_meta = {{"epoch", std::to_string(r.epoch)}};
    if (!ema_.empty()) gen_meta["ema"] = str(o_.ema);
    checkpoint_save_generator(o_.out_dir + "/checkpoints/generator_epoch_" + epoch_name(r.epoch) + ".safetensors",
                              *model_, gen_meta);
    if (p_.epoch + 1 == o_.epochs) checkpoint_save_generator(o_.out_dir + "/generator.safetensors", *model_, gen_meta);
    swap_ema();

    char line[512];
    std::snprintf(line, sizeof line, "%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f,%.1f\n", r.epoch, steps,
                  r.d_loss, r.g_loss, r.d_loss_last, r.g_loss_last, r.d_real, r.d_fake, r.seconds,
                  r.images_per_s, r.elapsed);
    std::string csv;
    {
        std::vector<uint8_t> old = file_read_all(o_.out_dir + "/metrics.csv", size_t(1) << 30);
        csv.assign(old.begin(), old.end());
    }
    file_write_atomic(o_.out_dir + "/metrics.csv", csv + line);
    if (o_.log_every > 0) {
        const std::string path = o_.out_dir + "/steps.csv";
        std::string text = "epoch,step,global_step,d_loss,g_loss,d_real,d_fake\n";
        if (file_exists(path)) {
            std::vector<uint8_t> old = file_read_all(path, size_t(1) << 31);
            text.assign(old.begin(), old.end());
        }
        file_write_atomic(path, text + step_rows_);
        step_rows_.clear();
    }

    p_.epoch += 1;
    p_.step = 0;
    for (double& s : p_.sums) s = 0;
    p_.data_epoch = data_rng_.state();
    save_state();
    if (on_epoch) on_epoch(r);
}

bool Trainer::run(const std::function<void(const EpochReport&)>& on_epoch,
                  const std::function<void(const StepReport&)>& on_step, const std::atomic<bool>* stop) {
    using clock = std::chrono::steady_clock;
    // The fused MLP step splits its work over its own threads, each running the BLAS single-threaded;
    // every other step lets the BLAS thread its GEMMs.
    // An explicit --threads is capped at the usable CPUs, as the step's own split is.
    blas_set_threads(step_->split_threads() > 1 ? 1
                     : o_.threads > 0     ? std::min(o_.threads, usable_cpus())
                                          : blas_auto_threads(o_.batch, o_.model.arch == Arch::dcgan));
    write_run_files_at_start();
    if (p_.epoch == 0 && p_.step == 0) save_state();  // a run killed in its first epoch can resume too
    const int steps = data_.images.n / o_.batch;
    while (p_.epoch < o_.epochs) {
        start_epoch();
        auto t0 = clock::now();
        const int first_step = p_.step;  // a resumed epoch: only the steps from here run in this process
        for (int s = p_.step; s < steps; ++s) {
            if (stop && stop->load()) {
                p_.latent = latent_rng_.state();
                p_.sample = sample_rng_.state();
                save_state();
                return false;
            }
            gather_batch(s);
            sample_latent(z_, o_.batch, o_.model, latent_rng_);
            const bool conditional = o_.model.conditional;
            if (conditional)
                for (int& l : fake_labels_) l = int(latent_rng_.below(uint32_t(o_.model.num_classes)));
            // With --d-steps K, K-1 batches update D only, the K-th updates D and then G.
            const bool update_g = (s + 1) % o_.d_steps == 0 || s + 1 == steps;
            StepStats st = step_->step(real_, z_, conditional ? real_labels_.data() : nullptr,
                                       conditional ? fake_labels_.data() : nullptr, update_g);
            if (!update_g) st.g_loss = last_.g_loss;
            last_ = st;
            if (update_g && !ema_.empty())  // opt_g_->t counts G's updates, this one included
                ema_update(ema_.data(), model_->g.params.values().data(), ema_.size(),
                           ema_decay_at(o_.ema, opt_g_->t));
            GAN_CHECK(std::isfinite(last_.d_loss) && std::isfinite(last_.g_loss), "training diverged at epoch ",
                      p_.epoch + 1, " step ", s + 1, ": a loss is NaN or Inf (the last good checkpoint is ",
                      last_checkpoint(), "; try a lower --lr)");
            p_.sums[0] += last_.d_loss, p_.sums[1] += last_.g_loss;
            p_.sums[2] += last_.d_real, p_.sums[3] += last_.d_fake;
            p_.step = s + 1;
            if (o_.log_every > 0 && (s + 1) % o_.log_every == 0) {
                char row[256];
                std::snprintf(row, sizeof row, "%d,%d,%lld,%.6f,%.6f,%.6f,%.6f\n", p_.epoch + 1, s + 1,
                              (long long)(p_.epoch) * steps + s + 1, last_.d_loss, last_.g_loss, last_.d_real,
                              last_.d_fake);
                step_rows_ += row;
            }
            if (on_step) on_step({p_.epoch + 1, s + 1, steps, last_});
        }
        double seconds = std::chrono::duration<double>(clock::now() - t0).count();
        p_.elapsed += seconds;
        end_epoch(on_epoch, seconds, steps - first_step);
    }
    return true;
}

}  // namespace gan
