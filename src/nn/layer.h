// The layer interface. forward(x, y) writes y and keeps what backward needs (pointers to x and y,
// which the caller keeps alive until backward). backward(dy, dx) ADDS the parameter gradients into
// the arena (unless param_grads is false, as for D during the G update) and overwrites dx; dx may
// be null when the input needs no gradient. "Backward returns dL/dx" is the whole GAN interface:
// D.backward(dlogits) -> dfake, G.backward(dfake).
#pragma once
#include <string>

#include "core/arena.h"
#include "core/tensor.h"

namespace gan {

class Layer {
  public:
    virtual ~Layer() = default;
    virtual Shape out_shape(Shape in) const = 0;  // throws gan::Error on an incompatible input
    virtual void forward(const Tensor& x, Tensor& y) = 0;
    virtual void backward(const Tensor& dy, Tensor* dx) = 0;
    virtual void set_training(bool training) { training_ = training; }
    virtual std::string kind() const = 0;

    bool param_grads = true;

  protected:
    bool training_ = true;
};

}  // namespace gan
