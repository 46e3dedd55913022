#include "nn/linear.h"

#include "core/check.h"
#include "kernels/activations.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"

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
    if (db) bias_grad_add(db, dy, N, OUT);
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

bool Linear::absorb(std::optional<Epilogue> e) {
    if (e && !(e->act == Act::tanh || (e->act == Act::leaky_relu && e->alpha >= 0.0f))) return false;
    epi_ = e;
    return true;
}

bool Linear::supports(Precision p) const {
    return p == Precision::exact || p == Precision::fast || (p == Precision::bf16 && bf16_supported());
}

void Linear::finish_rows(float* y, size_t r0, size_t r1) const {
    const float* b = o_.bias ? params_.value(b_) : nullptr;
    float* rows = y + r0 * size_t(o_.out);
    const int n = int(r1 - r0), OUT = o_.out;
    const size_t count = size_t(n) * size_t(OUT);
    if (!epi_) {
        if (b)
            for (int i = 0; i < n; ++i)
                for (int o = 0; o < OUT; ++o) rows[size_t(i) * OUT + o] += b[o];
    } else if (epi_->act == Act::leaky_relu) {
        if (b)
            bias_leaky_relu_forward(rows, b, n, OUT, epi_->alpha);
        else
            leaky_relu_forward(rows, rows, count, epi_->alpha);
    } else if (b) {
        if (precision_ == Precision::exact)
            bias_tanh_forward(rows, b, n, OUT);
        else
            bias_tanh_forward_fast(rows, b, n, OUT);
    } else if (precision_ == Precision::exact) {
        tanh_forward(rows, rows, count);
    } else {
        tanh_fast(rows, rows, count);
    }
}

void Linear::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y_ = &y;
    y.resize(out_shape(x.shape));
    if (precision_ == Precision::bf16 && bf16_supported()) return forward_bf16(x, y);
    gemm_rows(pool_, false, true, x.shape.n, o_.out, o_.in, 1.0f, x.data(), o_.in, params_.value(w_), o_.in, 0.0f,
              y.data(), o_.out, [&](size_t r0, size_t r1) { finish_rows(y.data(), r0, r1); });
}

// y = x·Wᵀ with both rounded to bfloat16 and summed in float, then bias and epilogue as in float.
void Linear::forward_bf16(const Tensor& x, Tensor& y) {
    const int N = x.shape.n;
    bf16_pack_weights(w_bf16_, params_.value(w_), o_.out, o_.in);
    x_bf16_.resize(size_t(N) * size_t(w_bf16_.kp()));
    bf16_pack_rows(x_bf16_.data(), x.data(), N, o_.in, o_.in);
    bf16_gemm_nt(N, x_bf16_.data(), w_bf16_, y.data(), o_.out);
    finish_rows(y.data(), 0, size_t(N));
}

void Linear::backward(const Tensor& dy, Tensor* dx) {
    const int N = dy.shape.n, IN = o_.in, OUT = o_.out;
    const float* g = dy.data();  // the gradient at x·Wᵀ + b
    if (epi_) {
        dpre_.resize(dy.shape);
        const float* y = y_->data();
        float* d = dpre_.data();
        const Epilogue e = *epi_;
        parallel_for(pool_, size_t(N), 8, 64, [&](size_t r0, size_t r1) {
            const size_t off = r0 * size_t(OUT), n = (r1 - r0) * size_t(OUT);
            if (e.act == Act::leaky_relu)
                leaky_relu_backward_from_output(d + off, g + off, y + off, n, e.alpha);
            else
                tanh_backward(d + off, g + off, y + off, n);
        });
        g = d;
    }
    if (param_grads) {
        bool overwrite = false;
        float* dw = params_.grad_to_write(w_, &overwrite);
        gemm_split(pool_, true, false, OUT, IN, N, 1.0f, g, OUT, x_->data(), IN, overwrite ? 0.0f : 1.0f, dw, IN);
        if (o_.bias) {
            float* db = params_.grad(b_);
            parallel_for(pool_, size_t(OUT), 8, 64, [&](size_t c0, size_t c1) {
                bias_grad_add(db + c0, g + c0, N, int(c1 - c0), OUT);
            });
        }
    }
    if (!dx) return;
    dx->resize(x_->shape);
    gemm_rows(pool_, false, false, N, IN, OUT, 1.0f, g, OUT, params_.value(w_), IN, 0.0f, dx->data(), IN,
              [](size_t, size_t) {});
}

}  // namespace gan
