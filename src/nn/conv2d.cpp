#include "nn/conv2d.h"
#include "kernels/copy_short.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "kernels/gemm.h"

namespace gan {

Conv2d::Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o) : params_(params), o_(o) {
    if (o_.kh == 0) o_.kh = o_.kernel;
    if (o_.kw == 0) o_.kw = o_.kernel;
    GAN_CHECK(o_.in > 0 && o_.out > 0 && o_.kh > 0 && o_.kw > 0 && o_.stride > 0 && o_.padding >= 0, prefix,
              ": conv2d needs positive channels, kernel and stride and a non-negative padding");
    w_ = params.add(prefix + ".weight", {o_.out, o_.in, o_.kh, o_.kw});
    if (o_.bias) b_ = params.add(prefix + ".bias", {o_.out});
}

ConvGeom Conv2d::geom(Shape in) const {
    return {.c = in.c, .h = in.h, .w = in.w, .kh = o_.kh, .kw = o_.kw, .sh = o_.stride, .sw = o_.stride,
            .ph = o_.padding, .pw = o_.padding};
}

Shape Conv2d::out_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv2d expects ", o_.in, " input channels, got ", in.c);
    ConvGeom g = geom(in);
    GAN_CHECK(g.valid(), "conv2d kernel ", o_.kh, "x", o_.kw, " does not fit a ", in.h, "x", in.w, " input");
    return {in.n, o_.out, g.oh(), g.ow()};
}

int Conv2d::chunk(const ConvGeom& g, int n) const {
    // About 4 M floats of columns per GEMM: big enough for BLAS to run at full speed.
    size_t per_image = size_t(g.rows()) * g.cols();
    return int(std::clamp<size_t>((size_t(1) << 22) / std::max<size_t>(per_image, 1), 1, std::max(n, 1)));
}

DnnlConv* Conv2d::dnnl_for(Shape in) {
    const Shape out = out_shape(in);
    if (o_.bias || o_.kh != o_.kw || !dnnl_pays(in.c, o_.out, out.h, out.w)) return nullptr;
    const DnnlConvShape s{.transposed = false, .n = in.n, .in = in.c, .out = o_.out, .k = o_.kh, .stride = o_.stride,
                          .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = out.h, .ow = out.w};
    if (!dnnl_ || !(dnnl_->shape() == s)) dnnl_ = std::make_unique<DnnlConv>(s);
    return dnnl_.get();
}

void Conv2d::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    y.resize(out_shape(x.shape));
    dnnl_used_ = false;
    if (DnnlConv* d = dnnl_for(x.shape)) {
        d->forward(x.data(), params_.value(w_), y.data());
        dnnl_used_ = true;
        cols_valid_ = false;
        return;
    }
    const ConvGeom g = geom(x.shape);
    const int N = x.shape.n, P = g.cols(), K = g.rows(), B = chunk(g, N);
    const float* w = params_.value(w_);
    const float* b = o_.bias ? params_.value(b_) : nullptr;
    col_.resize(size_t(K) * B * P);
    tmp_.resize(size_t(o_.out) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        im2col_batch(col_.data(), ld, x.data() + n0 * x.shape.per_sample(), x.shape.per_sample(), nb, g);
        // tmp (OUT, nb*P) = W (OUT, K) · col (K, nb*P)
        gemm(false, false, o_.out, int(ld), K, 1.0f, w, K, col_.data(), int(ld), 0.0f, tmp_.data(), int(ld));
        for (int i = 0; i < nb; ++i)
            for (int o = 0; o < o_.out; ++o) {
                const float* src = tmp_.data() + o * ld + size_t(i) * P;
                float* dst = y.data() + (size_t(n0 + i) * o_.out + o) * P;
                const float bo = b ? b[o] : 0.0f;
                for (int p = 0; p < P; ++p) dst[p] = src[p] + bo;
            }
    }
    cols_valid_ = B >= N;  // col_ holds the columns of the whole batch: backward's dW reuses them
}

GAN_NO_MEMCPY_IDIOM void Conv2d::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    GAN_CHECK(dy.shape == out_shape(x.shape), "conv2d backward: gradient shape does not match the output");
    const ConvGeom g = geom(x.shape);
    const int N = x.shape.n, P = g.cols(), K = g.rows(), B = chunk(g, N);
    float* dw = param_grads ? params_.grad(w_) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    if (dx) dx->resize(x.shape);  // every image is overwritten by its chunk's col2im
    if (!dw && !db && !dx) return;
    if (dnnl_used_) {
        dnnl_->backward(dy.data(), dx ? dx->data() : nullptr, dw);
        return;
    }
    const bool have_cols = cols_valid_ && B >= N;
    cols_valid_ = false;  // dx's GEMM below writes over col_
    col_.resize(size_t(K) * B * P);
    tmp_.resize(size_t(o_.out) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        // tmp (OUT, nb*P): the chunk's dy with the images side by side, as forward's GEMM produced it.
        for (int i = 0; i < nb; ++i)
            for (int o = 0; o < o_.out; ++o)
                copy_short(tmp_.data() + o * ld + size_t(i) * P, dy.data() + (size_t(n0 + i) * o_.out + o) * P, P);
        if (db)
            for (int o = 0; o < o_.out; ++o) {
                const float* r = tmp_.data() + o * ld;
                double s = 0;
                for (size_t p = 0; p < ld; ++p) s += r[p];
                db[o] += float(s);
            }
        if (dw) {  // dW (OUT, K) += dy (OUT, nb*P) · colᵀ
            if (!have_cols)
                im2col_batch(col_.data(), ld, x.data() + n0 * x.shape.per_sample(), x.shape.per_sample(), nb, g);
            gemm(false, true, o_.out, K, int(ld), 1.0f, tmp_.data(), int(ld), col_.data(), int(ld), 1.0f, dw, K);
        }
        if (dx) {  // dcol (K, nb*P) = Wᵀ · dy, then scattered back onto the pixels it was read from
            gemm(true, false, K, int(ld), o_.out, 1.0f, params_.value(w_), K, tmp_.data(), int(ld), 0.0f,
                 col_.data(), int(ld));
            col2im_batch(dx->data() + n0 * x.shape.per_sample(), x.shape.per_sample(), col_.data(), ld, nb, g,
                         false);
        }
    }
}

}  // namespace gan
