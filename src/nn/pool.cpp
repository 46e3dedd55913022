#include "nn/pool.h"

#include "core/check.h"

namespace gan {

MaxPool2d::MaxPool2d(MaxPool2dOptions o) : o_(o) {
    if (o_.stride == 0) o_.stride = o_.kernel;
    GAN_CHECK(o_.kernel > 0 && o_.stride > 0 && o_.padding >= 0 && 2 * o_.padding <= o_.kernel,
              "maxpool2d needs a positive kernel and stride and a padding of at most half the kernel");
}

Shape MaxPool2d::out_shape(Shape in) const {
    GAN_CHECK(in.h + 2 * o_.padding >= o_.kernel && in.w + 2 * o_.padding >= o_.kernel, "maxpool2d kernel ",
              o_.kernel, " does not fit a ", in.h, "x", in.w, " input");
    return {in.n, in.c, (in.h + 2 * o_.padding - o_.kernel) / o_.stride + 1,
            (in.w + 2 * o_.padding - o_.kernel) / o_.stride + 1};
}

void MaxPool2d::forward(const Tensor& x, Tensor& y) {
    in_ = x.shape;
    const Shape s = out_shape(x.shape);
    y.resize(s);
    be_->maxpool_forward(state_, y.data(), x.data(), s.n * s.c, x.shape.h, x.shape.w, s.h, s.w, o_.kernel,
                         o_.stride, o_.padding);
}

void MaxPool2d::backward(const Tensor& dy, Tensor* dx) {
    if (!dx) return;
    GAN_CHECK(dy.shape == out_shape(in_), "maxpool2d backward: gradient shape does not match the output");
    dx->resize(in_);
    be_->maxpool_backward(state_, dx->data(), dy.data(), in_.n * in_.c, in_.h, in_.w, dy.shape.h, dy.shape.w);
}

}  // namespace gan
