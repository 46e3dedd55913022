// The vdpbf16ps kernel of gemm_bf16.h. CMake compiles this file alone with AVX-512 flags; nothing here
// runs unless bf16_supported(), and it uses no inline function from a header that another file could
// share (the linker might keep this file's AVX-512 copy of it).
#include <cstdint>

#if defined(__AVX512BF16__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#include <immintrin.h>

namespace gan {
namespace {

// MR rows × NV vectors of 16 columns: MR·NV accumulators, NV weight loads and MR broadcasts per pair
// of k. The last vector stores only the `last` columns when the matrix ends inside it.
template <int MR, int NV>
void tile(int kp, const uint32_t* a, const uint32_t* b, int bstride, float* c, int ldc, __mmask16 last) {
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
    for (int r = 0; r < MR; ++r) {
        float* row = c + size_t(r) * ldc;
        for (int v = 0; v < NV - 1; ++v) _mm512_storeu_ps(row + 16 * v, acc[r][v]);
        _mm512_mask_storeu_ps(row + 16 * (NV - 1), last, acc[r][NV - 1]);
    }
}

using TileFn = void (*)(int, const uint32_t*, const uint32_t*, int, float*, int, __mmask16);

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
void bf16_gemm_nt_avx512(int m, int kp, const uint32_t* a, const uint32_t* w, int n, float* C, int ldc) {
    const int padded = (n + 15) / 16 * 16;
    for (int c0 = 0; c0 < padded; c0 += 64) {
        const int width = padded - c0 < 64 ? padded - c0 : 64, nv = width / 16;
        const int valid_last = n - (c0 + width - 16);  // columns of the panel's last vector inside C
        const __mmask16 last = __mmask16(valid_last >= 16 ? 0xffff : (1u << valid_last) - 1u);
        const uint32_t* panel = w + size_t(c0) * size_t(kp);
        for (int r0 = 0; r0 < m; r0 += 6) {
            const int mr = m - r0 < 6 ? m - r0 : 6;
            pick(mr, nv)(kp, a + size_t(r0) * kp, panel, width, C + size_t(r0) * ldc + c0, ldc, last);
        }
    }
}

}  // namespace gan

#else

namespace gan {
bool bf16_kernel_built() { return false; }
void bf16_gemm_nt_avx512(int, int, const uint32_t*, const uint32_t*, int, float*, int) {}
}  // namespace gan

#endif
