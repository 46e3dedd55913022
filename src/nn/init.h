// The draws behind the layers' initialisation schemes (nn/layer.h InitScheme), on host arrays.
#pragma once
#include <cstddef>

#include "core/rng.h"

namespace gan {

// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng);
// mean + std·N(0, 1), one normal() per element in order.
void init_normal(float* w, size_t n, float mean, float std, Rng& rng);

}  // namespace gan
