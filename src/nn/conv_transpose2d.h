// ConvTranspose2d: the adjoint of a strided convolution (torch.nn.ConvTranspose2d, groups 1, dilation 1).
// x (N, IN, H, W), W (IN, OUT, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW) with
//   OH = (H - 1)·stride - 2·padding + KH + output_padding   (likewise OW).
// Each input pixel scatters W[in] · x onto a KH×KW window of the output. The backend computes it
// (conv_forward / conv_backward with ConvShape::transposed; the CPU's in backend/cpu_conv.cpp).
#pragma once
#include "nn/weighted_layer.h"

namespace gan {

struct ConvTranspose2dOptions {
    int in = 0, out = 0;
    int kernel = 4;          // square kernel
    int stride = 1;
    int padding = 0;
    int output_padding = 0;  // extra rows/columns at the bottom/right; must be < stride
    bool bias = true;
};

class ConvTranspose2d final : public ConvLayer {
  public:
    ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o);
    std::string kind() const override { return "conv_transpose2d"; }

    const ConvTranspose2dOptions& options() const { return o_; }

  private:
    ConvShape conv_shape(Shape in) const override;
    ConvTranspose2dOptions o_;
};

}  // namespace gan
