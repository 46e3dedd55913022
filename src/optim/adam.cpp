#include "optim/adam.h"

#include <cmath>

namespace gan {

AdamStep adam_scalars(int64_t t, const AdamOptions& o) {
    // Bias corrections in double, as Python computes them, then used as float scalars.
    const double bc1 = 1.0 - std::pow(double(o.beta1), double(t));
    const double bc2 = 1.0 - std::pow(double(o.beta2), double(t));
    AdamStep k;
    k.step_size = float(double(o.lr) / bc1);
    k.bc2_sqrt = float(std::sqrt(bc2));
    k.b1 = o.beta1, k.b2 = o.beta2;
    k.a1 = float(1.0 - double(o.beta1)), k.a2 = float(1.0 - double(o.beta2));
    k.eps = o.eps;
    return k;
}

Adam::Adam(Arena& params, AdamOptions o)
    : m(params.size(), 0.0f), v(params.size(), 0.0f), options(o), params_(params) {}

void Adam::step(Backend& be) {
    ++t;
    be.adam_update(params_.values_device(), params_.grads_device(), m.device(), v.device(), params_.size(),
                   adam_scalars(t, options));
}

void Adam::place(Memory& mem) { place_all(mem, m, v); }
void Adam::download() { download_all(m, v); }
void Adam::upload() { upload_all(m, v); }

}  // namespace gan
