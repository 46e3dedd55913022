// Work split over a ThreadPool: GEMMs by blocks of C, element-wise loops by ranges. Each part runs
// single-threaded (the BLAS must be set to 1 thread), so parts never oversubscribe the cores. A null
// pool or a 1-thread pool runs everything on the caller, exactly as the plain kernels.
#pragma once
#include <cstddef>

#include "core/thread_pool.h"
#include "kernels/gemm.h"

namespace gan {

// gemm() with C split into pool->size() blocks of rows (or of columns when C is wider than tall);
// small products (under ~1 MFLOP) run on the caller alone.
void gemm_split(ThreadPool* pool, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                int lda, const float* B, int ldb, float beta, float* C, int ldc);

// gemm() split by blocks of rows of C (multiples of 16), each followed on its own thread by
// epi(begin, end) over those rows; a null or 1-thread pool: one gemm, then epi(0, M).
template <class Epi>
void gemm_rows(ThreadPool* pool, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
               int lda, const float* B, int ldb, float beta, float* C, int ldc, Epi&& epi) {
    if (!pool || pool->size() == 1) {
        gemm_exact(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        epi(size_t(0), size_t(M));
        return;
    }
    const int parts = pool->size();
    pool->run([&](int part) {
        size_t b, e;
        split_range(size_t(M), part, parts, 16, b, e);
        if (b >= e) return;
        const float* a = trans_a ? A + b : A + b * size_t(lda);
        gemm_exact(trans_a, trans_b, int(e - b), N, K, alpha, a, lda, B, ldb, beta, C + b * size_t(ldc), ldc);
        epi(b, e);
    });
}

// fn(begin, end) over [0, n) in pool->size() ranges with boundaries on multiples of `align`;
// below `min_n` items the caller does it all.
template <class F>
void parallel_for(ThreadPool* pool, size_t n, size_t align, size_t min_n, F&& fn) {
    if (!pool || pool->size() == 1 || n < min_n) {
        fn(size_t(0), n);
        return;
    }
    const int parts = pool->size();
    pool->run([&](int part) {
        size_t b, e;
        split_range(n, part, parts, align, b, e);
        if (b < e) fn(b, e);
    });
}

}  // namespace gan
