#include "nn/linear.h"

#include "core/check.h"

namespace gan {

namespace {

const LinearOptions& checked(const LinearOptions& o, const std::string& prefix) {
    GAN_CHECK(o.in > 0 && o.out > 0, prefix, ": linear layer needs positive sizes");
    return o;
}

}  // namespace

Linear::Linear(Arena& params, const std::string& prefix, LinearOptions o)
    : WeightedLayer(params, prefix, {checked(o, prefix).out, o.in}, 0, o.bias), o_(o) {}

Shape Linear::out_shape(Shape in) const {
    GAN_CHECK(int(in.per_sample()) == o_.in, "linear layer expects ", o_.in, " inputs per sample, got ",
              in.per_sample());
    return {in.n, o_.out, 1, 1};
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
    be_->linear_forward(state_, y.data(), x.data(), weight_->forward(*be_, training_), bias_value(), x.shape.n, o_.in,
                        o_.out, epi_, precision_);
}

void Linear::backward(const Tensor& dy, Tensor* dx) {
    bool overwrite = false;
    float* dw = param_grads ? weight_->grad(*be_, &overwrite) : nullptr;
    float* db = bias_grad();
    if (dx) dx->resize(x_->shape);
    be_->linear_backward(state_, dx ? dx->data() : nullptr, dw, overwrite, db, dy.data(), x_->data(), y_->data(),
                         weight_->current(), dy.shape.n, o_.in, o_.out, epi_);
    if (dw) weight_->finish_grad(*be_);
}

}  // namespace gan
