// The CUDA backend's memory, products, activations and class conditioning (cuda_backend.h).
#include "cuda/cuda_backend.h"

#include <new>

#include "cuda/cuda_context.cuh"

namespace gan {

std::string cuda_unavailable() {
    int count = 0;
    const cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaErrorInsufficientDriver)
        return "the NVIDIA driver is missing or older than this build's CUDA runtime";
    if (e == cudaErrorNoDevice || (e == cudaSuccess && count == 0)) return "no CUDA GPU on this machine";
    if (e != cudaSuccess) return str("CUDA cannot start: ", cudaGetErrorString(e));
    return "";
}

// make_backend's branch for Device::cuda (backend/backend.cpp declares it, so that the backend module
// does not include this folder).
std::unique_ptr<Backend> make_cuda_backend() { return std::make_unique<CudaBackend>(); }

CudaBackend::CudaBackend() : ctx_(std::make_unique<CudaContext>()) {
    const std::string why = cuda_unavailable();
    GAN_CHECK(why.empty(), "--device cuda: ", why);
    cublas_check(cublasCreate(&ctx_->cublas), "cublasCreate");
    // fp32 products as the CPU computes them: no TF32 (CUBLAS_DEFAULT_MATH), results independent of
    // the run (no atomics in cuBLAS's reductions).
    cublas_check(cublasSetMathMode(ctx_->cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    cublas_check(cublasSetAtomicsMode(ctx_->cublas, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode");
    cudnn_check(cudnnCreate(&ctx_->cudnn), "cudnnCreate");
}

CudaBackend::~CudaBackend() {
    if (ctx_->cudnn) cudnnDestroy(ctx_->cudnn);
    if (ctx_->cublas) cublasDestroy(ctx_->cublas);
}

// ---- memory

float* CudaBackend::alloc(size_t n) {
    void* p = nullptr;
    // cudaMalloc aligns to 256 bytes, more than Memory's 64.
    if (cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(float)) != cudaSuccess) {
        cudaGetLastError();  // clear the error so the next call does not report it
        throw std::bad_alloc();
    }
    return static_cast<float*>(p);
}

void CudaBackend::release(float* p) { cuda_check(cudaFree(p), "cudaFree"); }

void CudaBackend::upload(float* dst, const float* host, size_t n) {
    if (n) cuda_check(cudaMemcpy(dst, host, n * sizeof(float), cudaMemcpyHostToDevice), "upload");
}

void CudaBackend::download(float* host, const float* src, size_t n) {
    if (n) cuda_check(cudaMemcpy(host, src, n * sizeof(float), cudaMemcpyDeviceToHost), "download");
}

void CudaBackend::copy(float* dst, const float* src, size_t n) {
    if (n && dst != src) cuda_check(cudaMemcpy(dst, src, n * sizeof(float), cudaMemcpyDeviceToDevice), "copy");
}

void CudaBackend::zero(float* p, size_t n) {
    if (n) cuda_check(cudaMemset(p, 0, n * sizeof(float)), "zero");
}

namespace {

__global__ void fill_kernel(float* x, size_t n, float value) {
    GAN_CUDA_LOOP(i, n) x[i] = value;
}

__global__ void scale_kernel(float* x, size_t n, float a) {
    GAN_CUDA_LOOP(i, n) x[i] *= a;
}

}  // namespace

void CudaBackend::fill(float* x, size_t n, float value) {
    if (!n) return;
    fill_kernel<<<blocks_for(n), kThreads>>>(x, n, value);
    launch_check("fill");
}

void CudaBackend::scale(float* x, size_t n, float a) {
    if (!n) return;
    scale_kernel<<<blocks_for(n), kThreads>>>(x, n, a);
    launch_check("scale");
}

void CudaBackend::copy_2d(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t rows, size_t cols) {
    if (!rows || !cols) return;
    cuda_check(cudaMemcpy2D(dst, dst_ld * sizeof(float), src, src_ld * sizeof(float), cols * sizeof(float), rows,
                            cudaMemcpyDeviceToDevice),
               "copy_2d");
}

// ---- products

// cuBLAS is column-major: a row-major matrix is its transpose there, so row-major C = op(A)·op(B) is
// column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, the same call with the operands (and their sizes) swapped.
void CudaBackend::gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc) {
    if (M == 0 || N == 0) return;
    cublas_check(cublasSgemm(ctx_->cublas, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
                             N, M, K, &alpha, B, ldb, A, lda, &beta, C, ldc),
                 "sgemm");
}

}  // namespace gan
