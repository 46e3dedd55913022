#include "kernels/adam.h"

#include <cmath>

#include "core/cpu.h"
#ifdef GAN_X86_KERNELS
#include "kernels/adam_avx2.h"
#endif

namespace gan {

namespace {
// The update of elements [i, n), one at a time. The two moment updates are fused multiply-adds,
// m = fma(β1, m, (1-β1)·g) and v = fma(β2, v, ((1-β2)·g)·g), written out so that every CPU and
// every build computes the same bits (the vector kernel fuses exactly these).
void adam_scalar(float* p, const float* g, float* m, float* v, size_t i, size_t n, const AdamStep& k) {
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

void adam_update_naive(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) {
    adam_scalar(p, g, m, v, 0, n, k);
}

void adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) {
    size_t i = 0;
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) i = adam_update_avx2(p, g, m, v, n, k);
#endif
    adam_scalar(p, g, m, v, i, n, k);
}

void ema_update(float* ema, const float* p, size_t n, float decay) {
    const float keep = decay, take = 1.0f - decay;
    for (size_t i = 0; i < n; ++i) ema[i] = keep * ema[i] + take * p[i];
}

}  // namespace gan
