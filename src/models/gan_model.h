// A GAN model: generator and discriminator over their own arenas, plus the configuration that
// rebuilds it (stored in checkpoint metadata, so `gan sample` needs nothing but the file).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "nn/sequential.h"

namespace gan {

struct ModelConfig {
    std::string arch = "mlp";       // "mlp": the classic system of DESIGN.md §1
    int z_dim = 100;                // latent size
    int hidden = 128;               // hidden units of G and D (mlp)
    int channels = 1, rows = 28, cols = 28;
    float alpha = 0.01f;            // LeakyReLU slope
    std::string latent = "uniform"; // z ~ U(-1,1)^z_dim ("uniform") or N(0,1) ("normal")

    int image_size() const { return channels * rows * cols; }
    std::map<std::string, std::string> to_metadata() const;
    // Throws gan::Error naming `source` when a key is missing or malformed.
    static ModelConfig from_metadata(const std::map<std::string, std::string>& meta, const std::string& source);
};

struct GanModel {
    ModelConfig config;
    Sequential g{"generator"}, d{"discriminator"};
};

// Builds the model for config.arch and checks every layer's shapes. Weights are zero until init.
std::unique_ptr<GanModel> gan_build(const ModelConfig& config);
// The architecture's own initialisation (mlp: Glorot-uniform weights, zero biases, as TF's dense).
void gan_init(GanModel& model, Rng& rng);
// Fills z (n, z_dim) from the configured latent distribution.
void sample_latent(Tensor& z, int n, const ModelConfig& config, Rng& rng);
// G's output in [-1, 1] -> uint8 pixels round((y + 1) * 127.5), clamped: n * image_size() bytes.
void to_pixels(uint8_t* out, const float* y, size_t count);

// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng);

}  // namespace gan

namespace gan {
// Draws n images from G with latents from rng, in chunks: n * image_size() uint8 pixels.
void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels);
}  // namespace gan
