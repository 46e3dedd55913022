#include "nn/init.h"

#include <cmath>

namespace gan {

void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng) {
    const float a = std::sqrt(6.0f / float(fan_in + fan_out));
    for (size_t i = 0; i < n; ++i) w[i] = rng.uniform(-a, a);
}

void init_normal(float* w, size_t n, float mean, float std, Rng& rng) {
    for (size_t i = 0; i < n; ++i) w[i] = mean + std * rng.normal();
}

}  // namespace gan
