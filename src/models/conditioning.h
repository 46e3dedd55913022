// Class conditioning (cGAN): the tensors the training step and the sampler feed G and D, n images with
// labels in [0, K):
//   G: g_input_shape = (n, z_dim [+ K], 1, 1): the one-hot label after z when conditional.
//   D: d_input_shape = (n, C [+ K], H, W) for dcgan, (n, C, H, W) or, with "concat", (n, C·H·W + K, 1, 1)
//      for mlp.  D's output: (n, d_outputs, 1, 1).
// The schemes of config.cond_d are described with ModelConfig (models/gan_model.h).
#pragma once
#include <cstddef>

#include "backend/backend.h"
#include "core/tensor.h"

namespace gan {

struct ModelConfig;

Shape g_input_shape(const ModelConfig& config, int n);
Shape d_input_shape(const ModelConfig& config, int n);
int d_outputs(const ModelConfig& config);  // 1, or 1 + K for "proj" / "acgan", 1 + 2K for "proj_ac"
bool d_input_adds_labels(const ModelConfig& config);  // "concat": D's input is more than the image
bool has_projection_head(const ModelConfig& config);   // "proj" / "proj_ac"
// The first of D's K class-logit outputs (acgan: 1, proj_ac: 1 + K), or -1 when D has no classifier.
int class_logits_column(const ModelConfig& config);

// Each computes on `be` (the tensors are in its memory; labels on the host), the host's by default.
// gin = [z, one_hot(labels)] per sample (a copy of z when the model is unconditional).
void make_g_input(Tensor& gin, const Tensor& z, const int* labels, const ModelConfig& config,
                  Backend& be = host_backend());
// din = D's input for images x (n, C, H, W): [x, one-hot planes] for "concat", else a copy of x.
void make_d_input(Tensor& din, const Tensor& x, const int* labels, const ModelConfig& config,
                  Backend& be = host_backend());
// The same into rows [row, row + n) of din, already shaped d_input_shape(config, >= row + n).
void write_d_input(Tensor& din, size_t row, const Tensor& x, const int* labels, const ModelConfig& config,
                   Backend& be = host_backend());
// The image part of a gradient at D's input: dx (n, C, H, W) from ddin (d_input_shape).
void d_input_grad_to_image(Tensor& dx, const Tensor& ddin, const ModelConfig& config, Backend& be = host_backend());
// "proj": logit[i] = out[i, 0] + out[i, 1 + labels[i]] for D's output out (n, 1 + K, 1, 1), and back:
// dout (n, 1 + K, 1, 1) = dlogit scattered onto those two entries (zero elsewhere).
void proj_logits(float* logit, const Tensor& out, const int* labels, int num_classes, Backend& be = host_backend());
void proj_logits_backward(Tensor& dout, const float* dlogit, const int* labels, int num_classes,
                          Backend& be = host_backend());

}  // namespace gan
