// Our float GEMM kernel for AVX2 + FMA, used by gemm() and gemm_exact() (gemm.cpp) on CPUs without
// AVX-512. This file alone is built with -mavx2 -mfma and is called only where the CPU has them.
//
// One broadcast kernel: tiles of 6 rows × 16 columns of C (12 accumulators of 8 lanes), per k two
// vectors of B's row k and six broadcasts of op(A)'s column k. Every element of C is one chain of FMAs
// over k = 0..K-1 from zero, then alpha, then beta·C: the arithmetic of the AVX-512 broadcast kernel, so
// the two give the same bits, and the value of an element depends only on its row of op(A), its column
// of B and K, never on where the tile lies. A·Bᵀ runs the same kernel on panels of Bᵀ (16 columns, K
// rows) packed just before use, so every transposition case shares that property.
#include <immintrin.h>

#include <cstddef>
#include <vector>

#include "core/aligned.h"

namespace gan {

namespace {

constexpr int MR = 6;       // rows of a tile
constexpr int NC = 16;      // columns of a tile (two vectors)
constexpr int ROWS = 96;    // rows of A per block, kept in L2 while B's panels pass
constexpr int KC = 256;     // k per pass: a 16-column panel of B (16 KiB) stays in L1 across the tiles

// Lanes [0, n) set, n in 1..8.
inline __m256i first_lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// One R × 8·NV tile: C = alpha·op(A)·B + beta·C, op(A) = A (element (r, k) at a[r·lda + k]) or, with
// TA, Aᵀ (at a[k·lda + r]); B row-major with row stride ldb. Rows below `first` are computed but not
// written; the last vector holds `width` (1..8) columns, read and written through a mask when MASKED.
// The loops over r and v are unrolled so that the accumulators stay in registers. K is one pass of a
// longer sum: the accumulators start from `part` (R × 16 floats) when `resume`, and go back there
// unless `finish`; a float stored and loaded again is the same float, so the chain of FMAs of each
// element is the one an unbroken loop over all k performs.
template <int R, int NV, bool TA, bool MASKED>
inline void tile(int K, float alpha, const float* a, size_t lda, const float* b, size_t ldb, float beta,
                 float* c, size_t ldc, int first, int width, float* part, bool resume, bool finish) {
    __m256 acc[R][NV];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) acc[r][v] = resume ? _mm256_load_ps(part + 16 * r + 8 * v) : _mm256_setzero_ps();
    const __m256i mask = first_lanes(width);
    for (int k = 0; k < K; ++k) {
        const float* bk = b + size_t(k) * ldb;
        __m256 bv[NV];
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v)
            bv[v] = MASKED && v == NV - 1 ? _mm256_maskload_ps(bk + 8 * v, mask) : _mm256_loadu_ps(bk + 8 * v);
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            const __m256 x = _mm256_broadcast_ss(TA ? a + size_t(k) * lda + r : a + size_t(r) * lda + k);
#pragma GCC unroll 2
            for (int v = 0; v < NV; ++v) acc[r][v] = _mm256_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
    // Out through `part`: indexing acc with a run-time row would keep it in memory, not registers.
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) _mm256_store_ps(part + 16 * r + 8 * v, acc[r][v]);
    if (!finish) return;
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int r = first; r < R; ++r) {
        float* cr = c + size_t(r) * ldc;
        for (int v = 0; v < NV; ++v) {
            __m256 y = _mm256_load_ps(part + 16 * r + 8 * v);
            if (alpha != 1.0f) y = _mm256_mul_ps(va, y);
            const bool masked = MASKED && v == NV - 1;
            if (beta != 0.0f) {
                const __m256 old = masked ? _mm256_maskload_ps(cr + 8 * v, mask) : _mm256_loadu_ps(cr + 8 * v);
                y = _mm256_fmadd_ps(vb, old, y);
            }
            if (masked)
                _mm256_maskstore_ps(cr + 8 * v, mask, y);
            else
                _mm256_storeu_ps(cr + 8 * v, y);
        }
    }
}

// tile<> with the variant for this many columns: two vectors or one, the last one masked or not.
template <int R, bool TA>
inline void tile_cols(int K, float alpha, const float* a, size_t lda, const float* b, size_t ldb, float beta,
                      float* c, size_t ldc, int first, int cols, float* part, bool resume, bool finish) {
    const int width = cols > 8 ? cols - 8 : cols;
    if (cols == 16)
        tile<R, 2, TA, false>(K, alpha, a, lda, b, ldb, beta, c, ldc, first, width, part, resume, finish);
    else if (cols > 8)
        tile<R, 2, TA, true>(K, alpha, a, lda, b, ldb, beta, c, ldc, first, width, part, resume, finish);
    else if (cols == 8)
        tile<R, 1, TA, false>(K, alpha, a, lda, b, ldb, beta, c, ldc, first, width, part, resume, finish);
    else
        tile<R, 1, TA, true>(K, alpha, a, lda, b, ldb, beta, c, ldc, first, width, part, resume, finish);
}

// Rows [i, i_end) of one column block of C (at most 16 columns, `cols` of them), in tiles of MR rows.
// A last run of fewer than MR rows is the whole tile ending at row M - 1, writing only the rows no
// earlier tile wrote, so every row takes the same tile code (M >= MR); below MR rows, tiles of one row.
template <bool TA>
void column_block(int M, int i, int i_end, int K, float alpha, const float* A, size_t lda, const float* Bj,
                  size_t ldb, float beta, float* Cj, size_t ldc, int cols) {
    // The partial sums of every tile of this block between passes over k: (ROWS / MR + 1) tiles of MR rows.
    alignas(32) float part[(ROWS / MR + 1) * MR * NC];
    for (int k0 = 0; k0 < K; k0 += KC) {
        const int kc = K - k0 < KC ? K - k0 : KC;
        const bool resume = k0 > 0, finish = k0 + kc == K;
        const float* Bk = Bj + size_t(k0) * ldb;
        if (M < MR) {
            for (int r = i; r < i_end; ++r) {
                const float* a = TA ? A + size_t(k0) * lda + r : A + size_t(r) * lda + k0;
                tile_cols<1, TA>(kc, alpha, a, lda, Bk, ldb, beta, Cj + size_t(r) * ldc, ldc, 0, cols,
                                 part + (r - i) * NC, resume, finish);
            }
            continue;
        }
        for (int t = i, n = 0; t < i_end; t += MR, ++n) {
            const int i0 = M - t < MR ? M - MR : t;
            const float* a = TA ? A + size_t(k0) * lda + i0 : A + size_t(i0) * lda + k0;
            tile_cols<MR, TA>(kc, alpha, a, lda, Bk, ldb, beta, Cj + size_t(i0) * ldc, ldc, t - i0, cols,
                              part + n * MR * NC, resume, finish);
        }
    }
}

// 8 × 8 transpose: rows r[0..7] (8 floats each) to columns, column i stored at out + ld·i.
inline void transpose8_store(__m256 r[8], float* out, size_t ld) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; ++i) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i) {
        u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int i = 0; i < 4; ++i) {
        _mm256_storeu_ps(out + ld * i, _mm256_permute2f128_ps(u[i], u[4 + i], 0x20));
        _mm256_storeu_ps(out + ld * (i + 4), _mm256_permute2f128_ps(u[i], u[4 + i], 0x31));
    }
}

// Packs columns [j, j + cols) of Bᵀ, where B is (N, K) row-major: panel[k·16 + c] = B[(j + c)·ldb + k],
// zero beyond `cols`.
void pack_transposed(const float* B, size_t ldb, int j, int cols, int K, float* panel) {
    int k = 0;
    if (cols == NC) {
        for (; k + 8 <= K; k += 8)
            for (int h = 0; h < 2; ++h) {
                __m256 r[8];
                for (int c = 0; c < 8; ++c) r[c] = _mm256_loadu_ps(B + size_t(j + 8 * h + c) * ldb + k);
                transpose8_store(r, panel + size_t(k) * NC + 8 * h, NC);
            }
    }
    for (; k < K; ++k)
        for (int c = 0; c < NC; ++c) panel[size_t(k) * NC + c] = c < cols ? B[size_t(j + c) * ldb + k] : 0.0f;
}

// at = aᵀ: a is (K × M) with row stride lda, at is (M × K) row-major.
void transpose_into(const float* a, size_t lda, int K, int M, float* at) {
    int r = 0;
    for (; r + 8 <= M; r += 8) {
        int k = 0;
        for (; k + 8 <= K; k += 8) {
            __m256 rows[8];
            for (int q = 0; q < 8; ++q) rows[q] = _mm256_loadu_ps(a + size_t(k + q) * lda + r);
            transpose8_store(rows, at + size_t(r) * K + k, size_t(K));
        }
        for (; k < K; ++k)
            for (int q = 0; q < 8; ++q) at[size_t(r + q) * K + k] = a[size_t(k) * lda + r + q];
    }
    for (; r < M; ++r)
        for (int k = 0; k < K; ++k) at[size_t(r) * K + k] = a[size_t(k) * lda + r];
}

}  // namespace

void gemm_bcast_avx2(bool trans_a, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                     int ldb, float beta, float* C, int ldc) {
    // Aᵀ·B with long sums: op(A) copied out row-major first, so that each tile reads its rows of A in
    // order instead of a few floats of every row of A (the same values in the same order: same bits).
    thread_local AlignedVec<float> at;
    if (trans_a && K >= 64) {
        if (at.size() < size_t(M) * K) at.resize(size_t(M) * K);
        transpose_into(A, size_t(lda), K, M, at.data());
        A = at.data(), lda = K, trans_a = false;
    }
    for (int ib = 0; ib < M; ib += ROWS) {
        const int ie = M - ib < ROWS ? M : ib + ROWS;
        for (int j = 0; j < N; j += NC) {
            const int cols = N - j < NC ? N - j : NC;
            if (trans_a)
                column_block<true>(M, ib, ie, K, alpha, A, size_t(lda), B + j, size_t(ldb), beta, C + j,
                                   size_t(ldc), cols);
            else
                column_block<false>(M, ib, ie, K, alpha, A, size_t(lda), B + j, size_t(ldb), beta, C + j,
                                    size_t(ldc), cols);
        }
    }
}

void gemm_nt_avx2(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                  float beta, float* C, int ldc) {
    thread_local AlignedVec<float> panel;
    if (panel.size() < size_t(K) * NC) panel.resize(size_t(K) * NC);
    for (int ib = 0; ib < M; ib += ROWS) {
        const int ie = M - ib < ROWS ? M : ib + ROWS;
        for (int j = 0; j < N; j += NC) {
            const int cols = N - j < NC ? N - j : NC;
            pack_transposed(B, size_t(ldb), j, cols, K, panel.data());
            column_block<false>(M, ib, ie, K, alpha, A, size_t(lda), panel.data(), NC, beta, C + j, size_t(ldc),
                                cols);
        }
    }
}

}  // namespace gan
