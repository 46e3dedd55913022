// Conv2d: y = W ⋆ x + b (cross-correlation, as torch.nn.Conv2d). x (N, IN, H, W),
// W (OUT, IN, KH, KW) as PyTorch stores it, b (OUT), y (N, OUT, OH, OW).
// The backend computes it (conv_forward / conv_backward); the CPU backend's engines are in
// backend/cpu_conv.cpp.
#pragma once
#include <optional>

#include "nn/layer.h"
#include "nn/weight_transform.h"

namespace gan {

struct Conv2dOptions {
    int in = 0, out = 0;
    int kernel = 3;       // square kernel (kh = kw = kernel) unless kh/kw are set
    int stride = 1;
    int padding = 0;
    bool bias = true;
    int kh = 0, kw = 0;   // 0 = kernel
};

class Conv2d final : public Layer {
  public:
    Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o);
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    std::string kind() const override { return "conv2d"; }
    void init(InitScheme scheme, Rng& rng) override;
    LayerWeight* weight() override { return &*weight_; }

    const Conv2dOptions& options() const { return o_; }
    int kh() const { return o_.kh; }
    int kw() const { return o_.kw; }
    size_t weight_offset() const { return w_; }
    bool used_onednn() const;  // the last forward ran through oneDNN
    size_t bias_offset() const { return b_; }
    int fan_in() const { return o_.in * o_.kh * o_.kw; }

  private:
    void placed() override { weight_->place(*be_); }
    ConvShape conv_shape(Shape in) const;

    Arena& params_;
    Conv2dOptions o_;
    size_t w_ = 0, b_ = 0;
    std::optional<LayerWeight> weight_;  // the weight at w_, through its transform when one is set
    const Tensor* x_ = nullptr;
};

}  // namespace gan
