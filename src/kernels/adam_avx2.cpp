// Adam's update 8 lanes at a time (AVX2 + FMA); this file alone is built with those instructions.
#include "kernels/adam_avx2.h"

#include <immintrin.h>

namespace gan {

size_t adam_update_avx2(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) {
    const __m256 vb1 = _mm256_set1_ps(k.b1), vb2 = _mm256_set1_ps(k.b2), va1 = _mm256_set1_ps(k.a1),
                 va2 = _mm256_set1_ps(k.a2), vstep = _mm256_set1_ps(k.step_size),
                 vbc2 = _mm256_set1_ps(k.bc2_sqrt), veps = _mm256_set1_ps(k.eps);
    size_t i = 0;
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
    return i;
}

}  // namespace gan
