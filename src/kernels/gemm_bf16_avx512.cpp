// The vdpbf16ps kernel of gemm_bf16.h. CMake compiles this file alone with AVX-512 flags; nothing here
// runs unless bf16_supported(), and it uses no inline function from a header that another file could
// share (the linker might keep this file's AVX-512 copy of it).
#include <cstdint>

#if defined(__AVX512BF16__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>

namespace gan {
namespace {

// round(255 / (1 + exp(-2x))) = round(127.5 (tanh x + 1)) clamped to [0, 255], NaN -> 0, as 16 bytes.
// exp by 2^n·P(r), |r| <= ln2/2, P of degree 6 (relative error ~2e-7), 1/(1 + e) by vrcp14ps and one
// Newton step: far below the 1/255 of a pixel, so the pixel differs from the tanh one only where the
// value sits on a rounding boundary.
inline __m128i pixels16(__m512 x) {
    // t = -2x in [-88, 88] (NaN -> 88, so pixel 0): exp(t) and 1 + exp(t) stay finite.
    const __m512 t = _mm512_max_ps(_mm512_min_ps(_mm512_mul_ps(x, _mm512_set1_ps(-2.0f)), _mm512_set1_ps(88.0f)),
                                   _mm512_set1_ps(-88.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(t, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), t);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.4286068203094172e-06f), r);
    constexpr float taylor[] = {1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f};  // 1/5! .. 1/0!
    __m512 q = _mm512_set1_ps(1.0f / 720.0f);
    for (float c : taylor) q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(c));
    const __m512 d = _mm512_add_ps(_mm512_scalef_ps(q, n), _mm512_set1_ps(1.0f));  // 1 + exp(t) >= 1
    __m512 inv = _mm512_rcp14_ps(d);
    inv = _mm512_mul_ps(inv, _mm512_fnmadd_ps(d, inv, _mm512_set1_ps(2.0f)));
    __m512 p = _mm512_roundscale_ps(_mm512_mul_ps(inv, _mm512_set1_ps(255.0f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    p = _mm512_min_ps(_mm512_max_ps(p, _mm512_setzero_ps()), _mm512_set1_ps(255.0f));  // max(NaN, 0) = 0
    return _mm512_cvtusepi32_epi8(_mm512_cvtps_epu32(p));
}

// MR rows × NV vectors of 16 columns: MR·NV accumulators, NV weight loads and MR broadcasts per pair
// of k. Writes C, or with px the pixels of bias + C (pixels16) straight from the registers. The last
// vector stores only the `last` columns when the matrix ends inside it.
template <int MR, int NV>
void tile(int kp, const uint32_t* a, const uint32_t* b, int bstride, float* c, int ldc, __mmask16 last,
          const float* bias, uint8_t* px, int ldp) {
    __m512 acc[MR][NV];
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    for (int p = 0; p < kp; ++p) {
        __m512bh bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = (__m512bh)_mm512_loadu_si512(b + size_t(p) * bstride + 16 * v);
        for (int r = 0; r < MR; ++r) {
            const __m512bh av = (__m512bh)_mm512_set1_epi32(int(a[size_t(r) * kp + p]));
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbf16_ps(acc[r][v], av, bv[v]);
        }
    }
    if (px) {
        __m512 bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? last : __mmask16(0xffff), bias + 16 * v);
        for (int r = 0; r < MR; ++r) {
            uint8_t* row = px + size_t(r) * ldp;
            for (int v = 0; v < NV; ++v)
                _mm_mask_storeu_epi8(row + 16 * v, v == NV - 1 ? last : __mmask16(0xffff),
                                     pixels16(_mm512_add_ps(acc[r][v], bv[v])));
        }
        return;
    }
    for (int r = 0; r < MR; ++r) {
        float* row = c + size_t(r) * ldc;
        for (int v = 0; v < NV - 1; ++v) _mm512_storeu_ps(row + 16 * v, acc[r][v]);
        _mm512_mask_storeu_ps(row + 16 * (NV - 1), last, acc[r][NV - 1]);
    }
}

using TileFn = void (*)(int, const uint32_t*, const uint32_t*, int, float*, int, __mmask16, const float*, uint8_t*, int);

template <int MR>
TileFn pick(int nv) {
    switch (nv) {
        case 1: return tile<MR, 1>;
        case 2: return tile<MR, 2>;
        case 3: return tile<MR, 3>;
        default: return tile<MR, 4>;
    }
}

TileFn pick(int mr, int nv) {
    switch (mr) {
        case 1: return pick<1>(nv);
        case 2: return pick<2>(nv);
        case 3: return pick<3>(nv);
        case 4: return pick<4>(nv);
        case 5: return pick<5>(nv);
        default: return pick<6>(nv);
    }
}

}  // namespace

bool bf16_kernel_built() { return true; }

// Panel by panel (64 columns × kp pairs: 16 KB at k = 128, kept in L1), all rows in groups of 6.
// With px (then C is unused): pixels of bias + A·Wᵀ, row stride ldp.
void bf16_gemm_nt_avx512(int m, int kp, const uint32_t* a, const uint32_t* w, int n, float* C, int ldc,
                         const float* bias, uint8_t* px, int ldp) {
    const int padded = (n + 15) / 16 * 16;
    for (int c0 = 0; c0 < padded; c0 += 64) {
        const int width = padded - c0 < 64 ? padded - c0 : 64, nv = width / 16;
        const int valid_last = n - (c0 + width - 16);  // columns of the panel's last vector inside C
        const __mmask16 last = __mmask16(valid_last >= 16 ? 0xffff : (1u << valid_last) - 1u);
        const uint32_t* panel = w + size_t(c0) * size_t(kp);
        for (int r0 = 0; r0 < m; r0 += 6) {
            const int mr = m - r0 < 6 ? m - r0 : 6;
            pick(mr, nv)(kp, a + size_t(r0) * kp, panel, width, px ? nullptr : C + size_t(r0) * ldc + c0, ldc, last,
                         px ? bias + c0 : nullptr, px ? px + size_t(r0) * ldp + c0 : nullptr, ldp);
        }
    }
}

// The sampler's first layer for the bf16 GEMM: h = LeakyReLU(z·W1ᵀ + b1) in float (w1t: W1 transposed, k
// rows of n), rounded to bfloat16 pairs in order (n/2 words a row). Three rows at a time, NV = n/16
// accumulators each.
template <int NV>
void mlp_hidden(int m, int k, const float* z, const float* w1t, const float* b1, float alpha, uint32_t* h) {
    const __m512 a = _mm512_set1_ps(alpha), zero = _mm512_setzero_ps();
    for (int r0 = 0; r0 < m; r0 += 3) {
        const int mr = m - r0 < 3 ? m - r0 : 3;
        const float* zr[3] = {z + size_t(r0) * k, z + size_t(r0 + (mr > 1)) * k, z + size_t(r0 + (mr > 2) * 2) * k};
        __m512 acc[3][NV];
        for (int r = 0; r < 3; ++r)
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_loadu_ps(b1 + 16 * v);
        for (int q = 0; q < k; ++q) {
            const float* w = w1t + size_t(q) * (16 * NV);
            __m512 wv[NV];
            for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_ps(w + 16 * v);
            for (int r = 0; r < 3; ++r) {
                const __m512 zb = _mm512_set1_ps(zr[r][q]);
                for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(zb, wv[v], acc[r][v]);
            }
        }
        for (int r = 0; r < mr; ++r) {
            uint32_t* out = h + size_t(r0 + r) * (8 * NV);
            for (int v = 0; v < NV; v += 2) {
                __m512 lo = acc[r][v], hi = acc[r][v + 1];  // v > 0 ? v : alpha v, NaN and -0 as the scalar
                lo = _mm512_mask_mul_ps(lo, _mm512_cmp_ps_mask(lo, zero, _CMP_LE_OQ), lo, a);
                hi = _mm512_mask_mul_ps(hi, _mm512_cmp_ps_mask(hi, zero, _CMP_LE_OQ), hi, a);
                _mm512_storeu_si512(out + 8 * v, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
            }
        }
    }
}

void bf16_mlp_hidden_avx512(int m, int k, int n, const float* z, const float* w1t, const float* b1, float alpha,
                            uint32_t* h) {
    switch (n) {
        case 32: return mlp_hidden<2>(m, k, z, w1t, b1, alpha, h);
        case 64: return mlp_hidden<4>(m, k, z, w1t, b1, alpha, h);
        case 96: return mlp_hidden<6>(m, k, z, w1t, b1, alpha, h);
        default: return mlp_hidden<8>(m, k, z, w1t, b1, alpha, h);
    }
}

}  // namespace gan

#else

namespace gan {
bool bf16_kernel_built() { return false; }
void bf16_gemm_nt_avx512(int, int, const uint32_t*, const uint32_t*, int, float*, int, const float*, uint8_t*, int) {}
void bf16_mlp_hidden_avx512(int, int, int, const float*, const float*, const float*, float, uint32_t*) {}
}  // namespace gan

#endif
