#include "models/init.h"

#include <cmath>

#include "models/dcgan.h"
#include "models/mlp.h"

namespace gan {

void init_glorot_uniform(float* w, size_t n, int fan_in, int fan_out, Rng& rng) {
    const float a = std::sqrt(6.0f / float(fan_in + fan_out));
    for (size_t i = 0; i < n; ++i) w[i] = rng.uniform(-a, a);
}

void gan_init(GanModel& model, Rng& rng) {
    if (model.config.arch == Arch::mlp)
        mlp_init(model, rng);
    else if (model.config.arch == Arch::dcgan)
        dcgan_init(model, rng);
}

}  // namespace gan
