// Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, op(X) = X or Xᵀ.
// op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are the row strides as stored.
#pragma once

namespace gan {

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// The oracle: a plain triple loop in double precision, for tests.
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc);

// Threads used by the BLAS (OpenBLAS) and, when built with it, oneDNN (OpenMP); 0 = leave as is.
void blas_set_threads(int threads);
int blas_get_threads();
// The BLAS thread count `gan train` uses for steps other than the fused classic one (which splits
// its work itself) when --threads is not given: 1 below batch 256, where the
// step's GEMMs (batch x 784 x 128) are too small for OpenBLAS's fork/join to pay (BENCHMARKS.md),
// else the CPUs this process may run on (its affinity mask), at most 4.
int blas_auto_threads(int batch);
// The CPUs this process may run on (its affinity mask), at least 1.
int usable_cpus();

}  // namespace gan
