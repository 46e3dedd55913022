// Initialisation: each architecture names its scheme (nn/layer.h InitScheme) and every layer draws its
// own parameters by it, in layer order, from the Rng it is given.
#pragma once
#include "core/rng.h"
#include "models/gan_model.h"

namespace gan {

// mlp: Glorot-uniform weights, zero biases (the tutorial's); dcgan: N(0, 0.02) weights, batch-norm
// weights N(1, 0.02), zero biases, running statistics reset (PyTorch's examples/dcgan).
InitScheme init_scheme(const ModelConfig& config);
void gan_init(GanModel& model, Rng& rng);

}  // namespace gan
