#include "nn/batchnorm2d.h"

#include "core/check.h"
#include "core/comm.h"
#include "nn/init.h"

namespace gan {

BatchNorm2d::BatchNorm2d(Arena& params, Arena& buffers, const std::string& prefix, BatchNorm2dOptions o)
    : params_(params), buffers_(buffers), o_(o) {
    GAN_CHECK(o.channels > 0 && o.eps > 0 && o.momentum >= 0 && o.momentum <= 1, prefix,
              ": batchnorm2d needs positive channels and eps and a momentum in [0, 1]");
    w_ = params.add(prefix + ".weight", {o.channels});
    b_ = params.add(prefix + ".bias", {o.channels});
    rm_ = buffers.add(prefix + ".running_mean", {o.channels});
    rv_ = buffers.add(prefix + ".running_var", {o.channels});
    for (int c = 0; c < o.channels; ++c) params.values()[w_ + size_t(c)] = 1.0f;
    reset_running_stats();
}

void BatchNorm2d::reset_running_stats() {
    float* rm = buffers_.values().data() + rm_;
    float* rv = buffers_.values().data() + rv_;
    for (int c = 0; c < o_.channels; ++c) rm[c] = 0.0f, rv[c] = 1.0f;
}

// glorot_uniform: weight 1 (PyTorch's own default); dcgan_normal: N(1, 0.02). Bias 0, statistics reset.
void BatchNorm2d::init(InitScheme scheme, Rng& rng) {
    float* w = params_.values().data() + w_;
    if (scheme == InitScheme::dcgan_normal)
        init_normal(w, size_t(o_.channels), 1.0f, 0.02f, rng);
    else
        std::fill(w, w + o_.channels, 1.0f);
    std::fill(params_.values().data() + b_, params_.values().data() + b_ + o_.channels, 0.0f);
    reset_running_stats();
}

Shape BatchNorm2d::out_shape(Shape in) const {
    GAN_CHECK(in.c == o_.channels, "batchnorm2d expects ", o_.channels, " channels, got ", in.c);
    return in;
}

void BatchNorm2d::placed() {
    mean_.on(*be_);
    rstd_.on(*be_);
}

void BatchNorm2d::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    const int N = x.shape.n, C = x.shape.c, HW = x.shape.h * x.shape.w;
    mean_.resize({1, C, 1, 1});
    rstd_.resize({1, C, 1, 1});
    used_batch_stats_ = training_;
    count_ = double(N) * HW;
    const bool synced = comm_ && comm_->distributed();
    if (training_) {
        GAN_CHECK(synced || size_t(N) * HW > 1, "batchnorm2d in training mode needs more than one value per channel");
        count_ = be_->batchnorm_forward_train(state_, synced ? comm_ : nullptr, y.data(), mean_.data(), rstd_.data(),
                                              x.data(), params_.value(w_), params_.value(b_), buffers_.value(rm_),
                                              buffers_.value(rv_), N, C, HW, o_.eps, o_.momentum);
    } else {
        be_->batchnorm_forward_eval(y.data(), mean_.data(), rstd_.data(), x.data(), params_.value(w_),
                                    params_.value(b_), buffers_.value(rm_), buffers_.value(rv_), N, C, HW, o_.eps);
    }
}

void BatchNorm2d::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    GAN_CHECK(dy.shape == x.shape, "batchnorm2d backward: gradient shape does not match the output");
    if (dx) dx->resize(x.shape);
    float* dweight = param_grads ? params_.grad(w_) : nullptr;
    float* dbias = param_grads ? params_.grad(b_) : nullptr;
    const int N = x.shape.n, C = x.shape.c, HW = x.shape.h * x.shape.w;
    const bool synced = comm_ && comm_->distributed();
    be_->batchnorm_backward(state_, synced ? comm_ : nullptr, dx ? dx->data() : nullptr, dweight, dbias, dy.data(),
                            x.data(), mean_.data(), rstd_.data(), params_.value(w_), N, C, HW, used_batch_stats_,
                            count_);
}

}  // namespace gan
