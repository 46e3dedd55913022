// What the layers with a weight share: WeightedLayer keeps a weight (through a LayerWeight, so a
// parametrisation such as spectral norm applies to it) and an optional bias in the model's arena, and
// draws them by the model's InitScheme with the fans PyTorch takes from the weight's shape (Linear,
// Conv2d, ConvTranspose2d); ConvLayer is one convolution
// through the backend (conv_forward / conv_backward), described by the subclass's ConvShape (Conv2d,
// ConvTranspose2d).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "nn/layer.h"
#include "nn/weight_transform.h"

namespace gan {

class WeightedLayer : public Layer {
  public:
    LayerWeight* weight() override { return &*weight_; }
    // The weight from Glorot's uniform or from N(0, 0.02); the bias zero. Glorot's fans are PyTorch's
    // (torch.nn.init): fan_in = shape[1], fan_out = shape[0], each times the kernel's area, so a
    // transposed convolution's weight (in, out, k, k) has its output channels in fan_in.
    void init(InitScheme scheme, Rng& rng) override;
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }

  protected:
    // Adds prefix.weight of `shape` (its output dimension at out_dim) and, when bias is set, prefix.bias
    // of shape[out_dim] values.
    WeightedLayer(Arena& params, const std::string& prefix, std::vector<int64_t> shape, int out_dim, bool bias);
    const float* bias_value() const { return bias_ ? params_.value(b_) : nullptr; }
    float* bias_grad() { return param_grads && bias_ ? params_.grad(b_) : nullptr; }
    void placed() override { weight_->place(*be_); }

    Arena& params_;
    size_t w_ = 0, b_ = 0;
    bool bias_ = false;
    std::optional<LayerWeight> weight_;  // the weight at w_, through its transform when one is set
    const Tensor* x_ = nullptr;          // the last forward's input

  private:
    size_t weight_size_ = 0, bias_size_ = 0;
    int fan_in_ = 0, fan_out_ = 0;
};

class ConvLayer : public WeightedLayer {
  public:
    Shape out_shape(Shape in) const override;
    void forward(const Tensor& x, Tensor& y) override;
    void backward(const Tensor& dy, Tensor* dx) override;
    bool used_onednn() const;  // the last forward ran through oneDNN

  protected:
    using WeightedLayer::WeightedLayer;
    // The convolution for an input of shape in; throws gan::Error when the input does not fit.
    virtual ConvShape conv_shape(Shape in) const = 0;
};

}  // namespace gan
