// Initialisation: each architecture's own scheme, drawn from the Rng it is given.
#pragma once
#include <cstddef>

#include "core/rng.h"
#include "models/gan_model.h"

namespace gan {

// mlp: Glorot-uniform weights, zero biases (models/mlp.h); dcgan: N(0, 0.02) (models/dcgan.h).
void gan_init(GanModel& model, Rng& rng);
// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng);

}  // namespace gan
