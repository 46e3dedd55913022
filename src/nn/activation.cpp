#include "nn/activation.h"

#include "kernels/activations.h"

namespace gan {

void Activation::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y_ = &y;
    y.resize(x.shape);
    switch (act_) {
        case Act::leaky_relu: leaky_relu_forward(y.data(), x.data(), x.size(), alpha_); break;
        case Act::relu: relu_forward(y.data(), x.data(), x.size()); break;
        case Act::tanh: tanh_forward(y.data(), x.data(), x.size()); break;
        case Act::sigmoid: sigmoid_forward(y.data(), x.data(), x.size()); break;
    }
}

void Activation::backward(const Tensor& dy, Tensor* dx) {
    if (!dx) return;
    dx->resize(dy.shape);
    switch (act_) {
        case Act::leaky_relu: leaky_relu_backward(dx->data(), dy.data(), x_->data(), dy.size(), alpha_); break;
        case Act::relu: relu_backward(dx->data(), dy.data(), x_->data(), dy.size()); break;
        case Act::tanh: tanh_backward(dx->data(), dy.data(), y_->data(), dy.size()); break;
        case Act::sigmoid: sigmoid_backward(dx->data(), dy.data(), y_->data(), dy.size()); break;
    }
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
