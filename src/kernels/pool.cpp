#include "kernels/pool.h"

#include <cstring>
#include <limits>

namespace gan {

void maxpool_forward(float* y, int* args, const float* x, size_t planes, int h, int w, int oh, int ow, int kernel,
                     int stride, int pad) {
    const int H = h, W = w, K = kernel, S = stride, P = pad;
    if (K == 2 && S == 2 && P == 0) {  // the common case, without the bounds checks
        for (size_t pl = 0; pl < planes; ++pl) {
            const float* xp = x + pl * H * W;
            float* yp = y + pl * oh * ow;
            int* ap = args + pl * oh * ow;
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox) {
                    const int i0 = 2 * oy * W + 2 * ox;
                    const int cand[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
                    int arg = i0;
                    for (int k = 1; k < 4; ++k) {
                        const float v = xp[cand[k]], b = xp[arg];
                        if (v > b || (v != v && b == b)) arg = cand[k];
                    }
                    yp[oy * ow + ox] = xp[arg];
                    ap[oy * ow + ox] = arg;
                }
        }
        return;
    }
    for (size_t pl = 0; pl < planes; ++pl) {
        const float* xp = x + pl * H * W;
        float* yp = y + pl * oh * ow;
        int* ap = args + pl * oh * ow;
        for (int oy = 0; oy < oh; ++oy)
            for (int ox = 0; ox < ow; ++ox) {
                float best = -std::numeric_limits<float>::infinity();
                int arg = -1;
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
                yp[oy * ow + ox] = best;
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
