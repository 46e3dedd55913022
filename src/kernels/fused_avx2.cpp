// The AVX2 + FMA versions of the fused epilogues (kernels/fused.h), 8 lanes at a time. This file alone
// is built with -mavx2 -mfma -ffp-contract=off; fused.cpp calls it where cpu_level() allows. Each
// function computes the same IEEE operations per element as its portable twin in fused.cpp, except
// tanh_fast (fused.h).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/fused_avx2.h"

namespace gan {

namespace {
// v > 0 ? v : alpha * v for 8 lanes: a compare and a blend, the same values as the scalar ternary
// (NaN and -0 included) for any alpha, without its unpredictable branch.
inline __m256 leaky8(__m256 v, __m256 alpha) {
    return _mm256_blendv_ps(_mm256_mul_ps(alpha, v), v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
}

inline __m256 tanh8_small(__m256 a) {  // |x| < 0.55: odd series in x² (2^(2n)(2^(2n)-1)B_2n/(2n)!)
    const __m256 s = _mm256_mul_ps(a, a);
    __m256 p = _mm256_set1_ps(2.3912911424355248e-04f);                   // x^19
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-5.9002744094558595e-04f));  // x^17
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.4558343870513183e-03f));   // x^15
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-3.5921280365724810e-03f));  // x^13
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(8.8632355299021966e-03f));   // x^11
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-2.1869488536155203e-02f));  // x^9
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(5.3968253968253968e-02f));   // x^7
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-1.3333333333333333e-01f));  // x^5
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(3.3333333333333333e-01f));   // x^3
    return _mm256_fnmadd_ps(_mm256_mul_ps(p, s), a, a);                   // a - a·s·P (signs folded in)
}

inline __m256 tanh8_large(__m256 a) {  // (1 - e)/(1 + e), e = exp(-2a), t = -2a = n ln2 + r, |r| <= ln2/2
    const __m256 t = _mm256_mul_ps(a, _mm256_set1_ps(-2.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(t, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), t);  // ln2 high part (exact n·hi)
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.4286068203094172e-06f), r);    // ln2 low part
    __m256 q = _mm256_set1_ps(1.0f / 5040.0f);
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 720.0f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 120.0f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 24.0f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f / 6.0f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(0.5f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f));
    q = _mm256_fmadd_ps(q, r, _mm256_set1_ps(1.0f));
    const __m256i pow2n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const __m256 e = _mm256_mul_ps(q, _mm256_castsi256_ps(pow2n));
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
}

// tanh of 8 floats. |x| < 0.55: x + x³·P(x²), P the Taylor series of (tanh x - x)/x³ to x¹⁶ (the
// first omitted term is < 4e-10 there). |x| >= 0.55: (1 - e)/(1 + e), e = exp(-2|x|) with
// Cody-Waite reduction and a degree-7 Taylor polynomial; 1 - e >= 0.66, so no cancellation. A branch
// that no lane takes is skipped (most of a generated image is saturated background); each lane's
// value is the same either way.
inline __m256 tanh8(__m256 x) {
    const __m256 sign_mask = _mm256_set1_ps(-0.0f);
    const __m256 a = _mm256_min_ps(_mm256_set1_ps(40.0f), _mm256_andnot_ps(sign_mask, x));  // NaN stays NaN
    const __m256 sign = _mm256_and_ps(sign_mask, x);
    const __m256 use_small = _mm256_cmp_ps(a, _mm256_set1_ps(0.55f), _CMP_LT_OQ);
    const int small_lanes = _mm256_movemask_ps(use_small);
    __m256 y;
    if (small_lanes == 0)
        y = tanh8_large(a);
    else if (small_lanes == 0xFF)
        y = tanh8_small(a);
    else
        y = _mm256_blendv_ps(tanh8_large(a), tanh8_small(a), use_small);
    return _mm256_or_ps(y, sign);
}

}  // namespace

void bias_leaky_relu_forward_avx2(float* y, const float* b, int N, int OUT, float alpha) {
    const __m256 a = _mm256_set1_ps(alpha);
    for (int i = 0; i < N; ++i) {
        float* r = y + size_t(i) * OUT;
        int o = 0;
        for (; o + 8 <= OUT; o += 8)
            _mm256_storeu_ps(r + o, leaky8(_mm256_add_ps(_mm256_loadu_ps(r + o), _mm256_loadu_ps(b + o)), a));
        for (; o < OUT; ++o) {
            float v = r[o] + b[o];
            r[o] = v > 0.0f ? v : alpha * v;
        }
    }
}

void tanh_fast_avx2(float* y, const float* x, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, tanh8(_mm256_loadu_ps(x + i)));
    if (i < n) {  // the tail through a padded lane group, so every element takes the same path
        float in[8] = {0, 0, 0, 0, 0, 0, 0, 0}, out[8];
        for (size_t k = i; k < n; ++k) in[k - i] = x[k];
        _mm256_storeu_ps(out, tanh8(_mm256_loadu_ps(in)));
        for (size_t k = i; k < n; ++k) y[k] = out[k - i];
    }
}

size_t leaky_relu_backward_from_output_avx2(float* dx, const float* dy, const float* y, size_t n, float alpha) {
    size_t i = 0;
    const __m256 a = _mm256_set1_ps(alpha), zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(dy + i);
        const __m256 pos = _mm256_cmp_ps(_mm256_loadu_ps(y + i), zero, _CMP_GT_OQ);
        _mm256_storeu_ps(dx + i, _mm256_blendv_ps(_mm256_mul_ps(a, g), g, pos));
    }
    return i;
}

size_t bytes_to_unit_avx2(float* dst, const uint8_t* src, size_t img) {
    size_t k = 0;
    const __m256 d = _mm256_set1_ps(255.0f), two = _mm256_set1_ps(2.0f), one = _mm256_set1_ps(1.0f);
    for (; k + 8 <= img; k += 8) {
        const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + k));
        const __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes));
        _mm256_storeu_ps(dst + k, _mm256_sub_ps(_mm256_mul_ps(_mm256_div_ps(x, d), two), one));
    }
    return k;
}

}  // namespace gan
