#include "nn/conv_transpose2d.h"
#include "kernels/copy_short.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "kernels/gemm.h"

namespace gan {

ConvTranspose2d::ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o)
    : params_(params), o_(o) {
    GAN_CHECK(o.in > 0 && o.out > 0 && o.kernel > 0 && o.stride > 0 && o.padding >= 0, prefix,
              ": conv_transpose2d needs positive channels, kernel and stride and a non-negative padding");
    GAN_CHECK(o.output_padding >= 0 && o.output_padding < o.stride, prefix,
              ": output_padding must be in [0, stride)");
    w_ = params.add(prefix + ".weight", {o.in, o.out, o.kernel, o.kernel});
    if (o.bias) b_ = params.add(prefix + ".bias", {o.out});
}

ConvGeom ConvTranspose2d::geom(Shape out) const {
    return {.c = o_.out, .h = out.h, .w = out.w, .kh = o_.kernel, .kw = o_.kernel, .sh = o_.stride,
            .sw = o_.stride, .ph = o_.padding, .pw = o_.padding};
}

Shape ConvTranspose2d::out_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv_transpose2d expects ", o_.in, " input channels, got ", in.c);
    const int oh = (in.h - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    const int ow = (in.w - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    GAN_CHECK(oh > 0 && ow > 0, "conv_transpose2d padding ", o_.padding, " leaves no output for a ", in.h, "x",
              in.w, " input");
    Shape out{in.n, o_.out, oh, ow};
    ConvGeom g = geom(out);
    GAN_CHECK(g.valid() && g.oh() == in.h && g.ow() == in.w, "conv_transpose2d geometry is inconsistent");
    return out;
}

int ConvTranspose2d::chunk(Shape in) const {
    // About 4 M floats of columns per GEMM, as Conv2d: large enough for the BLAS to run at full speed.
    size_t per_image = size_t(o_.out) * o_.kernel * o_.kernel * in.h * in.w;
    return int(std::clamp<size_t>((size_t(1) << 22) / std::max<size_t>(per_image, 1), 1, std::max(in.n, 1)));
}

GAN_NO_MEMCPY_IDIOM void ConvTranspose2d::pack(const float* x, int n0, int nb, int P) {
    const size_t ld = size_t(nb) * P;
    xp_.resize(size_t(o_.in) * ld);
    for (int i = 0; i < nb; ++i)
        for (int c = 0; c < o_.in; ++c)
            copy_short(xp_.data() + c * ld + size_t(i) * P, x + (size_t(n0 + i) * o_.in + c) * P, P);
}

DnnlConv* ConvTranspose2d::dnnl_for(Shape in) {
    if (o_.bias || !dnnl_pays(o_.in, o_.out, in.h, in.w)) return nullptr;
    const Shape out = out_shape(in);
    const DnnlConvShape s{.transposed = true, .n = in.n, .in = in.c, .out = o_.out, .k = o_.kernel, .stride = o_.stride,
                          .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = out.h, .ow = out.w};
    if (!dnnl_ || !(dnnl_->shape() == s)) dnnl_ = std::make_unique<DnnlConv>(s);
    return dnnl_.get();
}

void ConvTranspose2d::forward(const Tensor& x, Tensor& y) {
    x_ = &x;
    const Shape os = out_shape(x.shape);
    y.resize(os);
    dnnl_used_ = false;
    if (DnnlConv* d = dnnl_for(x.shape)) {
        d->forward(x.data(), params_.value(w_), y.data());
        dnnl_used_ = true;
        return;
    }
    const ConvGeom g = geom(os);
    const int N = x.shape.n, P = x.shape.h * x.shape.w, K = o_.out * o_.kernel * o_.kernel, B = chunk(x.shape);
    const size_t out_img = os.per_sample();
    const float* w = params_.value(w_);
    col_.resize(size_t(K) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        pack(x.data(), n0, nb, P);
        // col (K, nb·P) = Wᵀ (K, IN) · X (IN, nb·P)
        gemm(true, false, K, int(ld), o_.in, 1.0f, w, K, xp_.data(), int(ld), 0.0f, col_.data(), int(ld));
        col2im_batch(y.data() + n0 * out_img, out_img, col_.data(), ld, nb, g, false);  // overwrites y's images
    }
    if (o_.bias) {
        const float* b = params_.value(b_);
        const size_t hw = size_t(os.h) * os.w;
        for (int n = 0; n < N; ++n)
            for (int c = 0; c < o_.out; ++c) {
                float* p = y.data() + (size_t(n) * o_.out + c) * hw;
                for (size_t k = 0; k < hw; ++k) p[k] += b[c];
            }
    }
}

GAN_NO_MEMCPY_IDIOM void ConvTranspose2d::backward(const Tensor& dy, Tensor* dx) {
    const Tensor& x = *x_;
    const Shape os = out_shape(x.shape);
    GAN_CHECK(dy.shape == os, "conv_transpose2d backward: gradient shape does not match the output");
    float* dw = param_grads ? params_.grad(w_) : nullptr;
    float* db = param_grads && o_.bias ? params_.grad(b_) : nullptr;
    if (dx) dx->resize(x.shape);
    if (dnnl_used_) {
        if (dw || dx) dnnl_->backward(dy.data(), dx ? dx->data() : nullptr, dw);
        return;
    }
    if (db) {
        const size_t hw = size_t(os.h) * os.w;
        for (int n = 0; n < os.n; ++n)
            for (int c = 0; c < o_.out; ++c) {
                const float* p = dy.data() + (size_t(n) * o_.out + c) * hw;
                double s = 0;
                for (size_t k = 0; k < hw; ++k) s += p[k];
                db[c] += float(s);
            }
    }
    if (!dw && !dx) return;
    const ConvGeom g = geom(os);
    const int N = x.shape.n, P = x.shape.h * x.shape.w, K = o_.out * o_.kernel * o_.kernel, B = chunk(x.shape);
    const size_t out_img = os.per_sample();
    const float* w = params_.value(w_);
    col_.resize(size_t(K) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        // dcol (K, nb·P): the windows of dy that each input pixel wrote to.
        im2col_batch(col_.data(), ld, dy.data() + n0 * out_img, out_img, nb, g);
        if (dw) {  // dW (IN, K) += X (IN, nb·P) · dcolᵀ
            pack(x.data(), n0, nb, P);
            gemm(false, true, o_.in, K, int(ld), 1.0f, xp_.data(), int(ld), col_.data(), int(ld), 1.0f, dw, K);
        }
        if (dx) {  // dX (IN, nb·P) = W (IN, K) · dcol, then unpacked image by image
            xp_.resize(size_t(o_.in) * ld);
            gemm(false, false, o_.in, int(ld), K, 1.0f, w, K, col_.data(), int(ld), 0.0f, xp_.data(), int(ld));
            for (int i = 0; i < nb; ++i)
                for (int c = 0; c < o_.in; ++c)
                    copy_short(dx->data() + (size_t(n0 + i) * o_.in + c) * P, xp_.data() + c * ld + size_t(i) * P, P);
        }
    }
}

}  // namespace gan
