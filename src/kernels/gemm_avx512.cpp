// Our float GEMM kernels, AVX-512F, used by gemm() for the shapes where they beat OpenBLAS (the rule is in
// gemm.cpp, the figures in BENCHMARKS.md). This file alone is built with -mavx512f -mavx512vl and is
// called only where the CPU has them. Two kernels:
//
// gemm_nt_avx512, C = alpha·A·Bᵀ + beta·C for long rows (the classic D's first layer: 784 inputs). Both
// operands are read in place along k (no packing): a 4 × 4 tile of C keeps 16 accumulators of 16 lanes,
// each the k-strided partial sums of one dot product; 4 rows of A and 4 of B are loaded per 16 k, one FMA
// for each of the 16 pairs. At the end one transpose-and-add tree folds the 16 accumulators into the 16
// sums, so the reduction costs ~3 instructions an output instead of ~8 for a horizontal add each.
// Every output takes the same path (lanes k mod 16, the same tree, edge tiles reuse a valid row or
// column instead of another code path), so an element of C depends only on its row of A, its row of B
// and K: stacking or splitting rows gives bitwise the same result, as the step's bitwise test asks.
//
// gemm_bcast_avx512, C = alpha·op(A)·B + beta·C with B row-major (dx and dW of the MLP layers): tiles of
// 6 rows × 64 columns, B's row k loaded as 4 vectors and op(A)'s column k broadcast, one FMA chain over k
// per element (again independent of where the element lies).
#include <cstddef>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace gan {

#ifdef __AVX512F__

bool gemm_avx512_built() { return true; }

namespace {

// Folds v[0..15] into one vector: lane 4r + c holds the sum of the lanes of v[4c + r].
inline __m512 fold16(const __m512 v[16]) {
    __m512 w[8], x[4], y[2];
    for (int j = 0; j < 8; ++j)  // lanes l and l + 8
        w[j] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], 0x44),
                             _mm512_shuffle_f32x4(v[2 * j], v[2 * j + 1], 0xEE));
    for (int j = 0; j < 4; ++j)  // then l and l + 4
        x[j] = _mm512_add_ps(_mm512_shuffle_f32x4(w[2 * j], w[2 * j + 1], 0x88),
                             _mm512_shuffle_f32x4(w[2 * j], w[2 * j + 1], 0xDD));
    for (int j = 0; j < 2; ++j)  // then l and l + 2
        y[j] = _mm512_add_ps(_mm512_shuffle_ps(x[2 * j], x[2 * j + 1], 0x44),
                             _mm512_shuffle_ps(x[2 * j], x[2 * j + 1], 0xEE));
    return _mm512_add_ps(_mm512_shuffle_ps(y[0], y[1], 0x88), _mm512_shuffle_ps(y[0], y[1], 0xDD));
}

}  // namespace

void gemm_nt_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                    float beta, float* C, int ldc) {
    const int kfull = K / 16 * 16;
    const __mmask16 tail = __mmask16((1u << (K - kfull)) - 1u);
    const __m128 valpha = _mm_set1_ps(alpha), vbeta = _mm_set1_ps(beta);
    // Blocks of B's rows that fit in half of L2 (~512 KiB), each passed over by all of A.
    int nb = int((size_t(1) << 19) / (size_t(K) * sizeof(float))) / 4 * 4;
    if (nb < 4) nb = 4;
    for (int jb = 0; jb < N; jb += nb) {
        for (int i = 0; i < M; i += 4) {
            const float* a[4];
            for (int r = 0; r < 4; ++r) a[r] = A + size_t(i + r < M ? i + r : M - 1) * size_t(lda);
            const int rows = M - i < 4 ? M - i : 4;
            for (int j = jb; j < N && j < jb + nb; j += 4) {
                const float* b[4];
                for (int c = 0; c < 4; ++c) b[c] = B + size_t(j + c < N ? j + c : N - 1) * size_t(ldb);
                const int cols = N - j < 4 ? N - j : 4;
                __m512 acc[16];  // acc[4c + r]: row r of this tile times column c
                for (__m512& s : acc) s = _mm512_setzero_ps();
                for (int k = 0; k < kfull; k += 16) {
                    const __m512 b0 = _mm512_loadu_ps(b[0] + k), b1 = _mm512_loadu_ps(b[1] + k),
                                 b2 = _mm512_loadu_ps(b[2] + k), b3 = _mm512_loadu_ps(b[3] + k);
                    for (int r = 0; r < 4; ++r) {
                        const __m512 x = _mm512_loadu_ps(a[r] + k);
                        acc[r] = _mm512_fmadd_ps(x, b0, acc[r]);
                        acc[4 + r] = _mm512_fmadd_ps(x, b1, acc[4 + r]);
                        acc[8 + r] = _mm512_fmadd_ps(x, b2, acc[8 + r]);
                        acc[12 + r] = _mm512_fmadd_ps(x, b3, acc[12 + r]);
                    }
                }
                if (tail) {
                    __m512 bt[4];
                    for (int c = 0; c < 4; ++c) bt[c] = _mm512_maskz_loadu_ps(tail, b[c] + kfull);
                    for (int r = 0; r < 4; ++r) {
                        const __m512 x = _mm512_maskz_loadu_ps(tail, a[r] + kfull);
                        for (int c = 0; c < 4; ++c) acc[4 * c + r] = _mm512_fmadd_ps(x, bt[c], acc[4 * c + r]);
                    }
                }
                const __m512 sums = fold16(acc);  // lanes 4r .. 4r + 3: row r, columns 0..3
                const __mmask8 cm = __mmask8((1u << cols) - 1u);
                for (int r = 0; r < rows; ++r) {
                    float* dst = C + size_t(i + r) * size_t(ldc) + j;
                    __m128 v = _mm512_extractf32x4_ps(sums, 0);
                    if (r == 1) v = _mm512_extractf32x4_ps(sums, 1);
                    if (r == 2) v = _mm512_extractf32x4_ps(sums, 2);
                    if (r == 3) v = _mm512_extractf32x4_ps(sums, 3);
                    if (alpha != 1.0f) v = _mm_mul_ps(valpha, v);
                    if (beta != 0.0f) v = _mm_fmadd_ps(vbeta, _mm_maskz_loadu_ps(cm, dst), v);
                    _mm_mask_storeu_ps(dst, cm, v);
                }
            }
        }
    }
}

namespace {

// One MR × 16·NV tile of C = alpha·op(A)·B + beta·C, op(A) = A (TA false: element (r, k) at a[r·lda + k])
// or Aᵀ (TA true: at a[k·lda + r]); B row-major (K × N). Each k: NV vectors of B's row k, MR broadcasts
// of op(A)'s column k, MR·NV FMAs. Every element is one chain of FMAs over k = 0..K-1 from zero, so its
// value does not depend on where the tile lies. Rows below `first` are computed but not written; the
// last vector's columns are `last`.
template <int MR, int NV, bool TA>
inline void bcast_tile(int K, float alpha, const float* a, size_t lda, const float* b, size_t ldb, float beta,
                       float* c, size_t ldc, int first, __mmask16 last) {
    __m512 acc[MR][NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
    for (int k = 0; k < K; ++k) {
        const float* bk = b + size_t(k) * ldb;
        __m512 bv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV - 1; ++v) bv[v] = _mm512_loadu_ps(bk + 16 * v);
        bv[NV - 1] = _mm512_maskz_loadu_ps(last, bk + 16 * (NV - 1));
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            const __m512 x = _mm512_set1_ps(TA ? a[size_t(k) * lda + r] : a[size_t(r) * lda + k]);
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
    // Out through a buffer: indexing acc with a run-time row would keep it in memory, not registers.
    alignas(64) float out[MR][16 * NV];
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) _mm512_store_ps(out[r] + 16 * v, acc[r][v]);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = first; r < MR; ++r) {
        float* cr = c + size_t(r) * ldc;
        for (int v = 0; v < NV; ++v) {
            const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
            __m512 y = _mm512_load_ps(out[r] + 16 * v);
            if (alpha != 1.0f) y = _mm512_mul_ps(va, y);
            if (beta != 0.0f) y = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m, cr + 16 * v), y);
            _mm512_mask_storeu_ps(cr + 16 * v, m, y);
        }
    }
}

// Rows [done, M) of one column block [j, j + 16·NV) of C, in tiles of MR rows. A last run of fewer than
// MR rows is the full tile ending at row M - 1, writing only the rows no earlier tile wrote (M >= MR).
template <int MR, int NV, bool TA>
void bcast_columns(int M, int done, int K, float alpha, const float* A, size_t lda, const float* Bj, size_t ldb,
                   float beta, float* Cj, size_t ldc, __mmask16 last) {
    for (int i = done; i < M; i += MR) {
        const int i0 = M - i < MR ? M - MR : i;
        bcast_tile<MR, NV, TA>(K, alpha, TA ? A + i0 : A + size_t(i0) * lda, lda, Bj, ldb, beta,
                               Cj + size_t(i0) * ldc, ldc, i - i0, last);
    }
}

template <int MR, bool TA>
void bcast_columns_nv(int nv, int M, int done, int K, float alpha, const float* A, size_t lda, const float* Bj,
                      size_t ldb, float beta, float* Cj, size_t ldc, __mmask16 last) {
    switch (nv) {
        case 1: return bcast_columns<MR, 1, TA>(M, done, K, alpha, A, lda, Bj, ldb, beta, Cj, ldc, last);
        case 2: return bcast_columns<MR, 2, TA>(M, done, K, alpha, A, lda, Bj, ldb, beta, Cj, ldc, last);
        case 3: return bcast_columns<MR, 3, TA>(M, done, K, alpha, A, lda, Bj, ldb, beta, Cj, ldc, last);
        default: return bcast_columns<MR, 4, TA>(M, done, K, alpha, A, lda, Bj, ldb, beta, Cj, ldc, last);
    }
}

// Tiles of 6 × 64 (24 accumulators; fewer than 6 rows in all: 1 × 64), the last vector of a row narrower
// where N is not a multiple of 16. Blocks of 96 rows of A, each over every column block of B.
template <bool TA>
void bcast_gemm(int M, int N, int K, float alpha, const float* A, size_t lda, const float* B, size_t ldb,
                float beta, float* C, size_t ldc) {
    // B (at most 1 MiB, the rule in gemm.cpp) stays in L2 and the block of A in L1/L2 while the block passes.
    for (int ib = 0; ib < M; ib += 96) {
        const int mb = M - ib < 96 ? M - ib : 96;
        // A last short block is filled from the rows before it (they are written already: `first`).
        const int m0 = mb < 6 && M >= 6 ? M - 6 : ib;
        const float* Ab = TA ? A + m0 : A + size_t(m0) * lda;
        for (int j = 0; j < N; j += 64) {
            const int w = N - j < 64 ? N - j : 64;
            const int nv = (w + 15) / 16;
            const __mmask16 last = __mmask16(w % 16 == 0 ? 0xFFFFu : (1u << (w % 16)) - 1u);
            float* Cb = C + size_t(m0) * ldc + j;
            if (M >= 6)
                bcast_columns_nv<6, TA>(nv, ib + mb - m0, ib - m0, K, alpha, Ab, lda, B + j, ldb, beta, Cb, ldc, last);
            else
                bcast_columns_nv<1, TA>(nv, mb, 0, K, alpha, Ab, lda, B + j, ldb, beta, Cb, ldc, last);
        }
    }
}

}  // namespace

void gemm_bcast_avx512(bool trans_a, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                       int ldb, float beta, float* C, int ldc) {
    if (trans_a)
        bcast_gemm<true>(M, N, K, alpha, A, size_t(lda), B, size_t(ldb), beta, C, size_t(ldc));
    else
        bcast_gemm<false>(M, N, K, alpha, A, size_t(lda), B, size_t(ldb), beta, C, size_t(ldc));
}

#else

bool gemm_avx512_built() { return false; }
void gemm_nt_avx512(int, int, int, float, const float*, int, const float*, int, float, float*, int) {}
void gemm_bcast_avx512(bool, int, int, int, float, const float*, int, const float*, int, float, float*, int) {}

#endif

}  // namespace gan
