#include "kernels/gemm.h"

#include <cblas.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/cpu.h"

#ifdef GAN_HAVE_DNNL
#include <omp.h>  // oneDNN's runtime (backend/dnnl_conv.h)
#endif

namespace gan {

// In gemm_avx512.cpp and gemm_avx2.cpp, each built for its instruction set (x86-64 only).
bool gemm_avx512_built();
void gemm_nt_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                    float beta, float* C, int ldc);
void gemm_bcast_avx512(bool trans_a, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                       int ldb, float beta, float* C, int ldc);
void gemm_nt_avx2(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                  float beta, float* C, int ldc);
void gemm_bcast_avx2(bool trans_a, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                     int ldb, float beta, float* C, int ldc);

namespace {
// Which of our kernels this CPU runs: AVX-512 where it has it, else AVX2 + FMA, else none.
CpuLevel own_level() {
#ifdef GAN_X86_KERNELS
    const CpuLevel l = cpu_level();
    if (l == CpuLevel::avx512 && !gemm_avx512_built()) return CpuLevel::avx2;
    return l;
#else
    return CpuLevel::baseline;
#endif
}
// On where the CPU can, unless the environment says GAN_GEMM=blas (OpenBLAS for every GEMM).
bool& own_kernels_flag() {
    static bool on = [] {
        const char* e = std::getenv("GAN_GEMM");
        return own_level() != CpuLevel::baseline && !(e && std::strcmp(e, "blas") == 0);
    }();
    return on;
}

// K = 1 with beta 0: C = alpha·a·bᵀ, one product per element, the value of the kernels' single
// multiply-add from zero (a zero product keeps its sign here), without their tile set-up.
void outer_product(bool trans_a, bool trans_b, int M, int N, float alpha, const float* A, int lda,
                   const float* B, int ldb, float* C, int ldc) {
    for (int i = 0; i < M; ++i) {
        const float a = trans_a ? A[i] : A[size_t(i) * lda];
        float* c = C + size_t(i) * ldc;
        if (trans_b) {
            for (int j = 0; j < N; ++j) c[j] = a * B[size_t(j) * ldb];
        } else {
            for (int j = 0; j < N; ++j) c[j] = a * B[j];
        }
        if (alpha != 1.0f)
            for (int j = 0; j < N; ++j) c[j] = alpha * c[j];
    }
}

// Our kernel for this transposition, whatever the shape (not for Aᵀ·Bᵀ, which nothing here uses).
void own_gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
              const float* B, int ldb, float beta, float* C, int ldc) {
    if (K == 1 && beta == 0.0f) return outer_product(trans_a, trans_b, M, N, alpha, A, lda, B, ldb, C, ldc);
#ifdef GAN_X86_KERNELS
    const bool wide = own_level() == CpuLevel::avx512;
    if (trans_b)
        (wide ? gemm_nt_avx512 : gemm_nt_avx2)(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        (wide ? gemm_bcast_avx512 : gemm_bcast_avx2)(trans_a, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    (void)trans_a, (void)trans_b, (void)M, (void)N, (void)K, (void)alpha, (void)A, (void)lda, (void)B;
    (void)ldb, (void)beta, (void)C, (void)ldc;
#endif
}

void blas_gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
               const float* B, int ldb, float beta, float* C, int ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M,
                N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
}  // namespace

bool gemm_own_kernels() { return own_kernels_flag(); }

bool gemm_use_own_kernels(bool on) {
    const bool was = own_kernels_flag();
    own_kernels_flag() = on && own_level() != CpuLevel::baseline;
    return was;
}

// Which shapes take our kernels in gemm(). The rule looks only at the transpositions, K and B's row
// stride, never at M or N, so a GEMM split into blocks of rows or columns (over threads) runs the same
// kernel in every block and gives the bits of the whole.
bool gemm_takes_own_kernel(bool trans_a, bool trans_b, int K, int ldb) {
    if (!own_kernels_flag() || (trans_a && trans_b)) return false;
    // A·Bᵀ: with AVX-512, rows long enough for the fold at the end of each dot product to be cheap;
    // with AVX2, B's panels are packed, which pays while they are reused by enough rows of A.
    if (trans_b) return own_level() == CpuLevel::avx512 ? K >= 256 && K <= 4096 : K <= 4096;
    // A·B, Aᵀ·B: B (K rows of ldb) fits in L2 beside a block of A.
    return K >= 16 && size_t(K) * size_t(ldb) * sizeof(float) <= (size_t(1) << 20);
}

bool gemm_exact_is_bitwise() { return own_kernels_flag() && own_level() != CpuLevel::baseline; }

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
    if (M > 0 && N > 0 && gemm_takes_own_kernel(trans_a, trans_b, K, ldb))
        own_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        blas_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_exact(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
    if (M > 0 && N > 0 && K > 0 && gemm_exact_is_bitwise() && !(trans_a && trans_b))
        own_gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    else
        gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            double acc = 0;
            for (int k = 0; k < K; ++k) {
                double a = trans_a ? A[k * lda + i] : A[i * lda + k];
                double b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
                acc += a * b;
            }
            float old = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = float(alpha * acc + old);
        }
}

void blas_set_threads(int threads) {
    if (threads <= 0) return;
    openblas_set_num_threads(threads);
#ifdef GAN_HAVE_DNNL
    omp_set_num_threads(threads);  // oneDNN's convolutions run on OpenMP
#endif
}

void blas_set_caller_threads(int threads) {
#ifdef GAN_HAVE_DNNL
    if (threads > 0) omp_set_num_threads(threads);
#else
    (void)threads;
#endif
}

}  // namespace gan
