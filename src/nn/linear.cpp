#include "nn/linear.h"

#include "core/check.h"
#include "kernels/gemm.h"

namespace gan {

void linear_forward(float* y, const float* x, const float* w, const float* b, int N, int IN, int OUT) {
    gemm_exact(false, true, N, OUT, IN, 1.0f, x, IN, w, IN, 0.0f, y, OUT);
    if (b)
        for (int i = 0; i < N; ++i)
            for (int o = 0; o < OUT; ++o) y[size_t(i) * OUT + o] += b[o];
}

void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x, const float* w, int N,
                     int IN, int OUT) {
    if (dw) gemm_exact(true, false, OUT, IN, N, 1.0f, dy, OUT, x, IN, 1.0f, dw, IN);  // dW += dyᵀ x
    if (db)
        for (int i = 0; i < N; ++i)
            for (int o = 0; o < OUT; ++o) db[o] += dy[size_t(i) * OUT + o];
    if (dx) gemm_exact(false, false, N, IN, OUT, 1.0f, dy, OUT, w, IN, 0.0f, dx, IN);  // dx = dy W
}

Linear::Linear(Arena& params, const std::string& prefix, LinearOptions o) : params_(params), o_(o) {
    GAN_CHECK(o.in > 0 && o.out > 0, prefix, ": linear layer needs positive sizes");
    w_ = params.add(prefix + ".weight", {o.out, o.in});
    if (o.bias) b_ = params.add(prefix + ".bias", {o.out});
}

Shape Linear::out_shape(Shape in) const {
    GAN_CHECK(int(in.per_sample()) == o_.in, "linear layer expects ", o_.in, " inputs per sample, got ",
              in.per_sample());
    return {in.n, o_.out, 1, 1};
}

void Linear::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    linear_forward(y.data(), x.data(), params_.value(w_), o_.bias ? params_.value(b_) : nullptr, x.shape.n,
                   o_.in, o_.out);
}

void Linear::backward(const Tensor& dy, Tensor* dx) {
    if (dx) dx->resize(x_->shape);
    float* dw = param_grads ? params_.grad(w_) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    linear_backward(dx ? dx->data() : nullptr, dw, db, dy.data(), x_->data(), params_.value(w_), dy.shape.n,
                    o_.in, o_.out);
}

}  // namespace gan
