#include "optim/adam.h"

#include "kernels/parallel.h"

#include <cmath>

#include "core/cpu.h"
#ifdef GAN_X86_KERNELS
#include "optim/adam_avx2.h"
#endif

namespace gan {

AdamScalars adam_scalars(int64_t t, const AdamOptions& o) {
    // Bias corrections in double, as Python computes them, then used as float scalars.
    const double bc1 = 1.0 - std::pow(double(o.beta1), double(t));
    const double bc2 = 1.0 - std::pow(double(o.beta2), double(t));
    AdamScalars k;
    k.step_size = float(double(o.lr) / bc1);
    k.bc2_sqrt = float(std::sqrt(bc2));
    k.b1 = o.beta1, k.b2 = o.beta2;
    k.a1 = float(1.0 - double(o.beta1)), k.a2 = float(1.0 - double(o.beta2));
    k.eps = o.eps;
    return k;
}

namespace {
// The update of elements [i, n), one at a time. The two moment updates are fused multiply-adds,
// m = fma(β1, m, (1-β1)·g) and v = fma(β2, v, ((1-β2)·g)·g), written out so that every CPU and
// every build computes the same bits (the vector kernel fuses exactly these).
void adam_scalar(float* p, const float* g, float* m, float* v, size_t i, size_t n, const AdamScalars& k) {
    for (; i < n; ++i) {
        const float gi = g[i];
        const float mi = std::fma(k.b1, m[i], k.a1 * gi);
        const float vi = std::fma(k.b2, v[i], k.a2 * gi * gi);
        m[i] = mi;
        v[i] = vi;
        p[i] -= k.step_size * mi / (std::sqrt(vi) / k.bc2_sqrt + k.eps);
    }
}
}  // namespace

void adam_update_naive(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o) {
    adam_scalar(p, g, m, v, 0, n, adam_scalars(t, o));
}

void adam_update(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o) {
    const AdamScalars k = adam_scalars(t, o);
    size_t i = 0;
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) i = adam_update_avx2(p, g, m, v, n, k);
#endif
    adam_scalar(p, g, m, v, i, n, k);
}

Adam::Adam(Arena& params, AdamOptions o)
    : m(params.size(), 0.0f), v(params.size(), 0.0f), options(o), params_(params) {}

void Adam::step() { step(nullptr); }

void Adam::step(ThreadPool* pool) {
    ++t;
    float *p = params_.values().data(), *mm = m.data(), *vv = v.data();
    const float* g = params_.grads().data();
    parallel_for(pool, params_.size(), 64, 1 << 14, [&](size_t b, size_t e) {
        adam_update(p + b, g + b, mm + b, vv + b, e - b, t, options);
    });
}

}  // namespace gan
