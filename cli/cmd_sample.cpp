// gan sample --checkpoint FILE|RUN_DIR --n N --out OUT [--seed S]
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
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
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_sample(const SampleArgs& a) {
    GAN_CHECK(a.n >= 1 && a.n <= 10000000, "--n must be in [1, 10000000] (got ", a.n, ")");
    const bool png = ends_with(a.out, ".png"), npy = ends_with(a.out, ".npy");
    const bool idx = ends_with(a.out, ".idx") || ends_with(a.out, "-ubyte") || ends_with(a.out, ".idx3");
    GAN_CHECK(png || npy || idx, a.out, ": unknown output type (use .png, .npy, or .idx / -idx3-ubyte)");
    gan::LoadedModel loaded = gan::checkpoint_load_model(a.checkpoint);
    const gan::ModelConfig& c = loaded.model->config;
    gan::Rng rng(a.seed, 7);
    std::vector<uint8_t> px;
    gan::gan_generate(*loaded.model, a.n, rng, px);
    if (png) {
        int cols = a.cols > 0 ? a.cols : int(std::ceil(std::sqrt(double(a.n))));
        gan::GrayImage grid = gan::image_grid(px.data(), a.n, c.rows, c.cols, cols, 1, a.scale);
        gan::png_write_gray(a.out, grid.pixels.data(), grid.width, grid.height);
    } else if (npy) {
        gan::npy_write_u8(a.out, px.data(), {a.n, c.rows, c.cols});
    } else {
        gan::idx_write_images(a.out, px.data(), a.n, c.rows, c.cols);
    }
    std::printf("wrote %d images from %s to %s\n", a.n, loaded.path.c_str(), a.out.c_str());
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
    app.add_option("--cols", a->cols, "Grid columns for .png (default: square)");
    app.add_option("--scale", a->scale, "Nearest-neighbour upscale of the .png grid")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    return [a] { return run_sample(*a); };
}

}  // namespace gan_cli
