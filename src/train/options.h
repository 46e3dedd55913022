// The options of a training run and their one table (train_option_table()): each option is declared
// there once with its config.json key, its `gan train` flag, help and defaults, its valid range and
// whether a resumed run may change it. config.json (to_json/from_json), validate(), the flags of
// `gan train`, the options stored in checkpoints and the resume check all come from that table.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "models/config.h"
#include "optim/adam.h"
#include "train/gan_step.h"

namespace gan {

struct TrainOptions {
    ModelConfig model;
    int epochs = 100;
    int batch = 100;
    AdamOptions adam;         // lr 0.002, betas 0.9/0.999, eps 1e-8, for both optimisers
    float lr_g = 0, lr_d = 0;  // G's and D's own learning rates (0: adam.lr)
    StepOptions step;         // label smoothing 0.1
    uint64_t seed = 0;
    int threads = 0;          // BLAS threads; 0 = automatic
    std::string device = "cpu";  // "cpu" or "cuda" (backend/backend.h's Device)
    int samples_per_epoch = 16;
    int fixed_samples = 64;   // the same latents every epoch: samples/fixed_epoch_NNN.png
    int eval_every = 0;       // run `evaluator` every K epochs (0 = never)
    int log_every = 0;        // also log every K-th step to steps.csv (0 = never)
    int d_steps = 1;          // D updates per G update (each on its own batch)
    float ema = 0.0f;         // decay of an exponential moving average of G's weights (0 = off);
                              // when on, samples and generator checkpoints use the average
    float augment_target = 0.0f;       // ADA's target for mean sign(D(x)) (train/ada.h); 0: p is fixed
    float augment_kimg = 100;          // ADA: thousands of images over which p can cross [0, 1]
    std::string data_dir = "data/mnist";
    int image_size = 0;       // side of the square training images; 0 = the data's own (an image folder: 64)
    int channels = 0;         // 1 or 3; 0 = the data's own (MNIST 1, CIFAR-10 and image folders 3)
    std::string bad_images = "refuse";  // an image folder's undecodable files: "skip" or "refuse"
    std::string out_dir = "runs/classic";
    int max_steps = 0;         // stop once the run has trained this many steps in all (0 = no limit)
    int keep_checkpoints = 0;  // keep the generators of the last N epochs in checkpoints/ (0 = all)
    int keep_every = 0;        // and those of every K-th epoch (0 = none besides the last N)
    std::string init_generator;      // a new run's G weights from this file instead of a random init
    std::string init_discriminator;  // and D's
    std::string recipe = "none";  // "small-data": apply_recipe() set the options the recipe names

    std::string to_json() const;  // every resolved option, for config.json and checkpoints
    static TrainOptions from_json(const std::string& text, const std::string& source);
    void validate() const;        // throws gan::Error naming the bad option
    AdamOptions adam_of(bool generator) const;  // adam with G's or D's learning rate
};

// The image shape (channels, rows, cols): one option, stored as a JSON array.
struct ImageField {
    int *channels, *rows, *cols;
};
// Where an option lives in a TrainOptions.
using OptionField = std::variant<int*, float*, uint64_t*, bool*, std::string*, Arch*, Latent*, CondD*, LossKind*,
                                 ImageField, std::vector<std::string>*>;

// What a resumed run may do with a new value given for the option: refuse it (it fixes the model's
// shape, the data order or the saved state), take it, or ignore it (--out: the run stays where it is).
enum class OnResume { fixed, changes, ignored };

// Valid values v: lo <= v <= hi (strictly with lo_open / hi_open; NaN never). The error reads
// "<name or flag> <must> (got v)".
struct OptionRange {
    double lo, hi;
    bool lo_open = false, hi_open = false;
    const char* must = "";
    const char* name = nullptr;  // names the option in the message instead of its flag
    bool show_got = true;
};

struct TrainOption {
    const char* key = "";   // in config.json and the checkpoints' train_options
    const char* flag = "";  // of `gan train` ("" for options without one: they follow from others)
    const char* help = "";
    std::function<OptionField(TrainOptions&)> field;
    OnResume on_resume = OnResume::fixed;
    bool show_default = true;        // --help shows the default; false where the help names them itself
    std::optional<OptionRange> range;
    const char* cli_default = nullptr;    // gan train's default, where it is not TrainOptions{}'s
    const char* dcgan_default = nullptr;  // gan train --arch dcgan's default for an option not given
    bool optional_in_json = false;        // older config.json files lack it: the default stays
    const char* small_data = nullptr;     // gan train --recipe small-data's value for an option not given

    bool has_flag() const { return *flag != 0; }
    bool is_enum() const;                                   // its flag takes a name (--arch mlp)
    std::string show(const TrainOptions& o) const;          // the value as text: 0.002, true, dcgan
    void parse(TrainOptions& o, const std::string& text) const;  // the reverse; throws gan::Error
    void copy(TrainOptions& to, const TrainOptions& from) const;
};

// Every option, in the order of `gan train --help`.
const std::vector<TrainOption>& train_option_table();
const TrainOption* train_option_by_flag(const std::string& flag);  // null if none has it

// gan train's defaults where they differ from TrainOptions{}'s.
void apply_cli_defaults(TrainOptions& o);
// --arch dcgan: that architecture's defaults for every option whose flag `given` does not name.
void apply_dcgan_defaults(TrainOptions& o, const std::function<bool(const std::string& flag)>& given);

// --recipe small-data (docs/small_data.md): that recipe's value for every option whose flag `given` does
// not name (after the architecture's defaults); nothing for the recipe "none". Throws gan::Error for an
// unknown recipe.
void apply_recipe(TrainOptions& o, const std::function<bool(const std::string& flag)>& given);
// The options a recipe names, with their values in o, as flags: "--loss hinge --spectral-norm ...".
std::string recipe_summary(const TrainOptions& o);

}  // namespace gan
