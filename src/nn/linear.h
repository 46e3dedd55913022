// Linear: y = x · Wᵀ + b.  x (N, IN), W (OUT, IN) as PyTorch stores it, b (OUT), y (N, OUT).
// It absorbs a following LeakyReLU or Tanh (nn/layer.h): y = act(x · Wᵀ + b) in one backend call
// (linear_forward), and backward starts with act's gradient taken from y. How the work splits over
// threads is the backend's (the CPU backend's products give the same bits whatever the split).
#pragma once
#include <optional>

#include "nn/layer.h"
#include "nn/weight_transform.h"

namespace gan {

struct LinearOptions {
    int in = 0, out = 0;
    bool bias = true;
};

class Linear final : public Layer {
  public:
    Linear(Arena& params, const std::string& prefix, LinearOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "linear"; }
    void init(InitScheme scheme, Rng& rng) override;
    LayerWeight* weight() override { return &*weight_; }
    bool absorb(std::optional<Epilogue> e) override;
    bool splits_over_pool() const override { return true; }
    bool supports(Precision p) const override;

    const LinearOptions& options() const { return o_; }
    const std::optional<Epilogue>& absorbed() const { return epi_; }
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }

  private:
    void placed() override { weight_->place(*be_); }
    Arena& params_;
    LinearOptions o_;
    size_t w_ = 0, b_ = 0;
    std::optional<LayerWeight> weight_;  // the weight at w_, through its transform when one is set
    std::optional<Epilogue> epi_;
    const Tensor *x_ = nullptr, *y_ = nullptr;
};

}  // namespace gan
