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
// and at 32x32 one stage fewer on each side (G from 4·ngf, D up to 4·ndf). These two are named as the
// example's state dicts: G's main.0.weight, main.1.{weight,bias,running_mean,running_var}, ... (netG's
// own names, so a netG state dict saved by the example loads as it is), D's netD.main.N (its netD's
// under a prefix, since a training state holds both); batch norm's num_batches_tracked is not kept.
// The 28x28 model keeps generator.N / discriminator.N.
// With config.spectral_norm, D has no batch norm (as SNGAN's discriminators, Miyato et al. 2018): the
// normalisation bounds each layer's Lipschitz constant by itself, and batch norm's division by a batch's
// deviation would undo that bound (and mix the samples of a batch, which differentiable augmentation
// and the stacked [fake; real] pass of train/gan_step.h want independent); D's layers then follow one
// another without the BN entries (netD.main.0, .1 LeakyReLU, .2 Conv, ...).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/rng.h"
#include "models/gan_model.h"

namespace gan {

inline constexpr const char* kExampleGPrefix = "main";
inline constexpr const char* kExampleDPrefix = "netD.main";

// Tensor names and shapes, as a file holds them.
using TensorShapes = std::map<std::string, std::vector<int64_t>>;
// Whether the tensors name the example's netG (main.0.weight).
bool is_example_netg(const TensorShapes& shapes);
// The configuration of the example's netG from its state dict's shapes alone (a file without gan.cpp's
// metadata): nz and ngf from main.0.weight (nz, ngf·8 or ngf·4, 4, 4), 64x64 with five transposed
// convolutions (main.0, .3, .6, .9, .12) or 32x32 with four, nc from the last (ngf, nc, 4, 4); ndf = ngf.
// Throws gan::Error naming source when the shapes are not those of the example's netG.
ModelConfig dcgan_example_config(const TensorShapes& shapes, const std::string& source);

// The DCGAN defaults: arch "dcgan", z_dim 100 ~ N(0, 1), 1×28×28, LeakyReLU 0.2.
ModelConfig dcgan_config(bool conditional = false);
// Adds G's and D's layers to model.g and model.d (both empty) from model.config.
void dcgan_build(GanModel& model);

}  // namespace gan
