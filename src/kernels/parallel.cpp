#include "kernels/parallel.h"

namespace gan {

void gemm_split(ThreadPool* pool, bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A,
                int lda, const float* B, int ldb, float beta, float* C, int ldc) {
    const double flops = 2.0 * M * N * K;
    if (!pool || pool->size() == 1 || flops < 1e6) {
        gemm_exact(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    if (M >= N) {
        gemm_rows(pool, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, [](size_t, size_t) {});
        return;
    }
    const int parts = pool->size();
    pool->run([&](int part) {  // columns [b, e) of C: columns of op(B)
        size_t b, e;
        split_range(size_t(N), part, parts, 16, b, e);
        if (b >= e) return;
        const float* bb = trans_b ? B + b * size_t(ldb) : B + b;
        gemm_exact(trans_a, trans_b, M, int(e - b), K, alpha, A, lda, bb, ldb, beta, C + b, ldc);
    });
}

}  // namespace gan
