// Checkpoints are safetensors with PyTorch state_dict names ("generator.0.weight", [out, in]) and
// metadata naming the architecture, so a model can be rebuilt from the file alone.
//   kind=generator:   generator.* only
//   kind=train_state: generator.*, discriminator.*, both Adam states, progress (see Trainer)
#pragma once
#include <map>
#include <memory>
#include <string>

#include "io/safetensors.h"
#include "models/gan_model.h"

namespace gan {

using Metadata = std::map<std::string, std::string>;

void checkpoint_save_generator(const std::string& path, const GanModel& model, Metadata extra = {});

// Copies the tensors named like the arena's parameters from the file into the arena, checking shapes.
void arena_load(Arena& arena, const SafetensorsFile& file, const std::string& source);
void arena_append_views(const Arena& arena, std::vector<TensorView>& views);

// A checkpoint file of either kind, or a run directory (then the generator of its newest finished
// epoch; an error while none has finished). Throws a one-line gan::Error for anything that is not a
// gan.cpp checkpoint of a known architecture.
std::string checkpoint_resolve(const std::string& path_or_run_dir);
struct LoadedModel {
    std::unique_ptr<GanModel> model;
    Metadata metadata;
    std::string path;
    bool has_discriminator = false;
};
LoadedModel checkpoint_load_model(const std::string& path_or_run_dir);

}  // namespace gan
