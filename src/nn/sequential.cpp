#include "nn/sequential.h"

#include "core/check.h"

namespace gan {

Shape Sequential::check_shapes(Shape in) const {
    for (size_t i = 0; i < layers_.size(); ++i) {
        try {
            in = layers_[i]->out_shape(in);
        } catch (const Error& e) {
            throw Error(str(prefix_, ".", i, " (", layers_[i]->kind(), "): ", e.what()));
        }
    }
    return in;
}

const Tensor& Sequential::forward(const Tensor& x) {
    GAN_CHECK(!layers_.empty(), prefix_, ": empty model");
    const Tensor* in = &x;
    for (size_t i = 0; i < layers_.size(); ++i) {
        layers_[i]->forward(*in, acts_[i]);
        in = &acts_[i];
    }
    return acts_.back();
}

void Sequential::backward(const Tensor& dy, Tensor* dx) {
    const Tensor* g = &dy;
    for (size_t i = layers_.size(); i-- > 0;) {
        Tensor* out = i == 0 ? dx : &grad_[i % 2];
        layers_[i]->backward(*g, out);
        if (i > 0) g = out;
    }
}

void Sequential::set_param_grads(bool on) {
    for (auto& l : layers_) l->param_grads = on;
}

void Sequential::set_training(bool training) {
    for (auto& l : layers_) l->set_training(training);
}

}  // namespace gan
