// The CPU backend: the project's kernels (src/kernels) behind the operation table of backend/backend.h,
// with the engine choices they have always made: our AVX2/AVX-512 GEMMs or OpenBLAS (kernels/gemm.h),
// oneDNN or im2col + GEMM for each convolution (backend/dnnl_conv.h), and the Linear layers, Adam and
// the element-wise work split over the backend's own threads (a ThreadPool of `threads`, each part
// single-threaded). Memory is the host's, 64-byte aligned.
// cpu_backend.cpp holds the memory, products and element-wise operations; cpu_conv.cpp the
// convolutions; cpu_norm.cpp batch norm and pooling; cpu_augment.cpp the vector operations and the
// differentiable augmentation.
#pragma once
#include <memory>

#include "backend/backend.h"
#include "backend/dnnl_conv.h"  // conv_engine_use_onednn: the engine switch
#include "core/thread_pool.h"

namespace gan {

class CpuBackend : public Backend {
  public:
    explicit CpuBackend(int threads = 1);  // threads > 1: a pool of that many; else the caller's thread
    Device device() const override { return Device::cpu; }
    int threads() const override { return pool_ ? pool_->size() : 1; }
    bool bitwise_across_splits() const override;
    bool supports(Precision p) const override;

    bool is_host() const override { return true; }
    float* alloc(size_t n) override { return host_memory().alloc(n); }
    void release(float* p) override { host_memory().release(p); }
    void upload(float* dst, const float* host, size_t n) override { host_memory().upload(dst, host, n); }
    void download(float* host, const float* src, size_t n) override { host_memory().download(host, src, n); }
    void copy(float* dst, const float* src, size_t n) override { host_memory().copy(dst, src, n); }
    void zero(float* p, size_t n) override { host_memory().zero(p, n); }
    #include "backend/backend_ops.inc"

  private:
    ThreadPool* pool() const { return pool_.get(); }
    std::unique_ptr<ThreadPool> pool_;
};

}  // namespace gan
