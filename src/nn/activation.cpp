#include "nn/activation.h"

namespace gan {

void Activation::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y_ = &y;
    y.resize(x.shape);
    be_->act_forward(act_, alpha_, y.data(), x.data(), x.size());
}

void Activation::backward(const Tensor& dy, Tensor* dx) {
    if (!dx) return;
    dx->resize(dy.shape);
    be_->act_backward(act_, alpha_, dx->data(), dy.data(), x_->data(), y_->data(), dy.size());
}

std::string Activation::kind() const {
    switch (act_) {
        case Act::leaky_relu: return "leaky_relu";
        case Act::relu: return "relu";
        case Act::tanh: return "tanh";
        case Act::sigmoid: return "sigmoid";
    }
    return "?";
}

}  // namespace gan

namespace gan {

std::optional<Epilogue> Activation::epilogue() const {
    if (act_ == Act::tanh || (act_ == Act::leaky_relu && alpha_ >= 0.0f)) return Epilogue{act_, alpha_};
    return std::nullopt;
}

}  // namespace gan
