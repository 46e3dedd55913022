// Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, op(X) = X or Xᵀ.
// op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are the row strides as stored.
#pragma once

namespace gan {

// Our AVX-512 kernels (gemm_avx512.cpp) on CPUs that have AVX-512F/VL, else OpenBLAS's cblas_sgemm:
// A·Bᵀ with 256 <= K <= 4096 (dot products along k), A·B and Aᵀ·B where B (K × ldb) fits in 1 MiB
// (broadcast kernel): the classic MLP's GEMMs at batch 32 and 100, 3-19 % faster than OpenBLAS there
// (BENCHMARKS.md). Each element of C is computed the same way wherever it lies, and the choice of
// kernel depends on neither M nor N, so splitting or stacking rows or columns changes no bit. Rows
// aligned to 64 bytes (AlignedVec) keep the loads within cache lines.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// Whether gemm() runs our kernel for these transpositions, K and ldb (M and N play no part), and the
// switch (on by default where the CPU can; off: OpenBLAS for every shape, for benchmarks and tests
// that compare the two). gemm_use_own_kernels returns the old value.
bool gemm_takes_own_kernel(bool trans_a, bool trans_b, int K, int ldb);
bool gemm_own_kernels();
bool gemm_use_own_kernels(bool on);

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
