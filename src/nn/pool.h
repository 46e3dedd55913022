// MaxPool2d (torch.nn.MaxPool2d without dilation or ceil_mode): y[n,c,oy,ox] = max of the
// kernel x kernel window at (oy*stride - padding, ox*stride - padding); padding counts as -inf.
// Backward routes each output gradient to the input that won the window (the first in reading
// order on ties, as PyTorch), adding when windows overlap.
#pragma once
#include "nn/layer.h"

namespace gan {

struct MaxPool2dOptions {
    int kernel = 2;
    int stride = 0;  // 0 = kernel
    int padding = 0;
};

class MaxPool2d final : public Layer {
  public:
    explicit MaxPool2d(MaxPool2dOptions o = {});
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "maxpool2d"; }

  private:
    MaxPool2dOptions o_;
    Shape in_;
};

}  // namespace gan
