// What the layers with a weight share: WeightedLayer keeps a weight (through a LayerWeight, so a
// parametrisation such as spectral norm applies to it) and an optional bias in the model's arena, and
// draws them by the model's InitScheme (Linear, Conv2d, ConvTranspose2d); ConvLayer is one convolution
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
    size_t weight_offset() const { return w_; }
    size_t bias_offset() const { return b_; }

  protected:
    // Adds prefix.weight of `shape` (its output dimension at out_dim) and, when bias is set, prefix.bias
    // of shape[out_dim] values.
    WeightedLayer(Arena& params, const std::string& prefix, std::vector<int64_t> shape, int out_dim, bool bias);
    // The weight from Glorot's uniform with these fans or from N(0, 0.02); the bias zero.
    void init_weight(InitScheme scheme, Rng& rng, int fan_in, int fan_out);
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
