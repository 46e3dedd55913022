#include "kernels/gemm.h"

#include <cblas.h>
#include <sched.h>

#include <algorithm>

#ifdef GAN_HAVE_DNNL
#include <omp.h>  // oneDNN's runtime (nn/dnnl_conv.h)
#endif

namespace gan {

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M,
                N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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

int blas_get_threads() { return openblas_get_num_threads(); }

int usable_cpus() {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
}

int blas_auto_threads(int batch) {
    if (batch < 256) return 1;
    return std::clamp(usable_cpus(), 1, 4);
}

}  // namespace gan
