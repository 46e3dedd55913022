// Linear: y = x · Wᵀ + b.  x (N, IN), W (OUT, IN) as PyTorch stores it, b (OUT), y (N, OUT).
// It absorbs a following LeakyReLU or Tanh (nn/layer.h): y = act(x · Wᵀ + b) in one pass over the GEMM's
// rows, and backward starts with act's gradient taken from y. Work splits over the layer's pool by
// blocks of rows of y (forward, dx) and of columns of dW (backward); every element of a product is one
// sum in a fixed order whatever the split (kernels/gemm.h gemm_exact), so any split gives the same bits.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/gemm_bf16.h"
#include "nn/layer.h"

namespace gan {

struct LinearOptions {
    int in = 0, out = 0;
    bool bias = true;
};

// Kernels. linear_backward adds into dw and db (db may be null) and overwrites dx (may be null).
void linear_forward(float* y, const float* x, const float* w, const float* b, int N, int IN, int OUT);
void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int N,
                     int IN, int OUT);

class Linear final : public Layer {
  public:
    Linear(Arena& params, const std::string& prefix, LinearOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "linear"; }
    bool absorb(std::optional<Epilogue> e) override;
    bool splits_over_pool() const override { return true; }
    bool supports(Precision p) const override;

    const LinearOptions& options() const { return o_; }
    const std::optional<Epilogue>& absorbed() const { return epi_; }
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }

  private:
    // Bias and the absorbed activation over rows [r0, r1) of y, in place.
    void finish_rows(float* y, size_t r0, size_t r1) const;
    void forward_bf16(const Tensor& x, Tensor& y);

    Arena& params_;
    LinearOptions o_;
    size_t w_ = 0, b_ = 0;
    std::optional<Epilogue> epi_;
    const Tensor *x_ = nullptr, *y_ = nullptr;
    Tensor dpre_;                  // (N, OUT) gradient at the pre-activation, when an epilogue is absorbed
    Bf16Matrix w_bf16_;            // bf16 precision: W packed for the bfloat16 kernel
    std::vector<uint32_t> x_bf16_;  // bf16 precision: x's rows as bfloat16 pairs
};

}  // namespace gan
