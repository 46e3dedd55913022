// What the CUDA backend's files share (cuda_backend.h): error checks that throw gan::Error with a
// one-line message, device buffers that free themselves, launch sizes, a block-wide double sum, and
// the context (handles and scratch) every op runs with. Internal to src/cuda: only .cu files include it.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/check.h"

namespace gan {

inline void cuda_check(cudaError_t e, const char* what) {
    GAN_CHECK(e == cudaSuccess, "CUDA: ", what, ": ", cudaGetErrorString(e));
}
inline void cublas_check(cublasStatus_t s, const char* what) {
    GAN_CHECK(s == CUBLAS_STATUS_SUCCESS, "cuBLAS: ", what, ": ", cublasGetStatusString(s));
}
inline void cudnn_check(cudnnStatus_t s, const char* what) {
    GAN_CHECK(s == CUDNN_STATUS_SUCCESS, "cuDNN: ", what, ": ", cudnnGetErrorString(s));
}
// After a kernel launch: a bad configuration shows here, a fault at the next synchronising call.
inline void launch_check(const char* kernel) { cuda_check(cudaGetLastError(), kernel); }

// Bytes on the GPU, grown on demand and never shrunk (the per-layer scratch of an OpState).
template <class T>
class DeviceBuffer {
  public:
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer() { cudaFree(p_); }  // no throw from a destructor; a failed free changes nothing here
    T* get(size_t n) {
        if (n > n_) {
            cuda_check(cudaFree(p_), "cudaFree");
            p_ = nullptr;
            n_ = 0;
            cuda_check(cudaMalloc(&p_, n * sizeof(T)), "cudaMalloc (scratch)");
            n_ = n;
        }
        return p_;
    }
    T* data() const { return p_; }

  private:
    T* p_ = nullptr;
    size_t n_ = 0;
};

// Page-locked host bytes, grown on demand: a copy from them to the GPU runs asynchronously, in stream
// order before the kernels queued after it. get() waits for the last copy out of the buffer (copied()
// marks it) before handing the bytes out again.
class PinnedStaging {
  public:
    PinnedStaging() = default;
    PinnedStaging(const PinnedStaging&) = delete;
    PinnedStaging& operator=(const PinnedStaging&) = delete;
    ~PinnedStaging() {  // no throw from a destructor
        if (done_) cudaEventDestroy(done_);
        cudaFreeHost(p_);
    }
    uint8_t* get(size_t n) {
        if (done_) cuda_check(cudaEventSynchronize(done_), "the last copy from the staging buffer");
        if (n > n_) {
            cuda_check(cudaFreeHost(p_), "cudaFreeHost");
            p_ = nullptr;
            n_ = 0;
            cuda_check(cudaMallocHost(&p_, n), "cudaMallocHost (page-locked staging for the batch)");
            n_ = n;
        }
        return p_;
    }
    // Copies n bytes of the buffer to dst on the GPU, asynchronously on the default stream.
    void copy_to_device(void* dst, size_t n) {
        cuda_check(cudaMemcpyAsync(dst, p_, n, cudaMemcpyHostToDevice, 0), "image rows to the GPU");
        if (!done_) cuda_check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
        cuda_check(cudaEventRecord(done_, 0), "cudaEventRecord");
    }

  private:
    uint8_t* p_ = nullptr;
    size_t n_ = 0;
    cudaEvent_t done_ = nullptr;
};

constexpr int kThreads = 256;
// Blocks for a grid-stride loop over n elements (kernels loop, so the grid may be smaller than n).
inline unsigned blocks_for(size_t n) {
    const size_t b = (n + kThreads - 1) / kThreads;
    return unsigned(b < 1 ? 1 : (b > 65535 ? 65535 : b));
}

// A grid-stride loop: i over [0, n) across every thread of the launch.
#define GAN_CUDA_LOOP(i, n) \
    for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < (n); i += size_t(gridDim.x) * blockDim.x)

// The sum of every thread's v over a block of kThreads threads, returned to every thread. The order of
// the additions is fixed by the thread indices, so it is the same on every run.
__device__ inline double block_sum(double v) {
    __shared__ double part[kThreads];
    part[threadIdx.x] = v;
    __syncthreads();
    for (int half = kThreads / 2; half > 0; half /= 2) {
        if (int(threadIdx.x) < half) part[threadIdx.x] += part[threadIdx.x + half];
        __syncthreads();
    }
    const double total = part[0];
    __syncthreads();  // part may be reused by the caller's next block_sum
    return total;
}

struct CudaContext {
    cublasHandle_t cublas = nullptr;
    cudnnHandle_t cudnn = nullptr;
    DeviceBuffer<double> sums;       // reductions read back by the host
    DeviceBuffer<int> labels;        // labels (and an augmentation's offsets) copied from the host
    DeviceBuffer<float> params;      // an augmentation's per-image values copied from the host
    DeviceBuffer<uint8_t> bytes;     // image bytes in, pixels out
    DeviceBuffer<unsigned char> workspace;  // cuDNN's
    PinnedStaging staging;           // the host side of a gather of image rows

    // The host's labels[0..n) on the device.
    const int* labels_on_device(const int* host, size_t n) {
        int* d = labels.get(n);
        cuda_check(cudaMemcpy(d, host, n * sizeof(int), cudaMemcpyHostToDevice), "labels to the GPU");
        return d;
    }
    // sums[0..n) read back.
    std::vector<double> read_sums(size_t n) {
        std::vector<double> h(n);
        cuda_check(cudaMemcpy(h.data(), sums.data(), n * sizeof(double), cudaMemcpyDeviceToHost), "sums to the host");
        return h;
    }
};

}  // namespace gan
