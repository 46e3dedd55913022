// The MNIST DCGAN of PyTorch's C++ `dcgan` example (Radford et al. 2016), exactly as the PyTorch models of
// tests/golden/reference_models.py, for 28×28 images of C channels:
//   G: z (B, Cz, 1, 1) → ConvT(Cz→256, k4 s1 p0) 4×4 → BN ReLU → ConvT(256→128, k3 s2 p1) 7×7 → BN ReLU
//      → ConvT(128→64, k4 s2 p1) 14×14 → BN ReLU → ConvT(64→C, k4 s2 p1) 28×28 → tanh
//   D: x (B, Cd, 28, 28) → Conv(Cd→64, k4 s2 p1) 14×14 → LeakyReLU → Conv(64→128, k4 s2 p1) 7×7 → BN LeakyReLU
//      → Conv(128→256, k4 s2 p1) 3×3 → BN LeakyReLU → Conv(256→Do, k3) 1×1
// No conv biases. Cz, Cd and Do come from the configuration (models/gan_model.h): Cz = z_dim (+ classes
// when conditional), Cd = C (+ classes for "concat" conditioning), Do = 1 (+ classes for "proj"/"acgan").
// The LeakyReLU slope is config.alpha (0.2 for the DCGAN: dcgan_config()).
// Layer indices, hence parameter names, follow nn.Sequential: generator.0.weight is the first ConvT,
// generator.1.{weight,bias,running_mean,running_var} its BN, ...; discriminator.3 / .6 are D's BNs.
#pragma once
#include "core/rng.h"
#include "models/gan_model.h"

namespace gan {

// The DCGAN defaults: arch "dcgan", z_dim 100 ~ N(0, 1), 1×28×28, LeakyReLU 0.2.
ModelConfig dcgan_config(bool conditional = false);
// Adds G's and D's layers to model.g and model.d (both empty) from model.config.
void dcgan_build(GanModel& model);
// DCGAN init: conv and transposed-conv weights N(0, 0.02), BN weight N(1, 0.02), BN bias 0, running
// statistics reset (mean 0, var 1). Draws G's layers, then D's, in order.
void dcgan_init(GanModel& model, Rng& rng);

}  // namespace gan
