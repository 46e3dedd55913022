#include "nn/pool.h"

#include <cstring>
#include <limits>

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
    arg_.resize(s.size());
    const int H = x.shape.h, W = x.shape.w, K = o_.kernel, S = o_.stride, P = o_.padding;
    const size_t planes = size_t(s.n) * s.c;
    if (K == 2 && S == 2 && P == 0) {  // the common case, without the bounds checks
        for (size_t pl = 0; pl < planes; ++pl) {
            const float* xp = x.data() + pl * H * W;
            float* yp = y.data() + pl * s.h * s.w;
            int32_t* ap = arg_.data() + pl * s.h * s.w;
            for (int oy = 0; oy < s.h; ++oy)
                for (int ox = 0; ox < s.w; ++ox) {
                    const int i0 = 2 * oy * W + 2 * ox;
                    const int cand[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
                    int arg = i0;
                    for (int k = 1; k < 4; ++k) {
                        const float v = xp[cand[k]], b = xp[arg];
                        if (v > b || (v != v && b == b)) arg = cand[k];
                    }
                    yp[oy * s.w + ox] = xp[arg];
                    ap[oy * s.w + ox] = arg;
                }
        }
        return;
    }
    for (size_t pl = 0; pl < planes; ++pl) {
        const float* xp = x.data() + pl * H * W;
        float* yp = y.data() + pl * s.h * s.w;
        int32_t* ap = arg_.data() + pl * s.h * s.w;
        for (int oy = 0; oy < s.h; ++oy)
            for (int ox = 0; ox < s.w; ++ox) {
                float best = -std::numeric_limits<float>::infinity();
                int32_t arg = -1;
                for (int i = 0; i < K; ++i) {
                    const int iy = oy * S - P + i;
                    if (iy < 0 || iy >= H) continue;
                    for (int j = 0; j < K; ++j) {
                        const int ix = ox * S - P + j;
                        if (ix < 0 || ix >= W) continue;
                        const float v = xp[iy * W + ix];
                        // The first maximum wins; a NaN wins and stays, as in PyTorch.
                        if (arg < 0 || v > best || (v != v && best == best)) best = v, arg = iy * W + ix;
                    }
                }
                yp[oy * s.w + ox] = best;
                ap[oy * s.w + ox] = arg;
            }
    }
}

void MaxPool2d::backward(const Tensor& dy, Tensor* dx) {
    if (!dx) return;
    GAN_CHECK(dy.shape == out_shape(in_), "maxpool2d backward: gradient shape does not match the output");
    dx->resize(in_);
    std::memset(dx->data(), 0, dx->size() * sizeof(float));
    const size_t plane_in = size_t(in_.h) * in_.w, plane_out = size_t(dy.shape.h) * dy.shape.w;
    const size_t planes = size_t(in_.n) * in_.c;
    for (size_t pl = 0; pl < planes; ++pl) {
        float* dp = dx->data() + pl * plane_in;
        const float* g = dy.data() + pl * plane_out;
        const int32_t* ap = arg_.data() + pl * plane_out;
        for (size_t o = 0; o < plane_out; ++o) dp[ap[o]] += g[o];
    }
}

}  // namespace gan
