// The CUDA backend (issue 28): the operation table of backend/backend.h on one NVIDIA GPU. Products on
// cuBLAS, convolutions on cuDNN (a transposed convolution is cuDNN's backward-data), everything else
// in this folder's own kernels. Memory is the GPU's (cudaMalloc); scalars a caller needs come back
// by copies to the host, and labels, image bytes and pixels given in host memory are copied across.
// fp32 throughout: cuBLAS and cuDNN are kept off TF32, so each op matches the CPU's contract to a
// float's rounding (not bitwise: the sums run in another order). Only built with GAN_WITH_CUDA; this
// header itself needs no CUDA headers.
// cuda_backend.cu: the memory, the products and the element-wise work; cuda_conv.cu: convolutions;
// cuda_norm.cu: batch norm and pooling; cuda_loss.cu: losses, Adam, EMA and the data conversions.
#pragma once
#include <memory>
#include <string>

#include "backend/backend.h"

namespace gan {

// The cuBLAS and cuDNN handles and the small scratch the ops share (cuda_context.cuh).
struct CudaContext;

// The reason this process cannot use a GPU, in one line ("no CUDA GPU ...", "the NVIDIA driver ..."),
// or empty when it can.
std::string cuda_unavailable();

class CudaBackend final : public Backend {
  public:
    CudaBackend();  // on the current GPU; throws gan::Error with cuda_unavailable() when there is none
    ~CudaBackend() override;
    Device device() const override { return Device::cuda; }
    bool bitwise_across_splits() const override { return false; }
    bool supports(Precision p) const override { return p != Precision::bf16; }

    bool is_host() const override { return false; }
    float* alloc(size_t n) override;
    void release(float* p) override;
    void upload(float* dst, const float* host, size_t n) override;
    void download(float* host, const float* src, size_t n) override;
    void copy(float* dst, const float* src, size_t n) override;
    void zero(float* p, size_t n) override;
    #include "backend/backend_ops.inc"

  private:
    std::unique_ptr<CudaContext> ctx_;
};

}  // namespace gan
