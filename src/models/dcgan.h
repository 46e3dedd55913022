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
// At 64x64 and 32x32 it is the model of PyTorch's examples/dcgan/main.py (widths from config.ngf, ndf):
//   G: ConvT(Cz→8·ngf, k4 s1 p0) 4×4 → BN ReLU → ConvT(→4·ngf, k4 s2 p1) 8×8 → BN ReLU → 2·ngf 16×16
//      → ngf 32×32 → ConvT(ngf→C, k4 s2 p1) 64×64 → tanh
//   D: Conv(Cd→ndf, k4 s2 p1) 32×32 → LeakyReLU → Conv(→2·ndf) 16×16 → BN LeakyReLU → 4·ndf 8×8 → 8·ndf 4×4
//      → Conv(8·ndf→Do, k4 s1 p0) 1×1
// and at 32x32 one stage fewer on each side (G from 4·ngf, D up to 4·ndf). The layer names are
// gan.cpp's (generator.N), not yet the example's (main.N).
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
