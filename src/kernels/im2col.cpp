#include "kernels/im2col.h"
#include "kernels/copy_short.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

namespace gan {

bool ConvGeom::valid() const {
    return c > 0 && h > 0 && w > 0 && kh > 0 && kw > 0 && sh > 0 && sw > 0 && ph >= 0 && pw >= 0 && dh > 0 &&
           dw > 0 && h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1;
}

namespace {

// The batched kernels work on zero-padded copies of one channel's planes, (h + 2ph) x (w + 2pw) each:
// col row (ci, ki, kj) of an image is then pad[ki·dh·Wp + kj·dw + tab[p]] for output pixel p, with one
// offset table tab[p] = oy·sh·Wp + ox·sw for every row, so the inner loop has no bounds tests and the
// small output rows (7, 3, 1 pixels in the DCGAN) cost no per-row set-up.
// The two buffers are per-thread scratch kept between calls, so a steady-state step does not allocate.
struct Padded {
    int Hp, Wp, P;
    size_t plane;             // Hp·Wp
    std::vector<int>& tab;    // (P)
    std::vector<float>& pad;  // (nb, Hp, Wp)
    static std::vector<int>& tab_scratch() {
        static thread_local std::vector<int> v;
        return v;
    }
    static std::vector<float>& pad_scratch() {
        static thread_local std::vector<float> v;
        return v;
    }
    Padded(const ConvGeom& g, int nb)
        : Hp(g.h + 2 * g.ph), Wp(g.w + 2 * g.pw), P(g.cols()), tab(tab_scratch()), pad(pad_scratch()) {
        plane = size_t(Hp) * Wp;
        tab.resize(P);
        const int OW = g.ow();
        for (int p = 0; p < P; ++p) tab[p] = (p / OW) * g.sh * Wp + (p % OW) * g.sw;
        pad.assign(plane * nb, 0.0f);
    }
    float* img(int n) { return pad.data() + n * plane; }
    int base(const ConvGeom& g, int ki, int kj) const { return ki * g.dh * Wp + kj * g.dw; }
};

}  // namespace

GAN_NO_MEMCPY_IDIOM void im2col_batch(float* col, size_t ld, const float* x, size_t xs, int nb, const ConvGeom& g) {
    Padded pd(g, nb);
    const int P = pd.P;
    const int* tab = pd.tab.data();
    const size_t plane = size_t(g.h) * g.w;
    for (int ci = 0; ci < g.c; ++ci) {
        for (int n = 0; n < nb; ++n) {  // the interiors; the borders stay zero
            const float* src = x + n * xs + ci * plane;
            float* dst = pd.img(n) + size_t(g.ph) * pd.Wp + g.pw;
            for (int iy = 0; iy < g.h; ++iy) copy_short(dst + size_t(iy) * pd.Wp, src + size_t(iy) * g.w, g.w);
        }
        for (int ki = 0; ki < g.kh; ++ki)
            for (int kj = 0; kj < g.kw; ++kj) {
                float* row = col + size_t((ci * g.kh + ki) * g.kw + kj) * ld;
                const int b = pd.base(g, ki, kj);
                for (int n = 0; n < nb; ++n) {
                    const float* src = pd.img(n) + b;
                    float* out = row + size_t(n) * P;
                    for (int p = 0; p < P; ++p) out[p] = src[tab[p]];
                }
            }
    }
}

GAN_NO_MEMCPY_IDIOM void col2im_batch(float* x, size_t xs, const float* col, size_t ld, int nb, const ConvGeom& g,
                                      bool accumulate) {
    Padded pd(g, nb);
    const int P = pd.P;
    const int* tab = pd.tab.data();
    const size_t plane = size_t(g.h) * g.w;
    for (int ci = 0; ci < g.c; ++ci) {
        if (ci > 0) std::fill(pd.pad.begin(), pd.pad.end(), 0.0f);
        for (int ki = 0; ki < g.kh; ++ki)
            for (int kj = 0; kj < g.kw; ++kj) {
                const float* row = col + size_t((ci * g.kh + ki) * g.kw + kj) * ld;
                const int b = pd.base(g, ki, kj);
                for (int n = 0; n < nb; ++n) {
                    float* dst = pd.img(n) + b;
                    const float* in = row + size_t(n) * P;
                    for (int p = 0; p < P; ++p) dst[tab[p]] += in[p];
                }
            }
        for (int n = 0; n < nb; ++n) {  // the interiors back; what fell into the padding is dropped
            const float* src = pd.img(n) + size_t(g.ph) * pd.Wp + g.pw;
            float* dst = x + n * xs + ci * plane;
            for (int iy = 0; iy < g.h; ++iy) {
                const float* a = src + size_t(iy) * pd.Wp;
                float* o = dst + size_t(iy) * g.w;
                if (accumulate)
                    for (int ix = 0; ix < g.w; ++ix) o[ix] += a[ix];
                else
                    copy_short(o, a, g.w);
            }
        }
    }
}

void im2col(float* col, size_t ld, const float* x, const ConvGeom& g) { im2col_batch(col, ld, x, 0, 1, g); }

void col2im(float* x, const float* col, size_t ld, const ConvGeom& g) { col2im_batch(x, 0, col, ld, 1, g, true); }

namespace {

constexpr size_t kPadding = ~size_t(0);

// The naive oracles' one loop: f(col index, x index) for every tap of every output position in col's
// order; the x index is kPadding where the tap falls in the padding.
template <class F>
void for_each_tap(size_t ld, const ConvGeom& g, F f) {
    const int OH = g.oh(), OW = g.ow();
    for (int ci = 0; ci < g.c; ++ci)
        for (int ki = 0; ki < g.kh; ++ki)
            for (int kj = 0; kj < g.kw; ++kj)
                for (int oy = 0; oy < OH; ++oy)
                    for (int ox = 0; ox < OW; ++ox) {
                        const int iy = oy * g.sh - g.ph + ki * g.dh, ix = ox * g.sw - g.pw + kj * g.dw;
                        const bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
                        f(size_t((ci * g.kh + ki) * g.kw + kj) * ld + oy * OW + ox,
                          in ? (size_t(ci) * g.h + iy) * g.w + ix : kPadding);
                    }
}

}  // namespace

void im2col_naive(float* col, size_t ld, const float* x, const ConvGeom& g) {
    for_each_tap(ld, g, [&](size_t c, size_t i) { col[c] = i == kPadding ? 0.0f : x[i]; });
}

void col2im_naive(float* x, const float* col, size_t ld, const ConvGeom& g) {
    for_each_tap(ld, g, [&](size_t c, size_t i) {
        if (i != kPadding) x[i] += col[c];
    });
}

}  // namespace gan
