// Linear: y = x · Wᵀ + b.  x (N, IN), W (OUT, IN) as PyTorch stores it, b (OUT), y (N, OUT).
// It absorbs a following LeakyReLU or Tanh (nn/layer.h): y = act(x · Wᵀ + b) in one backend call
// (linear_forward), and backward starts with act's gradient taken from y. How the work splits over
// threads is the backend's (the CPU backend's products give the same bits whatever the split).
#pragma once
#include <optional>

#include "nn/weighted_layer.h"

namespace gan {

struct LinearOptions {
    int in = 0, out = 0;
    bool bias = true;
};

class Linear final : public WeightedLayer {
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

  private:
    LinearOptions o_;
    std::optional<Epilogue> epi_;
    const Tensor* y_ = nullptr;
};

}  // namespace gan
