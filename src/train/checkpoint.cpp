#include "train/checkpoint.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "io/json_depth.h"
#include "models/dcgan.h"

namespace gan {

namespace fs = std::filesystem;

namespace {

// ---- metadata values ----------------------------------------------------------------------------

std::string rng_to_string(const RngState& s) { return str(s.key, " ", s.counter, " ", s.used); }

RngState rng_from_string(const std::string& text, const std::string& source) {
    RngState s;
    unsigned long long key = 0, counter = 0;
    unsigned used = 0;
    GAN_CHECK(std::sscanf(text.c_str(), "%llu %llu %u", &key, &counter, &used) == 3 && used <= 4, source,
              ": bad RNG state '", text, "'");
    s.key = key, s.counter = counter, s.used = used;
    return s;
}

// Doubles as hexadecimal floats, so the running sums resume bit-exactly.
std::string hexfloat(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", v);
    return buf;
}

const std::string& meta_at(const Metadata& m, const std::string& key, const std::string& source) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), source, ": metadata has no '", key, "'");
    return it->second;
}

double meta_double(const Metadata& m, const std::string& key, const std::string& source) {
    const std::string& text = meta_at(m, key, source);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    GAN_CHECK(end && *end == 0 && !text.empty(), source, ": metadata '", key, "' is not a number");
    return v;
}

Metadata format_metadata(const ModelConfig& config, const char* kind) {
    Metadata meta = config.to_metadata();
    meta["format"] = "gan.cpp";
    meta["format_version"] = std::to_string(kCheckpointFormatVersion);
    meta["kind"] = kind;
    meta["version"] = GAN_VERSION;
    return meta;
}


void load_vector(const SafetensorsFile& file, const std::string& path, const char* name, float* dst, size_t n) {
    auto it = file.tensors.find(name);
    GAN_CHECK(it != file.tensors.end() && it->second.data.size() == n, path, ": missing or wrong '", name, "'");
    std::copy(it->second.data.begin(), it->second.data.end(), dst);
}

TensorShapes shapes_of(const SafetensorsFile& file) {
    TensorShapes shapes;
    for (const auto& [name, t] : file.tensors) shapes[name] = t.shape;
    return shapes;
}

// Metadata "class_names": a JSON list of one name per class (a hostile file may hold anything there).
std::vector<std::string> class_names_of(const std::string& text, int classes, const std::string& path) {
    const bool flat = json_too_deep_at(text.data(), text.size(), 1) == std::string::npos;
    const nlohmann::json j = flat ? nlohmann::json::parse(text, nullptr, false) : nlohmann::json();
    GAN_CHECK(flat && !j.is_discarded() && j.is_array() && j.size() == size_t(classes), path,
              ": metadata 'class_names' is not a list of ", classes, " names");
    std::vector<std::string> names;
    for (const nlohmann::json& e : j) {
        GAN_CHECK(e.is_string(), path, ": metadata 'class_names' holds something other than names");
        names.push_back(e.get<std::string>());
    }
    return names;
}

// From gan.cpp's metadata; for a file without it that holds the state dict of PyTorch's DCGAN example
// netG (main.0.weight, ...), from the tensors' shapes.
ModelConfig config_of(const SafetensorsFile& file, const std::string& path) {
    auto fmt = file.metadata.find("format");
    const bool ours = fmt != file.metadata.end() && fmt->second == "gan.cpp";
    if (!ours) {
        const TensorShapes shapes = shapes_of(file);
        if (is_example_netg(shapes)) return dcgan_example_config(shapes, path);
    }
    checkpoint_check_format(file.metadata, path);
    ModelConfig c = ModelConfig::from_metadata(file.metadata, path);
    if (auto it = file.metadata.find("class_names"); it != file.metadata.end())
        c.class_names = class_names_of(it->second, c.num_classes, path);
    return c;
}

}  // namespace

void checkpoint_check_format(const Metadata& meta, const std::string& path) {
    auto fmt = meta.find("format");
    GAN_CHECK(fmt != meta.end() && fmt->second == "gan.cpp", path,
              ": not a gan.cpp checkpoint (no __metadata__ format=gan.cpp)");
    auto v = meta.find("format_version");
    if (v == meta.end()) return;  // the first format, written before files carried a version
    char* end = nullptr;
    const long version = std::strtol(v->second.c_str(), &end, 10);
    GAN_CHECK(!v->second.empty() && end && *end == 0 && version >= 1, path, ": checkpoint format_version '",
              v->second, "' is not a version number");
    GAN_CHECK(version <= kCheckpointFormatVersion, path, ": checkpoint format version ", version,
              " is newer than this gan.cpp ", GAN_VERSION, " reads (up to ", kCheckpointFormatVersion,
              "): it was written by gan.cpp ", meta.count("version") ? meta.at("version") : "(unknown)",
              "; use that version or a newer one");
}

void checkpoint_save_generator(const std::string& path, const GanModel& model, Metadata extra) {
    Metadata meta = format_metadata(model.config, "generator");
    for (auto& [k, v] : extra) meta[k] = v;
    std::vector<TensorView> views;
    arena_append_views(model.g.params, views);
    arena_append_views(model.g.buffers, views);
    safetensors_write(path, views, meta);
}

std::string checkpoint_resolve(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return path;
    std::string best;
    fs::file_time_type best_time{};
    auto consider = [&](const fs::path& f) {
        std::error_code e;
        if (!fs::is_regular_file(f, e)) return;
        auto t = fs::last_write_time(f, e);
        if (e) return;
        if (best.empty() || t > best_time) best = f.string(), best_time = t;
    };
    // The newest generator file: one per finished epoch (they hold the moving average when training
    // used --ema). Never the full state checkpoints/last.safetensors: during the first epoch it holds the
    // untrained initial weights, saved so that the run can resume.
    consider(fs::path(path) / "generator.safetensors");
    std::error_code e;
    for (fs::directory_iterator it(fs::path(path) / "checkpoints", e), end; !e && it != end; it.increment(e)) {
        const std::string name = it->path().filename().string();
        if (name.rfind("generator_epoch_", 0) == 0 && it->path().extension() == ".safetensors") consider(it->path());
    }
    if (best.empty()) {
        GAN_CHECK(!fs::exists(fs::path(path) / "checkpoints" / "last.safetensors", e), path,
                  ": no generator.safetensors or checkpoints/generator_epoch_NNN.safetensors yet: no epoch of this "
                  "run has finished (its checkpoints/last.safetensors is the state to resume from, not a trained "
                  "generator)");
        throw Error(str(path, ": no generator.safetensors or checkpoints/ in this run directory"));
    }
    return best;
}

LoadedModel checkpoint_load_model(const std::string& path_or_run_dir) {
    LoadedModel out;
    out.path = checkpoint_resolve(path_or_run_dir);
    SafetensorsFile file = safetensors_read(out.path);
    const ModelConfig config = config_of(file, out.path);
    try {
        out.model = gan_build(config);
    } catch (const Error& e) {
        throw Error(str(out.path, ": ", e.what()));
    }
    arena_load(out.model->g.params, file, out.path);
    arena_load(out.model->g.buffers, file, out.path);
    out.has_discriminator = file.tensors.count(out.model->d.params.params().front().name) > 0;
    if (out.has_discriminator) {
        arena_load(out.model->d.params, file, out.path);
        arena_load(out.model->d.buffers, file, out.path);
    }
    out.metadata = std::move(file.metadata);
    return out;
}

void checkpoint_init_network(GanModel& model, bool generator, const std::string& path_or_run_dir,
                             const std::string& flag) {
    std::error_code ec;
    const bool dir = fs::is_directory(path_or_run_dir, ec);
    std::string path = dir ? path_or_run_dir + "/checkpoints/last.safetensors" : path_or_run_dir;
    SafetensorsFile file;
    try {
        if (generator) path = checkpoint_resolve(path_or_run_dir);
        file = safetensors_read(path);
    } catch (const Error& e) {
        throw Error(str(flag, " ", e.what()));
    }
    Sequential& net = generator ? model.g : model.d;
    const std::string& first = net.params.params().front().name;
    const std::string prefix = "netD.";
    if (!generator && !file.tensors.count(first) && first.rfind(prefix, 0) == 0) {
        std::map<std::string, StoredTensor> renamed;
        for (auto& [name, t] : file.tensors) renamed[prefix + name] = std::move(t);
        file.tensors = std::move(renamed);
    }
    try {
        arena_load(net.params, file, path);
        arena_load(net.buffers, file, path);
    } catch (const Error& e) {
        throw Error(str(flag, " ", e.what(), " (give the model flags the weights were trained with)"));
    }
}

void checkpoint_save_state(const std::string& path, const TrainOptions& options, const GanModel& model,
                           const Adam& opt_g, const Adam& opt_d, const AlignedVec<float>& ema,
                           const TrainProgress& p) {
    Metadata meta = format_metadata(model.config, "train_state");
    meta["train_options"] = options.to_json();
    meta["epoch"] = std::to_string(p.epoch);
    meta["step"] = std::to_string(p.step);
    meta["adam_g_t"] = std::to_string(opt_g.t);
    meta["adam_d_t"] = std::to_string(opt_d.t);
    meta["rng_data_epoch"] = rng_to_string(p.data_epoch);
    meta["rng_latent"] = rng_to_string(p.latent);
    meta["rng_sample"] = rng_to_string(p.sample);
    for (int i = 0; i < 4; ++i) meta["sum" + std::to_string(i)] = hexfloat(p.sums[i]);
    meta["elapsed"] = hexfloat(p.elapsed);
    meta["ada_p"] = hexfloat(p.ada.p);
    meta["ada_sign_sum"] = hexfloat(p.ada.sign_sum);
    meta["ada_steps"] = std::to_string(p.ada.steps);
    std::vector<TensorView> views;
    for (const Sequential* s : {&model.g, &model.d}) {
        arena_append_views(s->params, views);
        arena_append_views(s->buffers, views);
    }
    const int64_t ng = int64_t(opt_g.m.size()), nd = int64_t(opt_d.m.size());
    if (!ema.empty()) views.push_back({"ema.generator", {ng}, ema.data()});
    views.push_back({"optimizer.generator.exp_avg", {ng}, opt_g.m.data()});
    views.push_back({"optimizer.generator.exp_avg_sq", {ng}, opt_g.v.data()});
    views.push_back({"optimizer.discriminator.exp_avg", {nd}, opt_d.m.data()});
    views.push_back({"optimizer.discriminator.exp_avg_sq", {nd}, opt_d.v.data()});
    safetensors_write(path, views, meta);
}

StateFile checkpoint_open_state(const std::string& path) {
    StateFile f{path, safetensors_read(path), {}};
    checkpoint_check_format(f.file.metadata, path);
    auto kind = f.file.metadata.find("kind");
    GAN_CHECK(kind != f.file.metadata.end() && kind->second == "train_state", path, ": not a full training state");
    f.options = TrainOptions::from_json(meta_at(f.file.metadata, "train_options", path), path);
    return f;
}

void checkpoint_load_state(const StateFile& f, GanModel& model, Adam& opt_g, Adam& opt_d, AlignedVec<float>& ema,
                           TrainProgress& p) {
    const Metadata& meta = f.file.metadata;
    for (Sequential* s : {&model.g, &model.d}) {
        arena_load(s->params, f.file, f.path);
        arena_load(s->buffers, f.file, f.path);
    }
    if (!ema.empty()) load_vector(f.file, f.path, "ema.generator", ema.data(), ema.size());
    load_vector(f.file, f.path, "optimizer.generator.exp_avg", opt_g.m.data(), opt_g.m.size());
    load_vector(f.file, f.path, "optimizer.generator.exp_avg_sq", opt_g.v.data(), opt_g.v.size());
    load_vector(f.file, f.path, "optimizer.discriminator.exp_avg", opt_d.m.data(), opt_d.m.size());
    load_vector(f.file, f.path, "optimizer.discriminator.exp_avg_sq", opt_d.v.data(), opt_d.v.size());
    opt_g.t = int64_t(meta_double(meta, "adam_g_t", f.path));
    opt_d.t = int64_t(meta_double(meta, "adam_d_t", f.path));
    p.epoch = int(meta_double(meta, "epoch", f.path));
    p.step = int(meta_double(meta, "step", f.path));
    p.data_epoch = rng_from_string(meta_at(meta, "rng_data_epoch", f.path), f.path);
    p.latent = rng_from_string(meta_at(meta, "rng_latent", f.path), f.path);
    p.sample = rng_from_string(meta_at(meta, "rng_sample", f.path), f.path);
    for (int i = 0; i < 4; ++i) p.sums[i] = meta_double(meta, "sum" + std::to_string(i), f.path);
    p.elapsed = meta_double(meta, "elapsed", f.path);
    if (meta.count("ada_p")) {  // older checkpoints have none: p starts at 0 there
        p.ada.p = meta_double(meta, "ada_p", f.path);
        p.ada.sign_sum = meta_double(meta, "ada_sign_sum", f.path);
        p.ada.steps = int(meta_double(meta, "ada_steps", f.path));
    }
}

}  // namespace gan
