#include "nn/linear.h"

#include <algorithm>

#include "core/check.h"
#include "nn/init.h"

namespace gan {

Linear::Linear(Arena& params, const std::string& prefix, LinearOptions o) : params_(params), o_(o) {
    GAN_CHECK(o.in > 0 && o.out > 0, prefix, ": linear layer needs positive sizes");
    w_ = params.add(prefix + ".weight", {o.out, o.in});
    weight_.emplace(params, w_, WeightShape{{o.out, o.in}, 0});
    if (o.bias) b_ = params.add(prefix + ".bias", {o.out});
}

Shape Linear::out_shape(Shape in) const {
    GAN_CHECK(int(in.per_sample()) == o_.in, "linear layer expects ", o_.in, " inputs per sample, got ",
              in.per_sample());
    return {in.n, o_.out, 1, 1};
}

void Linear::init(InitScheme scheme, Rng& rng) {
    float* w = params_.values().data() + w_;
    const size_t n = size_t(o_.out) * o_.in;
    if (scheme == InitScheme::glorot_uniform)
        init_glorot_uniform(w, n, o_.in, o_.out, rng);
    else
        init_normal(w, n, 0.0f, 0.02f, rng);
    if (o_.bias) std::fill(params_.values().data() + b_, params_.values().data() + b_ + o_.out, 0.0f);
}

bool Linear::absorb(std::optional<Epilogue> e) {
    if (e && !(e->act == Act::tanh || (e->act == Act::leaky_relu && e->alpha >= 0.0f))) return false;
    epi_ = e;
    return true;
}

bool Linear::supports(Precision p) const { return p != Precision::bf16 || be_->supports(p); }

void Linear::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y_ = &y;
    y.resize(out_shape(x.shape));
    be_->linear_forward(state_, y.data(), x.data(), weight_->forward(*be_, training_), o_.bias ? params_.value(b_) : nullptr,
                        x.shape.n, o_.in, o_.out, epi_, precision_);
}

void Linear::backward(const Tensor& dy, Tensor* dx) {
    bool overwrite = false;
    float* dw = param_grads ? weight_->grad(*be_, &overwrite) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    if (dx) dx->resize(x_->shape);
    be_->linear_backward(state_, dx ? dx->data() : nullptr, dw, overwrite, db, dy.data(), x_->data(), y_->data(),
                         weight_->current(), dy.shape.n, o_.in, o_.out, epi_);
    if (dw) weight_->finish_grad(*be_);
}

}  // namespace gan
