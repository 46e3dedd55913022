#include "optim/adam.h"

#include <cmath>

namespace gan {

void adam_update(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o) {
    // Bias corrections in double, as Python computes them, then used as float scalars.
    const double bc1 = 1.0 - std::pow(double(o.beta1), double(t));
    const double bc2 = 1.0 - std::pow(double(o.beta2), double(t));
    const float step_size = float(double(o.lr) / bc1);
    const float bc2_sqrt = float(std::sqrt(bc2));
    const float b1 = o.beta1, b2 = o.beta2, a1 = float(1.0 - double(o.beta1)), a2 = float(1.0 - double(o.beta2));
    const float eps = o.eps;
    for (size_t i = 0; i < n; ++i) {
        float gi = g[i];
        float mi = b1 * m[i] + a1 * gi;
        float vi = b2 * v[i] + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * mi / (std::sqrt(vi) / bc2_sqrt + eps);
    }
}

Adam::Adam(Arena& params, AdamOptions o)
    : m(params.size(), 0.0f), v(params.size(), 0.0f), options(o), params_(params) {}

void Adam::step() {
    ++t;
    adam_update(params_.values().data(), params_.grads().data(), m.data(), v.data(), params_.size(), t,
                options);
}

}  // namespace gan
