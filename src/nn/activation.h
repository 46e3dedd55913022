// Parameter-free element-wise layers: LeakyReLU(alpha), ReLU, Tanh, Sigmoid. LeakyReLU with alpha >= 0
// and Tanh offer themselves as an epilogue (nn/layer.h): computed from the output alone, so the layer
// before may apply them in its own pass.
#pragma once
#include "nn/layer.h"

namespace gan {

class Activation final : public Layer {
  public:
    explicit Activation(Act act, float alpha = 0.01f) : act_(act), alpha_(alpha) {}
    Shape out_shape(Shape in) const override { return in; }
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override;
    std::optional<Epilogue> epilogue() const override;
    bool splits_over_pool() const override { return true; }
    Act act() const { return act_; }
    float alpha() const { return alpha_; }

  private:
    Act act_;
    float alpha_;
    const Tensor *x_ = nullptr, *y_ = nullptr;
};

}  // namespace gan
