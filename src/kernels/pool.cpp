#include "kernels/pool.h"

#include <cstring>
#include <limits>

#include "core/maxpool_window.h"

namespace gan {

namespace {

// maxpool_window_arg for the common 2x2 window of stride 2 without padding, without the bounds checks.
inline int window_2x2_arg(const float* xp, int W, int oy, int ox) {
    const int i0 = 2 * oy * W + 2 * ox;
    const int cand[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
    int arg = i0;
    for (int k = 1; k < 4; ++k) {
        const float v = xp[cand[k]], b = xp[arg];
        if (v > b || (v != v && b == b)) arg = cand[k];
    }
    return arg;
}

}  // namespace

void maxpool_forward(float* y, int* args, const float* x, size_t planes, int h, int w, int oh, int ow, int kernel,
                     int stride, int pad) {
    const bool two_by_two = kernel == 2 && stride == 2 && pad == 0;
    for (size_t pl = 0; pl < planes; ++pl) {
        const float* xp = x + pl * h * w;
        float* yp = y + pl * oh * ow;
        int* ap = args + pl * oh * ow;
        for (int oy = 0; oy < oh; ++oy)
            for (int ox = 0; ox < ow; ++ox) {
                const int arg = two_by_two ? window_2x2_arg(xp, w, oy, ox)
                                           : maxpool_window_arg(xp, h, w, oy, ox, kernel, stride, pad);
                yp[oy * ow + ox] = arg < 0 ? -std::numeric_limits<float>::infinity() : xp[arg];
                ap[oy * ow + ox] = arg;
            }
    }
}

void maxpool_backward(float* dx, const float* dy, const int* args, size_t planes, int h, int w, int oh, int ow) {
    const size_t plane_in = size_t(h) * w, plane_out = size_t(oh) * ow;
    std::memset(dx, 0, planes * plane_in * sizeof(float));
    for (size_t pl = 0; pl < planes; ++pl) {
        float* dp = dx + pl * plane_in;
        const float* g = dy + pl * plane_out;
        const int* ap = args + pl * plane_out;
        for (size_t o = 0; o < plane_out; ++o) dp[ap[o]] += g[o];
    }
}

}  // namespace gan
