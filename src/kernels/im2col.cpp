#include "kernels/im2col.h"

#include <algorithm>
#include <cstring>

namespace gan {

bool ConvGeom::valid() const {
    return c > 0 && h > 0 && w > 0 && kh > 0 && kw > 0 && sh > 0 && sw > 0 && ph >= 0 && pw >= 0 && dh > 0 &&
           dw > 0 && h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1;
}

// For kernel offset k (already times dilation) along an axis of n input pixels, the output range
// [lo, hi) whose input coordinate o*s - p + k lies inside [0, n).
static void inside_range(int k, int s, int p, int n, int out, int& lo, int& hi) {
    // o*s >= p - k  and  o*s <= n - 1 + p - k
    int a = p - k, b = n - 1 + p - k;
    lo = a <= 0 ? 0 : (a + s - 1) / s;
    hi = b < 0 ? 0 : b / s + 1;
    lo = std::min(lo, out);
    hi = std::clamp(hi, lo, out);
}

void im2col(float* col, size_t ld, const float* x, const ConvGeom& g) {
    const int OH = g.oh(), OW = g.ow();
    for (int ci = 0; ci < g.c; ++ci) {
        const float* xc = x + size_t(ci) * g.h * g.w;
        for (int ki = 0; ki < g.kh; ++ki) {
            int y0, y1;
            inside_range(ki * g.dh, g.sh, g.ph, g.h, OH, y0, y1);
            for (int kj = 0; kj < g.kw; ++kj) {
                int x0, x1;
                inside_range(kj * g.dw, g.sw, g.pw, g.w, OW, x0, x1);
                float* row = col + size_t((ci * g.kh + ki) * g.kw + kj) * ld;
                for (int oy = 0; oy < OH; ++oy) {
                    float* out = row + size_t(oy) * OW;
                    if (oy < y0 || oy >= y1) {
                        std::memset(out, 0, sizeof(float) * OW);
                        continue;
                    }
                    const float* in = xc + size_t(oy * g.sh - g.ph + ki * g.dh) * g.w - g.pw + kj * g.dw;
                    for (int ox = 0; ox < x0; ++ox) out[ox] = 0.0f;
                    if (g.sw == 1)
                        std::memcpy(out + x0, in + x0, sizeof(float) * (x1 - x0));
                    else
                        for (int ox = x0; ox < x1; ++ox) out[ox] = in[ox * g.sw];
                    for (int ox = x1; ox < OW; ++ox) out[ox] = 0.0f;
                }
            }
        }
    }
}

void col2im(float* x, const float* col, size_t ld, const ConvGeom& g) {
    const int OH = g.oh(), OW = g.ow();
    for (int ci = 0; ci < g.c; ++ci) {
        float* xc = x + size_t(ci) * g.h * g.w;
        for (int ki = 0; ki < g.kh; ++ki) {
            int y0, y1;
            inside_range(ki * g.dh, g.sh, g.ph, g.h, OH, y0, y1);
            for (int kj = 0; kj < g.kw; ++kj) {
                int x0, x1;
                inside_range(kj * g.dw, g.sw, g.pw, g.w, OW, x0, x1);
                const float* row = col + size_t((ci * g.kh + ki) * g.kw + kj) * ld;
                for (int oy = y0; oy < y1; ++oy) {
                    const float* in = row + size_t(oy) * OW;
                    float* out = xc + size_t(oy * g.sh - g.ph + ki * g.dh) * g.w - g.pw + kj * g.dw;
                    if (g.sw == 1)
                        for (int ox = x0; ox < x1; ++ox) out[ox] += in[ox];
                    else
                        for (int ox = x0; ox < x1; ++ox) out[ox * g.sw] += in[ox];
                }
            }
        }
    }
}

void im2col_naive(float* col, size_t ld, const float* x, const ConvGeom& g) {
    const int OH = g.oh(), OW = g.ow();
    for (int ci = 0; ci < g.c; ++ci)
        for (int ki = 0; ki < g.kh; ++ki)
            for (int kj = 0; kj < g.kw; ++kj)
                for (int oy = 0; oy < OH; ++oy)
                    for (int ox = 0; ox < OW; ++ox) {
                        int iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                        bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
                        col[size_t((ci * g.kh + ki) * g.kw + kj) * ld + oy * OW + ox] =
                            in ? x[(size_t(ci) * g.h + iy) * g.w + ix] : 0.0f;
                    }
}

void col2im_naive(float* x, const float* col, size_t ld, const ConvGeom& g) {
    const int OH = g.oh(), OW = g.ow();
    for (int ci = 0; ci < g.c; ++ci)
        for (int ki = 0; ki < g.kh; ++ki)
            for (int kj = 0; kj < g.kw; ++kj)
                for (int oy = 0; oy < OH; ++oy)
                    for (int ox = 0; ox < OW; ++ox) {
                        int iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                        if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w)
                            x[(size_t(ci) * g.h + iy) * g.w + ix] +=
                                col[size_t((ci * g.kh + ki) * g.kw + kj) * ld + oy * OW + ox];
                    }
}

}  // namespace gan
