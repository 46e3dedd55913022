#include "nn/weighted_layer.h"

#include <algorithm>

#include "core/check.h"
#include "nn/init.h"

namespace gan {

WeightedLayer::WeightedLayer(Arena& params, const std::string& prefix, std::vector<int64_t> shape, int out_dim,
                             bool bias)
    : params_(params), bias_(bias) {
    w_ = params.add(prefix + ".weight", shape);
    weight_.emplace(params, w_, WeightShape{shape, out_dim});
    weight_size_ = WeightShape{shape, out_dim}.size();
    bias_size_ = size_t(shape[size_t(out_dim)]);
    int64_t kernel_area = 1;
    for (size_t d = 2; d < shape.size(); ++d) kernel_area *= shape[d];
    fan_in_ = int(shape[1] * kernel_area);
    fan_out_ = int(shape[0] * kernel_area);
    if (bias) b_ = params.add(prefix + ".bias", {int64_t(bias_size_)});
}

void WeightedLayer::init(InitScheme scheme, Rng& rng) {
    float* w = params_.values().data() + w_;
    if (scheme == InitScheme::glorot_uniform)
        init_glorot_uniform(w, weight_size_, fan_in_, fan_out_, rng);
    else
        init_normal(w, weight_size_, 0.0f, 0.02f, rng);
    if (bias_) std::fill(params_.values().data() + b_, params_.values().data() + b_ + bias_size_, 0.0f);
}

Shape ConvLayer::out_shape(Shape in) const {
    const ConvShape s = conv_shape(in);
    return {in.n, s.out, s.oh, s.ow};
}

bool ConvLayer::used_onednn() const { return std::string(be_->conv_engine(state_)) == "onednn"; }

void ConvLayer::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    be_->conv_forward(state_, conv_shape(x.shape), y.data(), x.data(), weight_->forward(*be_, training_), bias_value());
}

void ConvLayer::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    GAN_CHECK(dy.shape == out_shape(x.shape), kind(), " backward: gradient shape does not match the output");
    float* dw = param_grads ? weight_->grad(*be_, nullptr) : nullptr;
    if (dx) dx->resize(x.shape);  // every image is overwritten
    be_->conv_backward(state_, conv_shape(x.shape), dx ? dx->data() : nullptr, dw, bias_grad(), dy.data(), x.data(),
                       weight_->current());
    if (dw) weight_->finish_grad(*be_);
}

}  // namespace gan
