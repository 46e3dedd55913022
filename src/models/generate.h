// Drawing images from G: latents, the generator's forward in chunks, pixels.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "backend/backend.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace gan {

struct ModelConfig;
struct GanModel;

// Fills z (n, z_dim) from the configured latent distribution.
void sample_latent(Tensor& z, int n, const ModelConfig& config, Rng& rng);
// G's output in [-1, 1] (the backend's memory) -> uint8 pixels round((y + 1) * 127.5), clamped: n *
// image_values() bytes on the host.
void to_pixels(uint8_t* out, const float* y, size_t count, Backend& be = host_backend());

// f32: G in float, an absorbed tanh by tanh_fast (Precision::fast, nn/layer.h). bf16: G's layers after
// the first (which reads the latents, so every image keeps its z) as bfloat16 GEMMs where they support
// it (the CPU backend's, on CPUs with AVX512_BF16): about twice the multiply-adds per cycle, pixels
// within a bound of the f32 ones (gan_model_test, docs/metrics.md); never used in training.
enum class SamplePrecision { f32, bf16 };

// Where a gan_generate call's latents come from: drawn from *rng (image i gets the i-th z_dim values of the
// stream whatever the chunking, as sample_latent draws them), or the caller's own, `given` (n × z_dim floats,
// row i for image i: `gan sample --z`). `observe`, when set, sees the latents of each chunk (count × z_dim
// floats) in image order just before G runs on them: `gan sample --save-z` writes them out.
struct Latents {
    Rng* rng = nullptr;
    const float* given = nullptr;
    std::function<void(const float* z, int count)> observe;
};

// Draws n images from G, in chunks: n * image_values() uint8 pixels. Conditional models draw image i of
// class labels[i] (labels null: class i % K). Models with batch norm (dcgan): bn_batch_stats = true
// samples as PyTorch's C++ DCGAN example does, with G in train-mode BN (each chunk of 100 normalised by
// its own statistics), then restores the running statistics, so sampling never changes the model;
// false uses the running statistics (PyTorch's eval mode). Batch statistics of a chunk whose labels are
// all one class differ from training's class-mixed batches: prefer false for single-class draws.
void gan_generate(GanModel& model, int n, const Latents& latents, std::vector<uint8_t>& pixels,
                  const int* labels = nullptr, bool bn_batch_stats = true,
                  SamplePrecision precision = SamplePrecision::f32);
void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels, const int* labels = nullptr,
                  bool bn_batch_stats = true, SamplePrecision precision = SamplePrecision::f32);
// G's output values themselves, in [-1, 1], for the same draw (f32): n * image_values() floats on the
// host, CHW per image; gan_generate's pixels are these rounded (to_pixels). For the Python module's g(z).
void gan_generate_values(GanModel& model, int n, const Latents& latents, std::vector<float>& values,
                         const int* labels = nullptr, bool bn_batch_stats = true);

// The images of the same gan_generate call, handed to sink(pixels, count) block by block (about
// block_images each, rounded to whole chunks of the generator's own), so memory stays bounded however
// many images are drawn: for writers that stream to a file.
void gan_generate_blocks(GanModel& model, int n, const Latents& latents, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink);
void gan_generate_blocks(GanModel& model, int n, Rng& rng, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink);

}  // namespace gan
