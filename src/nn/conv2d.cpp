#include "nn/conv2d.h"

#include <algorithm>

#include "core/check.h"
#include "nn/init.h"

namespace gan {

Conv2d::Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o) : params_(params), o_(o) {
    if (o_.kh == 0) o_.kh = o_.kernel;
    if (o_.kw == 0) o_.kw = o_.kernel;
    GAN_CHECK(o_.in > 0 && o_.out > 0 && o_.kh > 0 && o_.kw > 0 && o_.stride > 0 && o_.padding >= 0, prefix,
              ": conv2d needs positive channels, kernel and stride and a non-negative padding");
    w_ = params.add(prefix + ".weight", {o_.out, o_.in, o_.kh, o_.kw});
    weight_.emplace(params, w_, WeightShape{{o_.out, o_.in, o_.kh, o_.kw}, 0});
    if (o_.bias) b_ = params.add(prefix + ".bias", {o_.out});
}

ConvShape Conv2d::conv_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv2d expects ", o_.in, " input channels, got ", in.c);
    const int oh = (in.h + 2 * o_.padding - o_.kh) / o_.stride + 1;
    const int ow = (in.w + 2 * o_.padding - o_.kw) / o_.stride + 1;
    GAN_CHECK(in.h + 2 * o_.padding >= o_.kh && in.w + 2 * o_.padding >= o_.kw && oh > 0 && ow > 0, "conv2d kernel ",
              o_.kh, "x", o_.kw, " does not fit a ", in.h, "x", in.w, " input");
    return {.transposed = false, .n = in.n, .in = in.c, .out = o_.out, .kh = o_.kh, .kw = o_.kw, .stride = o_.stride,
            .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = oh, .ow = ow};
}

// Glorot's fans as PyTorch counts them for a convolution: channels times the kernel's area.
void Conv2d::init(InitScheme scheme, Rng& rng) {
    float* w = params_.values().data() + w_;
    const size_t n = size_t(o_.out) * o_.in * o_.kh * o_.kw;
    if (scheme == InitScheme::glorot_uniform)
        init_glorot_uniform(w, n, (o_.in * o_.kh * o_.kw), (o_.out * o_.kh * o_.kw), rng);
    else
        init_normal(w, n, 0.0f, 0.02f, rng);
    if (o_.bias) std::fill(params_.values().data() + b_, params_.values().data() + b_ + o_.out, 0.0f);
}

Shape Conv2d::out_shape(Shape in) const {
    const ConvShape s = conv_shape(in);
    return {in.n, o_.out, s.oh, s.ow};
}

bool Conv2d::used_onednn() const { return std::string(be_->conv_engine(state_)) == "onednn"; }

void Conv2d::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    be_->conv_forward(state_, conv_shape(x.shape), y.data(), x.data(), weight_->forward(*be_, training_),
                      o_.bias ? params_.value(b_) : nullptr);
}

void Conv2d::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    GAN_CHECK(dy.shape == out_shape(x.shape), "conv2d backward: gradient shape does not match the output");
    float* dw = param_grads ? weight_->grad(*be_, nullptr) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    if (dx) dx->resize(x.shape);  // every image is overwritten
    be_->conv_backward(state_, conv_shape(x.shape), dx ? dx->data() : nullptr, dw, db, dy.data(), x.data(),
                       weight_->current());
    if (dw) weight_->finish_grad(*be_);
}

}  // namespace gan
