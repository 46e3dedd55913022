// gan sample --checkpoint FILE|RUN_DIR --n N --out OUT [--seed S]
//            [--z latents.npy [--labels labels.npy] | --save-z latents.npy]
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "flags.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/npy.h"
#include "io/png.h"
#include "train/checkpoint.h"

namespace gan_cli {

namespace {

struct SampleArgs {
    std::string checkpoint, out;
    int n = 64;
    uint64_t seed = 0;
    int cols = 0;
    int scale = 2;
    std::string cls;  // --class: a name or a number ("" = not given)
    int digit = -1;   // the class it names, once the generator is loaded
    bool grid_by_class = false;
    std::string bn = "auto";
    std::string precision = "f32";
    std::string z_file, labels_file, save_z;
    CLI::Option* n_option = nullptr;  // to tell an explicit --n from the default
};

std::string npy_shape(const std::vector<int64_t>& shape) {
    std::string t = "(";
    for (size_t i = 0; i < shape.size(); ++i) t += (i ? ", " : "") + std::to_string(shape[i]);
    return t + (shape.size() == 1 ? ",)" : ")");
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The flags alone, before any file is read.
void check_sample_flags(const SampleArgs& a) {
    GAN_CHECK(a.n >= 1 && a.n <= 10000000, "--n must be in [1, 10000000] (got ", a.n, ")");
    const bool png = ends_with(a.out, ".png"), npy = ends_with(a.out, ".npy");
    const bool idx = ends_with(a.out, ".idx") || ends_with(a.out, "-ubyte") || ends_with(a.out, ".idx3");
    GAN_CHECK(png || npy || idx, a.out, ": unknown output type (use .png, .npy, or .idx / -idx3-ubyte)");
    GAN_CHECK(a.bn == "auto" || a.bn == "batch" || a.bn == "running", "--bn must be auto, batch or running");
    GAN_CHECK(a.precision == "f32" || a.precision == "bf16", "--precision must be f32 or bf16 (got ", a.precision, ")");
}

// --class: the index of the class it names (by the name a conditional run stored, an image folder's
// subfolder, or by number); -1 when it is not given.
int chosen_class(const SampleArgs& a, const gan::LoadedModel& loaded) {
    if (a.cls.empty()) return -1;
    const gan::ModelConfig& c = loaded.model->config;
    GAN_CHECK(c.conditional, loaded.path, ": this generator is not conditional, so it cannot draw a chosen class ",
              "(train one with `gan train --conditional`)");
    for (size_t i = 0; i < c.class_names.size(); ++i)
        if (c.class_names[i] == a.cls) return int(i);
    char* end = nullptr;
    const long v = std::strtol(a.cls.c_str(), &end, 10);
    if (end != a.cls.c_str() && *end == '\0' && v >= 0 && v < c.num_classes) return int(v);
    std::string names;
    bool numbered = true;  // MNIST's classes are named by their numbers
    for (size_t i = 0; i < c.class_names.size(); ++i) {
        names += (i ? ", " : "") + c.class_names[i];
        numbered = numbered && c.class_names[i] == std::to_string(i);
    }
    const std::string numbers = gan::str("0 to ", c.num_classes - 1);
    GAN_CHECK(false, "--class ", a.cls, ": not a class of ", loaded.path, "; its classes are ",
              names.empty() || numbered ? numbers : names + " (or their numbers, " + numbers + ")");
    return -1;
}

// The flags against the loaded generator and each other.
void check_sample_choices(const SampleArgs& a, const gan::LoadedModel& loaded) {
    const gan::ModelConfig& c = loaded.model->config;
    const bool want_labels = a.digit >= 0 || a.grid_by_class;
    GAN_CHECK(!want_labels || c.conditional, loaded.path, ": this generator is not conditional, so it cannot draw a ",
              "chosen digit (train one with `gan train --conditional`)");
    GAN_CHECK(a.z_file.empty() || a.save_z.empty(), "--save-z writes the latents sample draws; with --z there are "
              "none to write (the latents are already in ", a.z_file, ")");
    GAN_CHECK(a.labels_file.empty() || !want_labels, "--labels gives every image's class: it cannot be combined with ",
              a.digit >= 0 ? "--class (--digit)" : "--grid-by-class");
    GAN_CHECK(a.z_file.empty() || !a.grid_by_class, "--grid-by-class draws its own latents: it cannot be combined with --z");
}

// --z: the user's own latents, float32 (N, z_dim), one image each; sets *total to N.
gan::NpyF32 read_given_z(const SampleArgs& a, const gan::ModelConfig& c, int* total) {
    gan::NpyF32 given_z = gan::npy_read_f32(a.z_file);
    const auto& s = given_z.shape;
    GAN_CHECK(s.size() == 2 && s[1] == c.z_dim && s[0] >= 1 && s[0] <= 10000000, a.z_file,
              ": latents must be float32 of shape (N, ", c.z_dim, ") with N in [1, 10000000] for this generator; "
              "the file holds ", npy_shape(s));
    GAN_CHECK(!a.n_option->count() || a.n == s[0], a.z_file, ": holds ", s[0], " latents but --n is ", a.n);
    *total = int(s[0]);
    return given_z;
}

// Every image's class (empty: unconditional draws): --labels, --digit or --grid-by-class. --labels
// without --z or --n sets *total.
std::vector<int> sample_labels(const SampleArgs& a, const gan::LoadedModel& loaded, int* total) {
    const gan::ModelConfig& c = loaded.model->config;
    std::vector<int> labels;
    if (!a.labels_file.empty()) {
        // --labels: int (N) in [0, K): as many as the latents or --n.
        GAN_CHECK(c.conditional, loaded.path, ": this generator is not conditional, so --labels cannot choose classes");
        const gan::NpyI64 l = gan::npy_read_int(a.labels_file);
        GAN_CHECK(l.shape.size() == 1 && l.shape[0] >= 1 && l.shape[0] <= 10000000, a.labels_file,
                  ": labels must be integers of shape (N,); the file holds ", npy_shape(l.shape));
        if (a.z_file.empty() && !a.n_option->count()) *total = int(l.shape[0]);
        GAN_CHECK(l.shape[0] == *total, a.labels_file, ": holds ", l.shape[0], " labels but there are ", *total,
                  a.z_file.empty() ? " images (--n)" : gan::str(" latents in ", a.z_file));
        for (size_t i = 0; i < l.data.size(); ++i)
            GAN_CHECK(l.data[i] >= 0 && l.data[i] < c.num_classes, a.labels_file, ": label ", l.data[i], " at index ",
                      i, " is not in [0, ", c.num_classes, ")");
        labels.assign(l.data.begin(), l.data.end());
    }
    if (a.digit >= 0) labels.assign(size_t(*total), a.digit);
    if (a.grid_by_class)
        for (int i = 0; i < *total; ++i) labels.push_back(i / a.n);
    return labels;
}

// The images: a PNG grid, or .npy / IDX streamed to the temp file in blocks so that memory stays
// flat however large --n is, then renamed.
void write_samples(const SampleArgs& a, gan::GanModel& model, int total, gan::Latents& latents, const int* lab,
                   bool batch_stats, gan::SamplePrecision precision) {
    const gan::ModelConfig& c = model.config;
    if (ends_with(a.out, ".png")) {
        std::vector<uint8_t> px;
        gan::gan_generate(model, total, latents, px, lab, batch_stats, precision);
        int cols = a.cols > 0 ? a.cols : a.grid_by_class ? a.n : int(std::ceil(std::sqrt(double(total))));
        gan::png_write_image(a.out, gan::image_grid_planar(px.data(), total, c.channels, c.rows, c.cols, cols, 1,
                                                           a.scale));
        return;
    }
    const bool npy = ends_with(a.out, ".npy");
    GAN_CHECK(npy || c.channels == 1, a.out, ": IDX files hold gray images and this generator makes ", c.channels,
              "-channel ones (write .npy or .png)");
    // .npy: (N, H, W) for gray, (N, H, W, 3) for colour (NumPy's and PIL's layout).
    std::vector<int64_t> shape = {total, c.rows, c.cols};
    if (c.channels != 1) shape.push_back(c.channels);
    gan::AtomicFile f(a.out);
    const std::vector<uint8_t> head = npy ? gan::npy_header_u8(a.out, shape)
                                          : gan::idx_header_images(a.out, total, c.rows, c.cols);
    f.write(head.data(), head.size());
    gan::gan_generate_blocks(model, total, latents, lab, batch_stats, precision, 64000,
                             [&](const uint8_t* p, int count) {
                                 const std::vector<uint8_t> hwc =
                                     gan::planar_to_interleaved(p, size_t(count), c.channels, c.rows, c.cols);
                                 f.write(hwc.data(), hwc.size());
                             });
    f.commit();
}

int run_sample(SampleArgs& a) {
    check_sample_flags(a);
    gan::LoadedModel loaded = gan::checkpoint_load_model(a.checkpoint);
    a.digit = chosen_class(a, loaded);
    const gan::ModelConfig& c = loaded.model->config;
    check_sample_choices(a, loaded);
    gan::NpyF32 given_z;
    int total = a.grid_by_class ? a.n * c.num_classes : a.n;  // --grid-by-class: --n per class, a row each
    if (!a.z_file.empty()) given_z = read_given_z(a, c, &total);
    const std::vector<int> labels = sample_labels(a, loaded, &total);
    // Batch-norm generators: a chunk of one class has other batch statistics than training's mixed
    // batches, so chosen digits use the running statistics unless --bn batch says otherwise; so do
    // latents given or saved (--z, --save-z): each image then depends on its own z alone, and matches
    // what `gan export`'s ONNX model (eval-mode batch norm) draws for it.
    const bool want_labels = a.digit >= 0 || a.grid_by_class;
    const bool own_z = !a.z_file.empty() || !a.save_z.empty();
    const bool batch_stats = a.bn == "batch" || (a.bn == "auto" && !want_labels && labels.empty() && !own_z);
    gan::Rng rng(a.seed, 7);
    gan::Latents latents{.rng = &rng, .given = a.z_file.empty() ? nullptr : given_z.data.data(), .observe = {}};
    // --save-z: the latents of the images, streamed to their own temp file as drawn, committed with the images.
    std::unique_ptr<gan::AtomicFile> z_out;
    if (!a.save_z.empty()) {
        z_out = std::make_unique<gan::AtomicFile>(a.save_z);
        const std::vector<uint8_t> head = gan::npy_header_f32(a.save_z, {total, c.z_dim});
        z_out->write(head.data(), head.size());
        latents.observe = [&](const float* z, int count) { z_out->write(z, size_t(count) * size_t(c.z_dim) * 4); };
    }
    const auto precision = a.precision == "bf16" ? gan::SamplePrecision::bf16 : gan::SamplePrecision::f32;
    write_samples(a, *loaded.model, total, latents, labels.empty() ? nullptr : labels.data(), batch_stats, precision);
    if (z_out) z_out->commit();
    std::printf("wrote %d images from %s to %s\n", total, loaded.path.c_str(), a.out.c_str());
    if (z_out) std::printf("wrote their latents, float32 (%d, %d), to %s\n", total, c.z_dim, a.save_z.c_str());
    return 0;
}

}  // namespace

Run add_sample(CLI::App& app) {
    auto a = std::make_shared<SampleArgs>();
    add_checkpoint_flag(app, a->checkpoint);
    a->n_option = app.add_option("--n,-n", a->n, "Number of images (default: as many as --z's latents or --labels)")
                      ->capture_default_str();
    app.add_option("--out,-o", a->out,
                   "Output: .png (grid; RGB for colour models), .npy (uint8 N x H x W; N x H x W x 3 for colour) "
                   "or .idx (IDX images; gray models only)")
        ->required();
    app.add_option("--seed", a->seed, "Seed of the latent draws")->capture_default_str();
    app.add_option("--cols", a->cols, "Grid columns for .png (default: square)")->check(CLI::Range(0, 10000000));
    app.add_option("--scale", a->scale, "Nearest-neighbour upscale of the .png grid")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    app.add_option("--class,--digit", a->cls, "Conditional models: draw only this class, by its name (an image "
                                              "folder's subfolder, MNIST's digit) or number");
    app.add_flag("--grid-by-class", a->grid_by_class,
                 "Conditional models: --n images of every class, one row per class");
    app.add_option("--bn", a->bn, "Batch-norm generators: batch statistics per chunk of 100 (batch), running "
                                  "statistics (running), or auto (batch, but running for chosen digits, --labels, --z and --save-z)")
        ->capture_default_str();
    app.add_option("--precision", a->precision,
                   "f32, or bf16: the classic MLP's second layer in bfloat16 on CPUs with AVX512_BF16 (faster "
                   "there, BENCHMARKS.md; same latents, pixels within a few levels of f32)")
        ->capture_default_str();
    app.add_option("--z", a->z_file,
                   "Your own latents instead of drawn ones: a float32 .npy of shape (N, z_dim), one image each "
                   "(batch norm then uses the running statistics unless --bn batch)");
    app.add_option("--labels", a->labels_file,
                   "Conditional models: each image's class, an integer .npy of shape (N,) with values in [0, K)");
    app.add_option("--save-z", a->save_z, "Also write the latents drawn, float32 .npy (N, z_dim), for --z later "
                                          "(batch norm then uses the running statistics unless --bn batch)");
    return [a] { return run_sample(*a); };
}

}  // namespace gan_cli
