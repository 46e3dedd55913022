// The checkpoint format, whole: safetensors with PyTorch state_dict names ("generator.0.weight",
// [out, in]; the DCGAN at 32x32 and 64x64 as PyTorch's example names it, main.0.weight and netD.main.0.weight:
// models/dcgan.h) and metadata naming the architecture, so a model can be rebuilt from the file alone.
//   kind=generator:   generator.* only
//   kind=train_state: generator.*, discriminator.*, ema.generator (with --ema), both Adam states
//                     (optimizer.{generator,discriminator}.exp_avg[_sq]), the training options (JSON)
//                     and the progress (epoch, step, RNG states, running sums) as metadata
// Every file carries format=gan.cpp, the gan.cpp version that wrote it and format_version: files of a
// newer format_version than this build's are refused on load; files without one (the first format) load.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "core/aligned.h"
#include "core/rng.h"
#include "io/arena_io.h"
#include "io/safetensors.h"
#include "models/gan_model.h"
#include "optim/adam.h"
#include "train/ada.h"
#include "train/options.h"

namespace gan {

using Metadata = std::map<std::string, std::string>;

// The format_version written; loading accepts it and every older one.
constexpr int kCheckpointFormatVersion = 1;
// Throws gan::Error naming `path` unless the metadata says format=gan.cpp with a format_version this
// build reads (absent: the first).
void checkpoint_check_format(const Metadata& meta, const std::string& path);

void checkpoint_save_generator(const std::string& path, const GanModel& model, Metadata extra = {});

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
// Also loads, from a file without gan.cpp's metadata, the state dict of PyTorch's DCGAN example netG
// (main.0.weight, ...; its I64 num_batches_tracked ignored), its configuration read off the shapes.
LoadedModel checkpoint_load_model(const std::string& path_or_run_dir);

// --init-generator / --init-discriminator: the weights (and batch-norm statistics) of one network of
// `model` from a file that holds it: a gan.cpp checkpoint or run directory (G: its newest generator;
// D: its checkpoints/last.safetensors), or the state dict of PyTorch's examples/dcgan netG or netD
// (whose D tensors lack gan.cpp's "netD." prefix). Errors name `flag` and the file.
void checkpoint_init_network(GanModel& model, bool generator, const std::string& path_or_run_dir,
                             const std::string& flag);

// Where a run stands; everything needed to continue it bit-exactly.
struct TrainProgress {
    int epoch = 0;           // completed epochs
    int step = 0;            // completed steps of the epoch in progress
    RngState data_epoch;     // the data stream at the start of the epoch in progress (its shuffle)
    RngState latent, sample;
    double sums[4] = {0, 0, 0, 0};  // d_loss, g_loss, d_real, d_fake summed over the epoch so far
    double elapsed = 0;
    AdaState ada;  // the adaptive augmentation probability (--augment-target)
};

// A full-state checkpoint (kind=train_state) of a run: its options, both networks, both Adam states,
// the moving average of G's weights (empty without --ema) and the progress.
void checkpoint_save_state(const std::string& path, const TrainOptions& options, const GanModel& model,
                           const Adam& opt_g, const Adam& opt_d, const AlignedVec<float>& ema,
                           const TrainProgress& progress);

// A full-state checkpoint read in two steps: its options first (the model is built from them), then
// the tensors and progress into a model built from them.
struct StateFile {
    std::string path;
    SafetensorsFile file;
    TrainOptions options;
};
StateFile checkpoint_open_state(const std::string& path);
// Fills what was built from f.options (ema sized for --ema, else empty) and the progress.
void checkpoint_load_state(const StateFile& f, GanModel& model, Adam& opt_g, Adam& opt_d, AlignedVec<float>& ema,
                           TrainProgress& progress);

}  // namespace gan
