// The CUDA backend's vector operations (axpy, dot) and differentiable augmentation (backend/backend.h),
// each the CPU's formula (backend/cpu_augment.cpp): one block per image for the colour (its means are
// block sums), one thread per output value for the shift and cutout.
#include "cuda/cuda_backend.h"
#include "cuda/cuda_context.cuh"

namespace gan {

namespace {

__global__ void axpy_kernel(float* y, const float* x, size_t n, float a) { GAN_CUDA_LOOP(i, n) y[i] += a * x[i]; }

// One block: Σ x·y in double, in a fixed order, into out[0].
__global__ void dot_kernel(double* out, const float* x, const float* y, size_t n) {
    double s = 0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) s += double(x[i]) * double(y[i]);
    const double total = block_sum(s);
    if (threadIdx.x == 0) out[0] = total;
}

// The block's image: x <- k·(x - mean x) + mean x.
__device__ void contrast(float* x, size_t m, float k) {
    double s = 0;
    for (size_t i = threadIdx.x; i < m; i += blockDim.x) s += x[i];
    const float mean = float(block_sum(s) / double(m));
    for (size_t i = threadIdx.x; i < m; i += blockDim.x) x[i] = k * (x[i] - mean) + mean;
    __syncthreads();
}

// Brightness b then saturation s, a thread per pixel.
__device__ void saturation(float* y, const float* x, int c, int hw, float b, float s) {
    for (int p = threadIdx.x; p < hw; p += blockDim.x) {
        float sum = 0;
        for (int ch = 0; ch < c; ++ch) sum += x[size_t(ch) * hw + p];
        const float mean = sum / float(c) + b;
        for (int ch = 0; ch < c; ++ch) y[size_t(ch) * hw + p] = s * (x[size_t(ch) * hw + p] + b - mean) + mean;
    }
    __syncthreads();
}

__global__ void colour_kernel(float* y, const float* x, int c, int hw, const float* params, bool transpose) {
    const size_t m = size_t(c) * size_t(hw), i = blockIdx.x;
    const float* p = params + 3 * i;
    float* yi = y + i * m;
    const float* xi = x + i * m;
    if (transpose) {
        if (yi != xi)
            for (size_t j = threadIdx.x; j < m; j += blockDim.x) yi[j] = xi[j];
        __syncthreads();
        contrast(yi, m, p[2]);
        saturation(yi, yi, c, hw, 0.0f, p[1]);
    } else {
        saturation(yi, xi, c, hw, p[0], p[1]);
        contrast(yi, m, p[2]);
    }
}

__global__ void shift_kernel(float* y, const float* x, int n, int c, int h, int w, const int* params,
                             bool transpose) {
    GAN_CUDA_LOOP(idx, size_t(n) * c * h * w) {
        const int q = int(idx % size_t(w)), r = int(idx / size_t(w) % size_t(h));
        const size_t plane = idx / (size_t(h) * w), i = plane / size_t(c);
        const int* p = params + 6 * i;
        const int sign = transpose ? -1 : 1, sr = r + sign * p[0], sq = q + sign * p[1];
        const int br = transpose ? sr : r, bq = transpose ? sq : q;
        const bool in = sr >= 0 && sr < h && sq >= 0 && sq < w;
        const bool cut = br >= p[2] && br < p[2] + p[4] && bq >= p[3] && bq < p[3] + p[5];
        y[idx] = in && !cut ? x[plane * h * w + size_t(sr) * w + sq] : 0.0f;
    }
}

}  // namespace

void CudaBackend::axpy(float* y, const float* x, size_t n, float a) {
    if (n == 0) return;
    axpy_kernel<<<blocks_for(n), kThreads>>>(y, x, n, a);
    launch_check("axpy");
}

double CudaBackend::dot(const float* x, const float* y, size_t n) {
    dot_kernel<<<1, kThreads>>>(ctx_->sums.get(1), x, y, n);
    launch_check("dot");
    return ctx_->read_sums(1)[0];
}

void CudaBackend::augment_colour(float* y, const float* x, int n, int c, int hw, const float* params,
                                 bool transpose) {
    if (n == 0) return;
    float* p = ctx_->params.get(size_t(n) * 3);
    cuda_check(cudaMemcpy(p, params, size_t(n) * 3 * sizeof(float), cudaMemcpyHostToDevice), "augment to the GPU");
    colour_kernel<<<unsigned(n), kThreads>>>(y, x, c, hw, p, transpose);
    launch_check("augment_colour");
}

void CudaBackend::augment_shift(float* y, const float* x, int n, int c, int h, int w, const int* params,
                                bool transpose) {
    const size_t total = size_t(n) * c * h * w;
    if (total == 0) return;
    const int* p = ctx_->labels_on_device(params, size_t(n) * 6);
    shift_kernel<<<blocks_for(total), kThreads>>>(y, x, n, c, h, w, p, transpose);
    launch_check("augment_shift");
}

}  // namespace gan
