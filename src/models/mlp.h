// The classic tutorial GAN (docs/classic_gan.md), for images of any size and channel count:
//   G: z -> Linear(z [+ K], hidden) -> LeakyReLU(alpha) -> Linear(hidden, C·H·W) -> tanh
//   D: x -> Linear(C·H·W [+ K], hidden) -> LeakyReLU(alpha) -> Linear(hidden, d_outputs)
// Layer indices, hence parameter names, follow nn.Sequential (generator.0.weight, generator.2.bias, ...).
#pragma once
#include "core/rng.h"
#include "models/gan_model.h"

namespace gan {

// Adds G's and D's layers to model.g and model.d (both empty) from model.config.
void mlp_build(GanModel& model);
// Glorot-uniform weights and zero biases for every Linear layer (TF's dense), G's layers then D's.

}  // namespace gan
