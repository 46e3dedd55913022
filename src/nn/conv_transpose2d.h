// ConvTranspose2d: the adjoint of a strided convolution (torch.nn.ConvTranspose2d, groups 1, dilation 1).
// x (N, IN, H, W), W (IN, OUT, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW) with
//   OH = (H - 1)·stride - 2·padding + KH + output_padding   (likewise OW).
// Each input pixel scatters W[in] · x onto a KH×KW window of the output. The backend computes it
// (conv_forward / conv_backward with ConvShape::transposed; the CPU's in backend/cpu_conv.cpp).
#pragma once
#include <optional>

#include "nn/layer.h"
#include "nn/weight_transform.h"

namespace gan {

struct ConvTranspose2dOptions {
    int in = 0, out = 0;
    int kernel = 4;          // square kernel
    int stride = 1;
    int padding = 0;
    int output_padding = 0;  // extra rows/columns at the bottom/right; must be < stride
    bool bias = true;
};

class ConvTranspose2d final : public Layer {
  public:
    ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "conv_transpose2d"; }
    void init(InitScheme scheme, Rng& rng) override;
    LayerWeight* weight() override { return &*weight_; }

    const ConvTranspose2dOptions& options() const { return o_; }
    size_t weight_offset() const { return w_; }
    bool used_onednn() const;  // the last forward ran through oneDNN
    size_t bias_offset() const { return b_; }

  private:
    void placed() override { weight_->place(*be_); }
    ConvShape conv_shape(Shape in) const;

    Arena& params_;
    ConvTranspose2dOptions o_;
    size_t w_ = 0, b_ = 0;
    std::optional<LayerWeight> weight_;  // the weight at w_, through its transform when one is set
    const Tensor* x_ = nullptr;
};

}  // namespace gan
