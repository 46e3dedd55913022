// The table of train_option_table() (train/options.h): every option of a training run, once. Rows
// look alike because each is one option's data (key, flag, help, member, range, defaults), not
// repeated logic.
#include <cfloat>
#include <climits>
#include <iterator>

#include "train/options.h"

// Each entry names only the members it sets; the others keep their defaults, by design.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace gan {

namespace {

// Where an option lives: a member path of TrainOptions.
#define GAN_FIELD(member) [](TrainOptions& o) -> OptionField { return &o.member; }

constexpr OptionRange at_least_1{1, INT_MAX, false, false, "must be at least 1"};
constexpr OptionRange positive{0, FLT_MAX, true, false, "must be a positive number"};
constexpr OptionRange not_negative_real{0, FLT_MAX, false, false, "must not be negative"};
constexpr OptionRange unit{0, 1, false, true, "must be in [0, 1)"};
constexpr OptionRange sizes{1, 65536, false, false, "must be in [1, 65536]"};
constexpr OptionRange not_negative{0, INT_MAX, false, false, "must not be negative", nullptr, false};

using R = OnResume;

const TrainOption kOptions[] = {
    {.key = "epochs", .flag = "--epochs", .help = "Training epochs [mlp: 100, dcgan: 5]",
     .field = GAN_FIELD(epochs), .on_resume = R::changes, .show_default = false, .range = at_least_1,
     .dcgan_default = "5"},
    {.key = "batch", .flag = "--batch", .help = "Batch size [mlp: 100, dcgan: 64]", .field = GAN_FIELD(batch),
     .show_default = false, .range = at_least_1, .dcgan_default = "64"},
    {.key = "lr", .flag = "--lr",
     .help = "Adam learning rate of both optimisers [mlp: 0.002, the tutorial's (its printed code used TF's "
             "default 0.001); dcgan: 0.0002]",
     .field = GAN_FIELD(adam.lr), .on_resume = R::changes, .show_default = false, .range = positive,
     .dcgan_default = "2e-4", .small_data = "8e-4"},
    {.key = "lr_g", .flag = "--lr-g", .help = "Adam learning rate of G alone (0 = --lr's)", .field = GAN_FIELD(lr_g),
     .on_resume = R::changes, .range = not_negative_real, .optional_in_json = true},
    {.key = "lr_d", .flag = "--lr-d", .help = "Adam learning rate of D alone (0 = --lr's)", .field = GAN_FIELD(lr_d),
     .on_resume = R::changes, .range = not_negative_real, .optional_in_json = true},
    {.key = "beta1", .flag = "--beta1", .help = "Adam beta1 [mlp: 0.9, dcgan: 0.5]",
     .field = GAN_FIELD(adam.beta1), .on_resume = R::changes, .show_default = false, .range = unit,
     .dcgan_default = "0.5"},
    {.key = "beta2", .flag = "--beta2", .help = "Adam beta2", .field = GAN_FIELD(adam.beta2),
     .on_resume = R::changes, .range = unit},
    {.key = "eps", .flag = "--eps", .help = "Adam epsilon", .field = GAN_FIELD(adam.eps), .on_resume = R::changes,
     .range = positive},
    {.key = "z_dim", .flag = "--z-dim", .help = "Latent size", .field = GAN_FIELD(model.z_dim), .range = sizes},
    {.key = "hidden", .flag = "--hidden", .help = "Hidden units of G and D", .field = GAN_FIELD(model.hidden),
     .range = sizes},
    {.key = "ngf", .flag = "--ngf", .help = "dcgan at 32x32 and 64x64: G's base width (PyTorch's example's ngf)",
     .field = GAN_FIELD(model.ngf), .range = OptionRange{1, 4096, false, false, "must be in [1, 4096]"},
     .optional_in_json = true},
    {.key = "ndf", .flag = "--ndf", .help = "dcgan at 32x32 and 64x64: D's base width (PyTorch's example's ndf)",
     .field = GAN_FIELD(model.ndf), .range = OptionRange{1, 4096, false, false, "must be in [1, 4096]"},
     .optional_in_json = true},
    {.key = "alpha", .flag = "--alpha", .help = "LeakyReLU slope [mlp: 0.01, dcgan: 0.2]",
     .field = GAN_FIELD(model.alpha), .show_default = false, .range = unit, .dcgan_default = "0.2"},
    {.key = "smooth", .flag = "--smooth",
     .help = "One-sided label smoothing: real target is 1 - smooth [mlp: 0.1, dcgan: 0]",
     .field = GAN_FIELD(step.smooth), .on_resume = R::changes, .show_default = false, .range = unit,
     .dcgan_default = "0"},
    {.key = "seed", .flag = "--seed", .help = "Seed: the same seed and options give the same run",
     .field = GAN_FIELD(seed)},
    {.key = "threads", .flag = "--threads",
     .help = "Threads (0 = automatic: the usable CPUs, at most 4). The MLP models split each step over them; "
             "the DCGAN runs a copy of its step on each, on its share of the batch, at any batch",
     .field = GAN_FIELD(threads), .on_resume = R::changes, .range = OptionRange{0, 256, false, false,
                                                                                "must be in [0, 256]"}},
    {.key = "device", .flag = "--device",
     .help = "Where the step runs: cpu, or cuda (an NVIDIA GPU; a build configured with -DGAN_WITH_CUDA=ON). A run "
             "may resume on the other device",
     .field = GAN_FIELD(device), .on_resume = R::changes, .optional_in_json = true},
    {.key = "samples_per_epoch", .flag = "--samples-per-epoch", .help = "Fresh samples saved each epoch",
     .field = GAN_FIELD(samples_per_epoch),
     .range = OptionRange{1, 1024, false, false, "must be in [1, 1024]", "samples per epoch", false}},
    {.key = "arch", .flag = "--arch",
     .help = "Architecture: mlp (the classic GAN, any image size) or dcgan (at 28x28 PyTorch's MNIST DCGAN, at "
             "32x32 and 64x64 PyTorch's examples/dcgan model; its defaults: lr 2e-4, beta1 0.5, batch 64, "
             "z ~ N(0,1), LeakyReLU 0.2, smooth 0 — explicit flags override)",
     .field = GAN_FIELD(model.arch)},
    {.key = "conditional", .flag = "--conditional",
     .help = "Class-conditional GAN: G and D see the label (MNIST's digit, CIFAR-10's class, the first-level "
             "subfolder of an image folder)",
     .field = GAN_FIELD(model.conditional),
     .show_default = false},
    // gan train's conditioning defaults (proj_ac, class weight 3): the best-classified digits of the
    // conditionings compared in README (--conditional).
    {.key = "cond_d", .flag = "--cond-d",
     .help = "How D uses the label: proj (projection discriminator), proj_ac (projection + a classifier head "
             "trained on real images that G must satisfy), acgan (auxiliary classifier), concat (one-hot "
             "input)",
     .field = GAN_FIELD(model.cond_d), .cli_default = "proj_ac"},
    {.key = "class_weight", .flag = "--class-weight",
     .help = "acgan / proj_ac: weight of the auxiliary classification loss", .field = GAN_FIELD(step.class_weight),
     .on_resume = R::changes, .range = OptionRange{0, 100, false, false, "must be in [0, 100]"},
     .cli_default = "3", .optional_in_json = true},
    {.key = "loss", .flag = "--loss", .help = "GAN loss: bce | lsgan | hinge", .field = GAN_FIELD(step.loss)},
    {.key = "spectral_norm", .flag = "--spectral-norm",
     .help = "Spectral normalisation of D's weights (Miyato et al. 2018; dcgan: D without batch norm)",
     .field = GAN_FIELD(model.spectral_norm), .show_default = false, .optional_in_json = true},
    {.key = "augment", .flag = "--augment",
     .help = "Differentiable augmentation of every image D sees, real and fake (DiffAugment): none or a "
             "comma-separated list of color, translation, cutout",
     .field = GAN_FIELD(step.augment), .on_resume = R::changes, .optional_in_json = true},
    {.key = "augment_p", .flag = "--augment-p",
     .help = "The probability each image D sees is augmented with (a fixed one; --augment-target adapts it)",
     .field = GAN_FIELD(step.augment_p), .on_resume = R::changes,
     .range = OptionRange{0, 1, false, false, "must be in [0, 1]"}, .optional_in_json = true},
    {.key = "augment_target", .flag = "--augment-target",
     .help = "Adapt the augmentation's probability p as ADA does (Karras et al. 2020): p starts at 0 and every 4 "
             "steps rises when the mean sign of D's outputs on real images is above this target (D sure of "
             "them), falls when below; logged per epoch in metrics.csv (0 = off: p is --augment-p)",
     .field = GAN_FIELD(augment_target), .on_resume = R::changes, .range = unit, .optional_in_json = true},
    {.key = "augment_kimg", .flag = "--augment-kimg",
     .help = "With --augment-target: the thousands of images over which p can go from 0 to 1 (ADA's ada_kimg; "
             "its 500 suit runs of millions of images, a run of 1,000 steps of 64 sees 64)",
     .field = GAN_FIELD(augment_kimg), .on_resume = R::changes, .range = positive, .optional_in_json = true},
    {.key = "recipe", .flag = "--recipe",
     .help = "small-data: the settings measured best for folders of a few hundred to a few thousand images "
             "(docs/small_data.md): a learning rate of 8e-4 for both networks and an average of G's weights "
             "(--lr 8e-4 --ema 0.999); flags given keep their values",
     .field = GAN_FIELD(recipe), .optional_in_json = true},
    {.key = "d_steps", .flag = "--d-steps", .help = "D updates per G update", .field = GAN_FIELD(d_steps),
     .on_resume = R::changes, .range = OptionRange{1, 100, false, false, "must be in [1, 100]"}},
    {.key = "ema", .flag = "--ema",
     .help = "Decay of an exponential moving average of G's weights (0 = off; warmed up as min(D, "
             "(1+t)/(10+t)) at update t), used for samples and saved generators; 0.99 suits DCGAN runs of a "
             "few epochs",
     .field = GAN_FIELD(ema), .range = unit, .small_data = "0.999"},
    {.key = "data", .flag = "--data",
     .help = "The training images: a folder with MNIST's IDX files (train-images-idx3-ubyte[.gz], ...), else "
             "one with CIFAR-10's binary batches (data_batch_*.bin), else a folder of PNG and JPEG images (in "
             "every folder below it too), decoded once into RUN_DIR/data_cache.bin [./data/mnist, else the "
             "per-user cache ~/.cache/gan.cpp/mnist, which gan fetch mnist --cache fills]",
     .field = GAN_FIELD(data_dir), .on_resume = R::changes, .show_default = false},
    {.key = "image_size", .flag = "--image-size",
     .help = "Side of the square training images: each is resized (shorter side) and centre-cropped to it "
             "(0 = the data's own: MNIST 28, CIFAR-10 32; an image folder 64)",
     .field = GAN_FIELD(image_size),
     .range = OptionRange{0, 4096, false, false, "must be in [0, 4096]"}, .optional_in_json = true},
    {.key = "channels", .flag = "--channels",
     .help = "1 (gray) or 3 (RGB): images are converted to it (0 = the data's own: MNIST 1, CIFAR-10 and image "
             "folders 3)",
     .field = GAN_FIELD(channels), .range = OptionRange{0, 3, false, false, "must be 0, 1 or 3"},
     .optional_in_json = true},
    {.key = "bad_images", .flag = "--bad-images",
     .help = "An image folder's file that cannot be decoded: skip (leave it out, naming it) or refuse (stop, "
             "naming it)",
     .field = GAN_FIELD(bad_images), .on_resume = R::changes, .optional_in_json = true},
    {.key = "out", .flag = "--out",
     .help = "Run directory (config.json, metrics.csv, samples/, checkpoints/) [mlp: runs/classic, dcgan: "
             "runs/dcgan]",
     .field = GAN_FIELD(out_dir), .on_resume = R::ignored, .show_default = false, .dcgan_default = "runs/dcgan"},
    {.key = "log_every", .flag = "--log-every", .help = "Also log every N-th step's losses to steps.csv (0 = off)",
     .field = GAN_FIELD(log_every), .on_resume = R::changes, .range = not_negative},
    {.key = "eval_every", .flag = "--eval-every",
     .help = "Every K epochs: FID, classifier score and covered classes of 10,000 samples to eval.csv, in the "
             "features of a classifier trained on the --data set (MNIST-FID on MNIST; 0 = off)",
     .field = GAN_FIELD(eval_every), .on_resume = R::changes, .range = not_negative},
    {.key = "max_steps", .flag = "--max-steps",
     .help = "Stop once the run has trained N steps in all (0 = no limit): a smoke test of a configuration in "
             "seconds. The state is saved as at Ctrl-C; --resume with --max-steps 0 (or a larger N) trains on",
     .field = GAN_FIELD(max_steps), .on_resume = R::changes, .range = not_negative, .optional_in_json = true},
    {.key = "keep_checkpoints", .flag = "--keep-checkpoints",
     .help = "Keep the generators of the last N epochs in RUN_DIR/checkpoints/ and delete older ones (0 = keep "
             "every epoch's); generator.safetensors and checkpoints/last.safetensors always stay",
     .field = GAN_FIELD(keep_checkpoints), .on_resume = R::changes, .range = not_negative,
     .optional_in_json = true},
    {.key = "keep_every", .flag = "--keep-every",
     .help = "With --keep-checkpoints: also keep the generator of every K-th epoch (0 = none)",
     .field = GAN_FIELD(keep_every), .on_resume = R::changes, .range = not_negative, .optional_in_json = true},
    {.key = "init_generator", .flag = "--init-generator",
     .help = "Start the new run from these generator weights instead of a random init, as PyTorch's example's "
             "--netG: a gan.cpp generator file or run directory, or the example's netG converted to safetensors "
             "(docs/parity.md); the model flags must be those the weights were trained with",
     .field = GAN_FIELD(init_generator), .show_default = false, .optional_in_json = true},
    {.key = "init_discriminator", .flag = "--init-discriminator",
     .help = "The same for the discriminator (--netD): a run's checkpoints/last.safetensors or run directory, or "
             "the example's netD converted to safetensors",
     .field = GAN_FIELD(init_discriminator), .show_default = false, .optional_in_json = true},
    // Without flags: they follow from the architecture, the data and the class count.
    {.key = "latent", .field = GAN_FIELD(model.latent), .dcgan_default = "normal"},
    {.key = "image",
     .field = [](TrainOptions& o) -> OptionField {
         return ImageField{&o.model.channels, &o.model.rows, &o.model.cols};
     }},
    {.key = "fixed_samples", .field = GAN_FIELD(fixed_samples),
     .range = OptionRange{1, 1024, false, false, "must be in [1, 1024]", "fixed samples", false}},
    {.key = "num_classes", .field = GAN_FIELD(model.num_classes),
     .range = OptionRange{2, kMaxClasses, false, false, "must be in [2, 256]", "number of classes", false}},
    // Conditional models: each class's name (an image folder's subfolders, MNIST's digits), in label order.
    {.key = "class_names", .field = GAN_FIELD(model.class_names), .optional_in_json = true},
};

#undef GAN_FIELD
static_assert(kMaxClasses == 256, "num_classes' message above names the bound");

}  // namespace

const std::vector<TrainOption>& train_option_table() {
    static const std::vector<TrainOption> table(std::begin(kOptions), std::end(kOptions));
    return table;
}

}  // namespace gan
