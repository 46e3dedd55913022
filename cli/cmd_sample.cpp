// gan sample --checkpoint FILE|RUN_DIR --n N --out OUT [--seed S]
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
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
    int digit = -1;
    bool grid_by_class = false;
    std::string bn = "auto";
    std::string precision = "f32";
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_sample(const SampleArgs& a) {
    GAN_CHECK(a.n >= 1 && a.n <= 10000000, "--n must be in [1, 10000000] (got ", a.n, ")");
    const bool png = ends_with(a.out, ".png"), npy = ends_with(a.out, ".npy");
    const bool idx = ends_with(a.out, ".idx") || ends_with(a.out, "-ubyte") || ends_with(a.out, ".idx3");
    GAN_CHECK(png || npy || idx, a.out, ": unknown output type (use .png, .npy, or .idx / -idx3-ubyte)");
    GAN_CHECK(a.bn == "auto" || a.bn == "batch" || a.bn == "running", "--bn must be auto, batch or running");
    GAN_CHECK(a.precision == "f32" || a.precision == "bf16", "--precision must be f32 or bf16 (got ", a.precision, ")");
    gan::LoadedModel loaded = gan::checkpoint_load_model(a.checkpoint);
    const gan::ModelConfig& c = loaded.model->config;
    const bool want_labels = a.digit >= 0 || a.grid_by_class;
    GAN_CHECK(!want_labels || c.conditional, loaded.path, ": this generator is not conditional, so it cannot draw a ",
              "chosen digit (train one with `gan train --conditional`)");
    GAN_CHECK(a.digit < c.num_classes, "--digit must be in [0, ", c.num_classes - 1, "] (got ", a.digit, ")");
    // --grid-by-class: --n images per class, one row per class (image i of class i / n).
    const int total = a.grid_by_class ? a.n * c.num_classes : a.n;
    std::vector<int> labels;
    if (a.digit >= 0) labels.assign(size_t(total), a.digit);
    if (a.grid_by_class)
        for (int i = 0; i < total; ++i) labels.push_back(i / a.n);
    // Batch-norm generators: a chunk of one class has other batch statistics than training's mixed
    // batches, so chosen digits use the running statistics unless --bn batch says otherwise.
    const bool batch_stats = a.bn == "batch" || (a.bn == "auto" && !want_labels);
    gan::Rng rng(a.seed, 7);
    const int* lab = labels.empty() ? nullptr : labels.data();
    const auto precision = a.precision == "bf16" ? gan::SamplePrecision::bf16 : gan::SamplePrecision::f32;
    if (png) {
        std::vector<uint8_t> px;
        gan::gan_generate(*loaded.model, total, rng, px, lab, batch_stats, precision);
        int cols = a.cols > 0 ? a.cols : a.grid_by_class ? a.n : int(std::ceil(std::sqrt(double(total))));
        gan::GrayImage grid = gan::image_grid(px.data(), total, c.rows, c.cols, cols, 1, a.scale);
        gan::png_write_gray(a.out, grid.pixels.data(), grid.width, grid.height);
    } else {
        // .npy and IDX stream to the temp file in blocks of ~64k images (50 MB), then rename: memory stays
        // flat however large --n is.
        gan::AtomicFile f(a.out);
        const std::vector<uint8_t> head = npy ? gan::npy_header_u8(a.out, {total, c.rows, c.cols})
                                              : gan::idx_header_images(a.out, total, c.rows, c.cols);
        f.write(head.data(), head.size());
        const size_t img = size_t(c.image_size());
        gan::gan_generate_blocks(*loaded.model, total, rng, lab, batch_stats, precision, 64000,
                                 [&](const uint8_t* p, int count) { f.write(p, size_t(count) * img); });
        f.commit();
    }
    std::printf("wrote %d images from %s to %s\n", total, loaded.path.c_str(), a.out.c_str());
    return 0;
}

}  // namespace

Run add_sample(CLI::App& app) {
    auto a = std::make_shared<SampleArgs>();
    app.add_option("--checkpoint,-c", a->checkpoint, "Checkpoint file (generator or full state) or a run directory")
        ->required();
    app.add_option("--n,-n", a->n, "Number of images")->capture_default_str();
    app.add_option("--out,-o", a->out, "Output: .png (grid), .npy (uint8 N x 28 x 28) or .idx (IDX images)")
        ->required();
    app.add_option("--seed", a->seed, "Seed of the latent draws")->capture_default_str();
    app.add_option("--cols", a->cols, "Grid columns for .png (default: square)")->check(CLI::Range(0, 10000000));
    app.add_option("--scale", a->scale, "Nearest-neighbour upscale of the .png grid")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    app.add_option("--digit", a->digit, "Conditional models: draw only this digit")->check(CLI::Range(0, 255));
    app.add_flag("--grid-by-class", a->grid_by_class,
                 "Conditional models: --n images of every class, one row per class");
    app.add_option("--bn", a->bn, "Batch-norm generators: batch statistics per chunk of 100 (batch), running "
                                  "statistics (running), or auto (batch, but running for chosen digits)")
        ->capture_default_str();
    app.add_option("--precision", a->precision,
                   "f32, or bf16: the classic MLP's second layer in bfloat16 (CPUs with AVX512_BF16; ~1.7x the "
                   "images per second, same latents, pixels within a few levels of f32)")
        ->capture_default_str();
    return [a] { return run_sample(*a); };
}

}  // namespace gan_cli
