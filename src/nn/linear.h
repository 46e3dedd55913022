// Linear: y = x · Wᵀ + b.  x (N, IN), W (OUT, IN) as PyTorch stores it, b (OUT), y (N, OUT).
#pragma once
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

    const LinearOptions& options() const { return o_; }
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }

  private:
    Arena& params_;
    LinearOptions o_;
    size_t w_ = 0, b_ = 0;
    const Tensor* x_ = nullptr;
};

}  // namespace gan
