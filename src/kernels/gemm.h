// Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, op(X) = X or Xᵀ.
// op(A) is (M, K), op(B) is (K, N), C is (M, N); lda/ldb/ldc are the row strides as stored.
#pragma once

namespace gan {

// Our kernels where they beat OpenBLAS's cblas_sgemm, OpenBLAS elsewhere. Ours: with AVX-512
// (gemm_avx512.cpp), A·Bᵀ with 256 <= K <= 4096 (dot products along k) and A·B, Aᵀ·B where B (K × ldb)
// fits in 1 MiB (broadcast kernel); with AVX2 + FMA (gemm_avx2.cpp), the broadcast kernel for the
// same A·B, Aᵀ·B shapes and for A·Bᵀ with K <= 4096 (on packed panels of Bᵀ); without AVX2, none.
// Each element of C is computed by our kernels the same way wherever it lies, and the choice of
// kernel depends on neither M nor N, so splitting or stacking rows or columns changes no bit. Rows
// aligned to 64 bytes (AlignedVec) keep the loads within cache lines.
void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// gemm() for products whose bits must not depend on how they are split or stacked (the MLP layers and
// the steps that split them over threads): our kernel for every shape where gemm_exact_is_bitwise(),
// else gemm(). Then an element of C depends only on its row of op(A), its column of op(B), K, alpha,
// beta and its old value. Without our kernels (no AVX2, GAN_GEMM=blas) OpenBLAS decides, and a split
// may change the last bits: the results then agree to rounding (within 2e-4·√K, gemm_test).
void gemm_exact(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc);
bool gemm_exact_is_bitwise();

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
// oneDNN's threads for convolutions called from this thread (OpenMP keeps a count per thread, so a new
// thread starts with the process's default, every core): for the threads of an in-process split.
void blas_set_caller_threads(int threads);

}  // namespace gan
