// Conv2d: y = W ⋆ x + b (cross-correlation, as torch.nn.Conv2d). x (N, IN, H, W),
// W (OUT, IN, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW).
// The backend computes it (conv_forward / conv_backward); the CPU backend's engines are in
// backend/cpu_conv.cpp.
#pragma once
#include "nn/weighted_layer.h"

namespace gan {

struct Conv2dOptions {
    int in = 0, out = 0;
    int kernel = 3;       // square kernel (kh = kw = kernel) unless kh/kw are set
    int stride = 1;
    int padding = 0;
    bool bias = true;
    int kh = 0, kw = 0;   // 0 = kernel
};

class Conv2d final : public ConvLayer {
  public:
    Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o);
    std::string kind() const override { return "conv2d"; }

    const Conv2dOptions& options() const { return o_; }
    int kh() const { return o_.kh; }
    int kw() const { return o_.kw; }

  private:
    ConvShape conv_shape(Shape in) const override;
    Conv2dOptions o_;
};

}  // namespace gan
