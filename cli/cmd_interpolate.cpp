// gan interpolate --checkpoint F --steps N --out walk.gif [--seed S] [--points K] [--walks W]
//
// A closed, looping walk through latent space: K random latent points per walk, visited in turn
// and back to the first, N frames per segment. Points are joined by spherical interpolation
// (slerp, White 2016, "Sampling Generative Networks"): random latents in many dimensions are
// nearly orthogonal and of similar length, and slerp keeps the length along the way where a
// straight line would pass through short, atypical vectors near the middle; --linear gives the
// straight line. Time along each segment is eased, (1 - cos(pi t)) / 2, so the walk slows down at
// the K points and each shows as a clear digit. Each frame is a row of W independent walks: a gray
// GIF for a one-channel model, a colour one (gif.h's fixed palette) for an RGB model.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "flags.h"
#include "io/gif.h"
#include "io/png.h"
#include "train/checkpoint.h"

namespace gan_cli {

namespace {

struct InterpolateArgs {
    std::string checkpoint, out;
    int steps = 24, points = 4, walks = 8, scale = 2, delay = 6;
    uint64_t seed = 0;
    bool linear = false;
};

// out = the point a fraction t of the way from a to b along the great circle between them (with
// the lengths interpolated linearly), or along the straight line when linear or a, b are parallel.
void interpolate(float* out, const float* a, const float* b, int n, double t, bool linear) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
    const double cos_omega = (aa > 0 && bb > 0) ? std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0) : 1.0;
    const double omega = std::acos(cos_omega), s = std::sin(omega);
    double wa = 1 - t, wb = t;
    if (!linear && s > 1e-6) wa = std::sin((1 - t) * omega) / s, wb = std::sin(t * omega) / s;
    for (int i = 0; i < n; ++i) out[i] = float(wa * a[i] + wb * b[i]);
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int run_interpolate(const InterpolateArgs& a) {
    GAN_CHECK(ends_with(a.out, ".gif"), a.out, ": the output must be a .gif file");
    GAN_CHECK(int64_t(a.steps) * a.points <= 10000, "--steps x --points is ", int64_t(a.steps) * a.points,
              " frames; at most 10000");
    gan::LoadedModel loaded = gan::checkpoint_load_model(a.checkpoint);
    gan::GanModel& model = *loaded.model;
    const gan::ModelConfig& c = model.config;
    const int W = a.walks, Z = c.z_dim;

    gan::Rng rng(a.seed, 11);
    gan::Tensor keys;  // (points * walks, z_dim): point p of walk w at row p * walks + w
    gan::sample_latent(keys, a.points * W, c, rng);

    gan::Tensor z({W, Z, 1, 1});
    std::vector<uint8_t> px(size_t(W) * size_t(c.image_values()));
    std::vector<gan::GifImageFrame> frames;
    gan::ModeScope eval(model.g, {.training = false});
    for (int p = 0; p < a.points; ++p) {
        const int q = (p + 1) % a.points;  // back to the first point: the GIF loops seamlessly
        for (int i = 0; i < a.steps; ++i) {
            const double t = (1 - std::cos(std::numbers::pi * i / a.steps)) / 2;
            for (int w = 0; w < W; ++w)
                interpolate(z.data() + size_t(w) * Z, keys.data() + size_t(p * W + w) * Z,
                            keys.data() + size_t(q * W + w) * Z, Z, t, a.linear);
            const gan::Tensor& y = model.g.forward(z);
            gan::to_pixels(px.data(), y.data(), y.size());
            frames.push_back({gan::image_grid_planar(px.data(), W, c.channels, c.rows, c.cols, W, 1, a.scale), a.delay});
        }
    }
    gan::gif_write_image(a.out, frames, 0);
    std::printf("wrote %s: %zu frames (%d points x %d steps, %s), %d walks, %dx%d, from %s\n", a.out.c_str(),
                frames.size(), a.points, a.steps, a.linear ? "linear" : "slerp", W, frames[0].image.width,
                frames[0].image.height, loaded.path.c_str());
    return 0;
}

}  // namespace

Run add_interpolate(CLI::App& app) {
    auto a = args_with_checkpoint_and_out<InterpolateArgs>(app, "Output .gif");
    app.add_option("--steps", a->steps, "Frames per segment between two latent points")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    app.add_option("--points", a->points, "Latent points per walk (a closed loop through them)")
        ->capture_default_str()
        ->check(CLI::Range(2, 100));
    app.add_option("--walks", a->walks, "Independent walks side by side in each frame")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    app.add_option("--seed", a->seed, "Seed of the latent points")->capture_default_str();
    app.add_option("--scale", a->scale, "Nearest-neighbour upscale of each frame")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    app.add_option("--delay", a->delay, "Time per frame in 1/100 s")->capture_default_str()->check(CLI::Range(0, 65535));
    app.add_flag("--linear", a->linear, "Straight lines between points instead of spherical interpolation");
    return [a] { return run_interpolate(*a); };
}

}  // namespace gan_cli
