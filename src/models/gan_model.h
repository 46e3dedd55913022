// A GAN model: generator and discriminator over their own arenas, plus the configuration that
// rebuilds it (stored in checkpoint metadata, so `gan sample` needs nothing but the file).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "models/config.h"
#include "nn/sequential.h"

namespace gan {

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

// The tensors the training step feeds (n images; labels in [0, K)):
//   G: g_input_shape = (n, z_dim [+ K], 1, 1).  D: d_input_shape = (n, C [+ K], H, W) for dcgan,
//   (n, C, H, W) or, with "concat", (n, C·H·W + K, 1, 1) for mlp.  D's output: (n, d_outputs, 1, 1).
Shape g_input_shape(const ModelConfig& config, int n);
Shape d_input_shape(const ModelConfig& config, int n);
int d_outputs(const ModelConfig& config);  // 1, or 1 + K for "proj" / "acgan"
// gin = [z, one_hot(labels)] per sample (a copy of z when the model is unconditional).
void make_g_input(Tensor& gin, const Tensor& z, const int* labels, const ModelConfig& config);
// din = D's input for images x (n, C, H, W): [x, one-hot planes] for "concat", else a copy of x.
void make_d_input(Tensor& din, const Tensor& x, const int* labels, const ModelConfig& config);
// The image part of a gradient at D's input: dx (n, C, H, W) from ddin (d_input_shape).
void d_input_grad_to_image(Tensor& dx, const Tensor& ddin, const ModelConfig& config);
// "proj": logit[i] = out[i, 0] + out[i, 1 + labels[i]] for D's output out (n, 1 + K, 1, 1), and back:
// dout (n, 1 + K, 1, 1) = dlogit scattered onto those two entries (zero elsewhere).
void proj_logits(float* logit, const Tensor& out, const int* labels, int num_classes);
void proj_logits_backward(Tensor& dout, const float* dlogit, const int* labels, int num_classes);

// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng);

}  // namespace gan

namespace gan {
// Draws n images from G with latents from rng, in chunks: n * image_size() uint8 pixels.
// Conditional models draw image i of class labels[i] (labels null: class i % K).
// Models with batch norm (dcgan): bn_batch_stats = true samples as PyTorch's C++ DCGAN example does,
// with G in train-mode BN (each chunk of 100 normalised by its own statistics), then restores the
// running statistics, so sampling never changes the model; false uses the running statistics
// (PyTorch's eval mode). Batch statistics of a chunk whose labels are all one class differ from training's class-mixed batches: prefer false for single-class conditional draws.
// precision bf16 (the unconditional classic MLP only, on CPUs with AVX512_BF16): G's second layer as
// a bfloat16 GEMM (kernels/gemm_bf16.h), about twice the multiply-adds per cycle; the same latents as
// f32, pixels within a bound of the f32 ones (gan_model_test, docs/metrics.md), never used in training.
enum class SamplePrecision { f32, bf16 };
void gan_generate(GanModel& model, int n, Rng& rng, std::vector<uint8_t>& pixels, const int* labels = nullptr,
                  bool bn_batch_stats = true, SamplePrecision precision = SamplePrecision::f32);

// Where a gan_generate call's latents come from: drawn from *rng (image i gets the i-th z_dim values of the
// stream whatever the chunking, as sample_latent draws them), or the caller's own, `given` (n × z_dim floats,
// row i for image i: `gan sample --z`). `observe`, when set, sees the latents of each chunk (count × z_dim
// floats) in image order just before G runs on them: `gan sample --save-z` writes them out.
struct Latents {
    Rng* rng = nullptr;
    const float* given = nullptr;
    std::function<void(const float* z, int count)> observe;
};
void gan_generate(GanModel& model, int n, const Latents& latents, std::vector<uint8_t>& pixels,
                  const int* labels = nullptr, bool bn_batch_stats = true,
                  SamplePrecision precision = SamplePrecision::f32);

// The images of the same gan_generate call, handed to sink(pixels, count) block by block (about
// block_images each, rounded to whole chunks of the generator's own), so memory stays bounded however
// many images are drawn: for writers that stream to a file.
void gan_generate_blocks(GanModel& model, int n, Rng& rng, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink);
void gan_generate_blocks(GanModel& model, int n, const Latents& latents, const int* labels, bool bn_batch_stats,
                         SamplePrecision precision, int block_images,
                         const std::function<void(const uint8_t* pixels, int count)>& sink);
}  // namespace gan
