// The CPU backend's convolutions: oneDNN's direct primitives for the shapes where they were measured to
// win (backend/dnnl_conv.h), else im2col + GEMM over chunks of images side by side (about 4 M floats
// of columns per GEMM, large enough for the BLAS to run at full speed; memory stays bounded by the
// chunk). A convolution whose whole batch fits one chunk keeps the forward's columns for the weight
// gradient; a transposed convolution is the same pair of kernels the other way round:
//   forward   col (OUT·KH·KW, nb·H·W) = Wᵀ · X, then y = col2im(col)
//   backward  dcol = im2col(dy), dX = W · dcol, dW += X · dcolᵀ
#include <algorithm>
#include <memory>
#include <vector>

#include "backend/cpu_backend.h"
#include "kernels/copy_short.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"

namespace gan {

namespace {

struct ConvState final : OpState {
    std::unique_ptr<DnnlConv> dnnl;
    bool dnnl_used = false;         // the last forward went through dnnl
    std::vector<float> col, tmp;    // conv: (rows, chunk·P), (OUT, chunk·P); transposed: col (OUT·KH·KW, chunk·P)
    std::vector<float> xp;          // transposed: (IN, chunk·H·W), the chunk's x (or dx) with images side by side
    bool cols_valid = false;        // conv: col holds the columns of the last forward's whole batch
};

ConvState& conv_state(OpStatePtr& st) {
    if (!st) st = std::make_unique<ConvState>();
    return static_cast<ConvState&>(*st);
}

// The convolution's geometry: x -> y for Conv2d; y -> x (the adjoint's) for a transposed one.
ConvGeom geom(const ConvShape& s) {
    const int c = s.transposed ? s.out : s.in, h = s.transposed ? s.oh : s.ih, w = s.transposed ? s.ow : s.iw;
    return {.c = c, .h = h, .w = w, .kh = s.kh, .kw = s.kw, .sh = s.stride, .sw = s.stride, .ph = s.pad, .pw = s.pad};
}

// Images per GEMM: about 4 M floats of columns.
int chunk(size_t per_image, int n) {
    return int(std::clamp<size_t>((size_t(1) << 22) / std::max<size_t>(per_image, 1), 1, std::max(n, 1)));
}

// oneDNN for this shape when it pays (and the layer has no bias), else null.
DnnlConv* dnnl_for(ConvState& cs, const ConvShape& s, bool has_bias) {
    const bool pays = s.transposed ? dnnl_pays(s.in, s.out, s.ih, s.iw) : dnnl_pays(s.in, s.out, s.oh, s.ow);
    if (has_bias || s.kh != s.kw || !pays) return nullptr;
    const DnnlConvShape d{.transposed = s.transposed, .n = s.n, .in = s.in, .out = s.out, .k = s.kh,
                          .stride = s.stride, .pad = s.pad, .ih = s.ih, .iw = s.iw, .oh = s.oh, .ow = s.ow};
    if (!cs.dnnl || !(cs.dnnl->shape() == d)) cs.dnnl = std::make_unique<DnnlConv>(d);
    return cs.dnnl.get();
}

void conv2d_forward(ConvState& cs, const ConvShape& s, float* y, const float* x, const float* w, const float* b) {
    const ConvGeom g = geom(s);
    const int N = s.n, P = g.cols(), K = g.rows(), B = chunk(size_t(K) * P, N);
    const size_t in_img = size_t(s.in) * s.ih * s.iw;
    cs.col.resize(size_t(K) * B * P);
    cs.tmp.resize(size_t(s.out) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        im2col_batch(cs.col.data(), ld, x + n0 * in_img, in_img, nb, g);
        // tmp (OUT, nb*P) = W (OUT, K) · col (K, nb*P)
        gemm(false, false, s.out, int(ld), K, 1.0f, w, K, cs.col.data(), int(ld), 0.0f, cs.tmp.data(), int(ld));
        for (int i = 0; i < nb; ++i)
            for (int o = 0; o < s.out; ++o) {
                const float* src = cs.tmp.data() + o * ld + size_t(i) * P;
                float* dst = y + (size_t(n0 + i) * s.out + o) * P;
                const float bo = b ? b[o] : 0.0f;
                for (int p = 0; p < P; ++p) dst[p] = src[p] + bo;
            }
    }
    cs.cols_valid = B >= N;  // col holds the columns of the whole batch: the backward's dW reuses them
}

GAN_NO_MEMCPY_IDIOM void conv2d_backward(ConvState& cs, const ConvShape& s, float* dx, float* dw, float* db,
                                         const float* dy, const float* x, const float* w) {
    const ConvGeom g = geom(s);
    const int N = s.n, P = g.cols(), K = g.rows(), B = chunk(size_t(K) * P, N);
    const size_t in_img = size_t(s.in) * s.ih * s.iw;
    const bool have_cols = cs.cols_valid && B >= N;
    cs.cols_valid = false;  // dx's GEMM below writes over col
    cs.col.resize(size_t(K) * B * P);
    cs.tmp.resize(size_t(s.out) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        // tmp (OUT, nb*P): the chunk's dy with the images side by side, as forward's GEMM produced it.
        for (int i = 0; i < nb; ++i)
            for (int o = 0; o < s.out; ++o)
                copy_short(cs.tmp.data() + o * ld + size_t(i) * P, dy + (size_t(n0 + i) * s.out + o) * P, P);
        if (db)
            for (int o = 0; o < s.out; ++o) {
                const float* r = cs.tmp.data() + o * ld;
                double sum = 0;
                for (size_t p = 0; p < ld; ++p) sum += r[p];
                db[o] += float(sum);
            }
        if (dw) {  // dW (OUT, K) += dy (OUT, nb*P) · colᵀ
            if (!have_cols) im2col_batch(cs.col.data(), ld, x + n0 * in_img, in_img, nb, g);
            gemm(false, true, s.out, K, int(ld), 1.0f, cs.tmp.data(), int(ld), cs.col.data(), int(ld), 1.0f, dw, K);
        }
        if (dx) {  // dcol (K, nb*P) = Wᵀ · dy, then scattered back onto the pixels it was read from
            gemm(true, false, K, int(ld), s.out, 1.0f, w, K, cs.tmp.data(), int(ld), 0.0f, cs.col.data(), int(ld));
            col2im_batch(dx + n0 * in_img, in_img, cs.col.data(), ld, nb, g, false);
        }
    }
}

// x images n0 .. n0 + nb - 1 -> xp (IN, nb·P).
GAN_NO_MEMCPY_IDIOM void pack(ConvState& cs, const ConvShape& s, const float* x, int n0, int nb, int P) {
    const size_t ld = size_t(nb) * P;
    cs.xp.resize(size_t(s.in) * ld);
    for (int i = 0; i < nb; ++i)
        for (int c = 0; c < s.in; ++c)
            copy_short(cs.xp.data() + c * ld + size_t(i) * P, x + (size_t(n0 + i) * s.in + c) * P, P);
}

void transposed_forward(ConvState& cs, const ConvShape& s, float* y, const float* x, const float* w,
                        const float* b) {
    const ConvGeom g = geom(s);
    const int N = s.n, P = s.ih * s.iw, K = s.out * s.kh * s.kw, B = chunk(size_t(K) * P, N);
    const size_t out_img = size_t(s.out) * s.oh * s.ow;
    cs.col.resize(size_t(K) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        pack(cs, s, x, n0, nb, P);
        // col (K, nb·P) = Wᵀ (K, IN) · X (IN, nb·P)
        gemm(true, false, K, int(ld), s.in, 1.0f, w, K, cs.xp.data(), int(ld), 0.0f, cs.col.data(), int(ld));
        col2im_batch(y + n0 * out_img, out_img, cs.col.data(), ld, nb, g, false);  // overwrites y's images
    }
    if (b) {
        const size_t hw = size_t(s.oh) * s.ow;
        for (int n = 0; n < N; ++n)
            for (int c = 0; c < s.out; ++c) {
                float* p = y + (size_t(n) * s.out + c) * hw;
                for (size_t k = 0; k < hw; ++k) p[k] += b[c];
            }
    }
}

GAN_NO_MEMCPY_IDIOM void transposed_backward(ConvState& cs, const ConvShape& s, float* dx, float* dw, float* db,
                                             const float* dy, const float* x, const float* w) {
    const size_t hw = size_t(s.oh) * s.ow, out_img = size_t(s.out) * hw;
    if (db)
        for (int n = 0; n < s.n; ++n)
            for (int c = 0; c < s.out; ++c) {
                const float* p = dy + (size_t(n) * s.out + c) * hw;
                double sum = 0;
                for (size_t k = 0; k < hw; ++k) sum += p[k];
                db[c] += float(sum);
            }
    if (!dw && !dx) return;
    const ConvGeom g = geom(s);
    const int N = s.n, P = s.ih * s.iw, K = s.out * s.kh * s.kw, B = chunk(size_t(K) * P, N);
    cs.col.resize(size_t(K) * B * P);
    for (int n0 = 0; n0 < N; n0 += B) {
        const int nb = std::min(B, N - n0);
        const size_t ld = size_t(nb) * P;
        // dcol (K, nb·P): the windows of dy that each input pixel wrote to.
        im2col_batch(cs.col.data(), ld, dy + n0 * out_img, out_img, nb, g);
        if (dw) {  // dW (IN, K) += X (IN, nb·P) · dcolᵀ
            pack(cs, s, x, n0, nb, P);
            gemm(false, true, s.in, K, int(ld), 1.0f, cs.xp.data(), int(ld), cs.col.data(), int(ld), 1.0f, dw, K);
        }
        if (dx) {  // dX (IN, nb·P) = W (IN, K) · dcol, then unpacked image by image
            cs.xp.resize(size_t(s.in) * ld);
            gemm(false, false, s.in, int(ld), K, 1.0f, w, K, cs.col.data(), int(ld), 0.0f, cs.xp.data(), int(ld));
            for (int i = 0; i < nb; ++i)
                for (int c = 0; c < s.in; ++c)
                    copy_short(dx + (size_t(n0 + i) * s.in + c) * P, cs.xp.data() + c * ld + size_t(i) * P, P);
        }
    }
}

}  // namespace

void CpuBackend::conv_forward(OpStatePtr& st, const ConvShape& s, float* y, const float* x, const float* w,
                              const float* b) {
    ConvState& cs = conv_state(st);
    cs.dnnl_used = false;
    if (DnnlConv* d = dnnl_for(cs, s, b != nullptr)) {
        d->forward(x, w, y);
        cs.dnnl_used = true;
        cs.cols_valid = false;
        return;
    }
    if (s.transposed)
        transposed_forward(cs, s, y, x, w, b);
    else
        conv2d_forward(cs, s, y, x, w, b);
}

void CpuBackend::conv_backward(OpStatePtr& st, const ConvShape& s, float* dx, float* dw, float* db, const float* dy,
                               const float* x, const float* w) {
    ConvState& cs = conv_state(st);
    if (!dw && !db && !dx) return;
    if (cs.dnnl_used) {
        if (dw || dx) cs.dnnl->backward(dy, dx, dw);
        return;
    }
    if (s.transposed)
        transposed_backward(cs, s, dx, dw, db, dy, x, w);
    else
        conv2d_backward(cs, s, dx, dw, db, dy, x, w);
}

const char* CpuBackend::conv_engine(const OpStatePtr& st) const {
    const auto* cs = static_cast<const ConvState*>(st.get());
    return cs && cs->dnnl_used ? "onednn" : "im2col";
}

}  // namespace gan
