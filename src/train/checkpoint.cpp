#include "train/checkpoint.h"

#include <filesystem>

#include "core/check.h"

namespace gan {

namespace fs = std::filesystem;

void arena_append_views(const Arena& arena, std::vector<TensorView>& views) {
    for (const ParamInfo& p : arena.params()) views.push_back({p.name, p.shape, arena.value(p.offset)});
}

void checkpoint_save_generator(const std::string& path, const GanModel& model, Metadata extra) {
    Metadata meta = model.config.to_metadata();
    meta["format"] = "gan.cpp";
    meta["kind"] = "generator";
    meta["version"] = GAN_VERSION;
    for (auto& [k, v] : extra) meta[k] = v;
    std::vector<TensorView> views;
    arena_append_views(model.g.params, views);
    arena_append_views(model.g.buffers, views);
    safetensors_write(path, views, meta);
}

void arena_load(Arena& arena, const SafetensorsFile& file, const std::string& source) {
    for (const ParamInfo& p : arena.params()) {
        auto it = file.tensors.find(p.name);
        GAN_CHECK(it != file.tensors.end(), source, ": missing tensor '", p.name, "'");
        const StoredTensor& t = it->second;
        GAN_CHECK(t.shape == p.shape, source, ": tensor '", p.name, "' has the wrong shape for this model");
        std::copy(t.data.begin(), t.data.end(), arena.value(p.offset));
    }
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
    auto fmt = file.metadata.find("format");
    GAN_CHECK(fmt != file.metadata.end() && fmt->second == "gan.cpp", out.path,
              ": not a gan.cpp checkpoint (no __metadata__ format=gan.cpp)");
    ModelConfig config = ModelConfig::from_metadata(file.metadata, out.path);
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

}  // namespace gan
