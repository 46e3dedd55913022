// Parameter-free element-wise layers: LeakyReLU(alpha), ReLU, Tanh, Sigmoid.
#pragma once
#include "nn/layer.h"

namespace gan {

enum class Act { leaky_relu, relu, tanh, sigmoid };

class Activation final : public Layer {
  public:
    explicit Activation(Act act, float alpha = 0.01f) : act_(act), alpha_(alpha) {}
    Shape out_shape(Shape in) const override { return in; }
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override;
    Act act() const { return act_; }
    float alpha() const { return alpha_; }

  private:
    Act act_;
    float alpha_;
    const Tensor *x_ = nullptr, *y_ = nullptr;
};

}  // namespace gan
