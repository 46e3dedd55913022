#include "optim/adam.h"

#include "kernels/parallel.h"

#include <cmath>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace gan {

void adam_update_naive(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o) {
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

// The same operations as adam_update_naive, 8 lanes at a time, with the multiply-adds fused exactly
// where g++ fuses them in the scalar loop (-march=x86-64-v3 contracts b1*m + a1*g and
// b2*v + (a2*g)*g, nothing else), so the two agree bitwise (adam_test checks it).
void adam_update(float* p, const float* g, float* m, float* v, size_t n, int64_t t, const AdamOptions& o) {
    const double bc1 = 1.0 - std::pow(double(o.beta1), double(t));
    const double bc2 = 1.0 - std::pow(double(o.beta2), double(t));
    const float step_size = float(double(o.lr) / bc1);
    const float bc2_sqrt = float(std::sqrt(bc2));
    const float b1 = o.beta1, b2 = o.beta2, a1 = float(1.0 - double(o.beta1)), a2 = float(1.0 - double(o.beta2));
    const float eps = o.eps;
    size_t i = 0;
#if defined(__AVX2__) && defined(__FMA__)
    const __m256 vb1 = _mm256_set1_ps(b1), vb2 = _mm256_set1_ps(b2), va1 = _mm256_set1_ps(a1),
                 va2 = _mm256_set1_ps(a2), vstep = _mm256_set1_ps(step_size), vbc2 = _mm256_set1_ps(bc2_sqrt),
                 veps = _mm256_set1_ps(eps);
    for (; i + 8 <= n; i += 8) {
        const __m256 gi = _mm256_loadu_ps(g + i);
        const __m256 mi = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m + i), _mm256_mul_ps(va1, gi));
        const __m256 vi = _mm256_fmadd_ps(vb2, _mm256_loadu_ps(v + i), _mm256_mul_ps(_mm256_mul_ps(va2, gi), gi));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        const __m256 den = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), vbc2), veps);
        const __m256 upd = _mm256_div_ps(_mm256_mul_ps(vstep, mi), den);
        _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), upd));
    }
#endif
    for (; i < n; ++i) {
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
