#include "nn/conv_transpose2d.h"

#include <algorithm>

#include "core/check.h"
#include "nn/init.h"

namespace gan {

ConvTranspose2d::ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o)
    : params_(params), o_(o) {
    GAN_CHECK(o.in > 0 && o.out > 0 && o.kernel > 0 && o.stride > 0 && o.padding >= 0, prefix,
              ": conv_transpose2d needs positive channels, kernel and stride and a non-negative padding");
    GAN_CHECK(o.output_padding >= 0 && o.output_padding < o.stride, prefix,
              ": output_padding must be in [0, stride)");
    w_ = params.add(prefix + ".weight", {o.in, o.out, o.kernel, o.kernel});
    weight_.emplace(params, w_, WeightShape{{o.in, o.out, o.kernel, o.kernel}, 1});
    if (o.bias) b_ = params.add(prefix + ".bias", {o.out});
}

ConvShape ConvTranspose2d::conv_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv_transpose2d expects ", o_.in, " input channels, got ", in.c);
    const int oh = (in.h - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    const int ow = (in.w - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    GAN_CHECK(oh > 0 && ow > 0, "conv_transpose2d padding ", o_.padding, " leaves no output for a ", in.h, "x",
              in.w, " input");
    // The convolution from y back to x must land on x's size exactly.
    GAN_CHECK(oh + 2 * o_.padding >= o_.kernel && (oh + 2 * o_.padding - o_.kernel) / o_.stride + 1 == in.h &&
                  (ow + 2 * o_.padding - o_.kernel) / o_.stride + 1 == in.w,
              "conv_transpose2d geometry is inconsistent");
    return {.transposed = true, .n = in.n, .in = in.c, .out = o_.out, .kh = o_.kernel, .kw = o_.kernel,
            .stride = o_.stride, .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = oh, .ow = ow};
}

// Glorot's fans as PyTorch counts them for a convolution: channels times the kernel's area.
void ConvTranspose2d::init(InitScheme scheme, Rng& rng) {
    float* w = params_.values().data() + w_;
    const size_t n = size_t(o_.in) * o_.out * o_.kernel * o_.kernel;
    if (scheme == InitScheme::glorot_uniform)
        init_glorot_uniform(w, n, (o_.out * o_.kernel * o_.kernel), (o_.in * o_.kernel * o_.kernel), rng);
    else
        init_normal(w, n, 0.0f, 0.02f, rng);
    if (o_.bias) std::fill(params_.values().data() + b_, params_.values().data() + b_ + o_.out, 0.0f);
}

Shape ConvTranspose2d::out_shape(Shape in) const {
    const ConvShape s = conv_shape(in);
    return {in.n, o_.out, s.oh, s.ow};
}

bool ConvTranspose2d::used_onednn() const { return std::string(be_->conv_engine(state_)) == "onednn"; }

void ConvTranspose2d::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    be_->conv_forward(state_, conv_shape(x.shape), y.data(), x.data(), weight_->forward(*be_, training_),
                      o_.bias ? params_.value(b_) : nullptr);
}

void ConvTranspose2d::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    GAN_CHECK(dy.shape == out_shape(x.shape), "conv_transpose2d backward: gradient shape does not match the output");
    float* dw = param_grads ? weight_->grad(*be_, nullptr) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    if (dx) dx->resize(x.shape);
    be_->conv_backward(state_, conv_shape(x.shape), dx ? dx->data() : nullptr, dw, db, dy.data(), x.data(),
                       weight_->current());
    if (dw) weight_->finish_grad(*be_);
}

}  // namespace gan
