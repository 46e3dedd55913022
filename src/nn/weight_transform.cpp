#include "nn/weight_transform.h"

namespace gan {

size_t WeightShape::size() const {
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    return n;
}

void LayerWeight::place(Memory& mem) {
    w_.on(mem);
    dw_.on(mem);
}

const float* LayerWeight::forward(Backend& be, bool training) {
    if (!transform_) return params_.value(offset_);
    w_.on(be);
    w_.resize({int(shape_.size()), 1, 1, 1});
    transform_->forward(be, w_.data(), params_.value(offset_), shape_, training);
    return w_.data();
}

const float* LayerWeight::current() const { return transform_ ? w_.data() : params_.value(offset_); }

float* LayerWeight::grad(Backend& be, bool* overwrite) {
    if (!transform_) return overwrite ? params_.grad_to_write(offset_, overwrite) : params_.grad(offset_);
    dw_.on(be);
    dw_.resize({int(shape_.size()), 1, 1, 1});
    if (overwrite)
        *overwrite = true;
    else
        be.fill(dw_.data(), dw_.size(), 0.0f);
    return dw_.data();
}

void LayerWeight::finish_grad(Backend& be) {
    if (transform_)
        transform_->backward(be, params_.grad(offset_), dw_.data(), params_.value(offset_), w_.data(), shape_);
}

}  // namespace gan
