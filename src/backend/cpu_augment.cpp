// The CPU backend's vector operations (axpy, dot) and differentiable augmentation (backend/backend.h):
// images split over the backend's threads, each image on one thread.
#include <algorithm>

#include "backend/cpu_backend.h"
#include "kernels/parallel.h"

namespace gan {

void CpuBackend::axpy(float* y, const float* x, size_t n, float a) {
    parallel_for(pool(), n, 64, 1 << 16, [&](size_t b, size_t e) {
        for (size_t i = b; i < e; ++i) y[i] += a * x[i];
    });
}

double CpuBackend::dot(const float* x, const float* y, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += double(x[i]) * double(y[i]);
    return s;
}

namespace {

// Contrast (or its transpose, which is itself): x <- k·(x - mean x) + mean x over the image's m values.
void contrast(float* x, size_t m, float k) {
    double sum = 0;
    for (size_t i = 0; i < m; ++i) sum += x[i];
    const float mean = float(sum / double(m));
    for (size_t i = 0; i < m; ++i) x[i] = k * (x[i] - mean) + mean;
}

// Brightness b then saturation s, pixel by pixel (the channels of one pixel are read before written).
void saturation(float* y, const float* x, int c, int hw, float b, float s) {
    for (int p = 0; p < hw; ++p) {
        float sum = 0;
        for (int ch = 0; ch < c; ++ch) sum += x[size_t(ch) * hw + p];
        const float mean = sum / float(c) + b;
        for (int ch = 0; ch < c; ++ch) {
            float& out = y[size_t(ch) * hw + p];
            out = s * (x[size_t(ch) * hw + p] + b - mean) + mean;
        }
    }
}

}  // namespace

void CpuBackend::augment_colour(float* y, const float* x, int n, int c, int hw, const float* params, bool transpose) {
    const size_t m = size_t(c) * size_t(hw);
    parallel_for(pool(), size_t(n), 1, 2, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; ++i) {
            const float* p = params + 3 * i;
            float* yi = y + i * m;
            const float* xi = x + i * m;
            if (transpose) {  // the linear part backwards: contrast, then saturation (brightness is a shift)
                if (yi != xi) std::copy(xi, xi + m, yi);
                contrast(yi, m, p[2]);
                saturation(yi, yi, c, hw, 0.0f, p[1]);
            } else {
                saturation(yi, xi, c, hw, p[0], p[1]);
                contrast(yi, m, p[2]);
            }
        }
    });
}

void CpuBackend::augment_shift(float* y, const float* x, int n, int c, int h, int w, const int* params,
                               bool transpose) {
    const size_t plane = size_t(h) * size_t(w);
    parallel_for(pool(), size_t(n), 1, 2, [&](size_t i0, size_t i1) {
        for (size_t i = i0; i < i1; ++i) {
            const int* p = params + 6 * i;
            // Forward: output (r, q) reads input (r + dr, q + dq) unless (r, q) is in the box. Transposed:
            // input position (r, q) receives output (r - dr, q - dq) unless that one is in the box.
            const int sign = transpose ? -1 : 1, dr = sign * p[0], dq = sign * p[1];
            for (int ch = 0; ch < c; ++ch) {
                const float* xp = x + (i * size_t(c) + size_t(ch)) * plane;
                float* yp = y + (i * size_t(c) + size_t(ch)) * plane;
                for (int r = 0; r < h; ++r)
                    for (int q = 0; q < w; ++q) {
                        const int sr = r + dr, sq = q + dq;
                        const int br = transpose ? sr : r, bq = transpose ? sq : q;  // the output's position
                        const bool in = sr >= 0 && sr < h && sq >= 0 && sq < w;
                        const bool cut = br >= p[2] && br < p[2] + p[4] && bq >= p[3] && bq < p[3] + p[5];
                        yp[size_t(r) * w + q] = in && !cut ? xp[size_t(sr) * w + sq] : 0.0f;
                    }
            }
        }
    });
}

}  // namespace gan
