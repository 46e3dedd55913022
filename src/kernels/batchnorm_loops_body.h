// The loops of batch normalisation (kernels/batchnorm.h), included once per instruction set:
// batchnorm.cpp builds them for the baseline, batchnorm_avx2.cpp with AVX2. Both copies do the same
// operations in the same order (no multiply-add is fused: the AVX2 file is built with
// -ffp-contract=off), so they give the same bits; the AVX2 copy runs the vectors on wider registers.
// No include guard: each including file defines GAN_BN_ISA, the namespace of its copy.
#include <cstddef>
#include <cstring>

#include "kernels/batchnorm_loops.h"

namespace gan::GAN_BN_ISA {

namespace {

// Sums in double over 8 independent lanes (two 4-double vectors, so the loops vectorise; GCC would not
// on its own), the lanes added at the end.
typedef float v4f __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));

inline v4d load4d(const float* p) {
    v4f f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, v4d);
}

inline v4f load4f(const float* p) {
    v4f f;
    std::memcpy(&f, p, sizeof f);
    return f;
}

inline double lanes(v4d a, v4d b) { return ((a[0] + b[0]) + (a[1] + b[1])) + ((a[2] + b[2]) + (a[3] + b[3])); }

inline double sum_d(const float* p, int n) {
    v4d a = {}, b = {};
    int k = 0;
    for (; k + 8 <= n; k += 8) a += load4d(p + k), b += load4d(p + k + 4);
    double s = 0;
    for (; k < n; ++k) s += p[k];
    return s + lanes(a, b);
}

inline double centred_ss_d(const float* p, int n, double mu) {
    v4d a = {}, b = {};
    const v4d m = {mu, mu, mu, mu};
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        const v4d u = load4d(p + k) - m, v = load4d(p + k + 4) - m;
        a += u * u, b += v * v;
    }
    double s = 0;
    for (; k < n; ++k) s += (p[k] - mu) * (p[k] - mu);
    return s + lanes(a, b);
}

// s1 += Σ g, s2 += Σ g·(p - m) (each product in float, then summed in double, as in the tail loop).
inline void dy_sums_d(const float* g, const float* p, int n, float m, double& s1, double& s2) {
    v4d a = {}, b = {}, c = {}, d = {};
    const v4f mf = {m, m, m, m};
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        const v4f g0 = load4f(g + k), g1 = load4f(g + k + 4);
        a += __builtin_convertvector(g0, v4d), b += __builtin_convertvector(g1, v4d);
        c += __builtin_convertvector(g0 * (load4f(p + k) - mf), v4d);
        d += __builtin_convertvector(g1 * (load4f(p + k + 4) - mf), v4d);
    }
    for (; k < n; ++k) s1 += g[k], s2 += g[k] * (p[k] - m);
    s1 += lanes(a, b), s2 += lanes(c, d);
}

double channel_sum(const float* x, int c, int N, int C, int HW) {
    double s = 0;
    for (int n = 0; n < N; ++n) s += sum_d(x + (size_t(n) * C + c) * HW, HW);
    return s;
}

double channel_centred_ss(const float* x, int c, int N, int C, int HW, double mu) {
    double ss = 0;
    for (int n = 0; n < N; ++n) ss += centred_ss_d(x + (size_t(n) * C + c) * HW, HW, mu);
    return ss;
}

// y = x·a + b over channel c.
void scale_shift(float* y, const float* x, float a, float b, int c, int N, int C, int HW) {
    for (int n = 0; n < N; ++n) {
        const float* p = x + (size_t(n) * C + c) * HW;
        float* q = y + (size_t(n) * C + c) * HW;
        for (int k = 0; k < HW; ++k) q[k] = p[k] * a + b;
    }
}

// sums[0] = Σ dy, sums[1] = Σ dy·(x - mean) over channel c.
void channel_dy_sums(double* sums, const float* dy, const float* x, float mean, int c, int N, int C, int HW) {
    double sdy = 0, sdyx = 0;
    for (int n = 0; n < N; ++n) {
        double s1 = 0, s2 = 0;
        dy_sums_d(dy + (size_t(n) * C + c) * HW, x + (size_t(n) * C + c) * HW, HW, mean, s1, s2);
        sdy += s1, sdyx += s2;
    }
    sums[0] = sdy, sums[1] = sdyx;
}

// train: dx = weight·rstd·(dy - sdy/M - x̂·sdyx/M);  eval: dx = weight·rstd·dy (k0 = k1 = 0)
void channel_dx(float* dx, const float* dy, const float* x, float a, float k0, float k1, float m, int c, int N, int C,
                int HW) {
    for (int n = 0; n < N; ++n) {
        const float* g = dy + (size_t(n) * C + c) * HW;
        const float* p = x + (size_t(n) * C + c) * HW;
        float* q = dx + (size_t(n) * C + c) * HW;
        for (int k = 0; k < HW; ++k) q[k] = a * (g[k] - k0 - (p[k] - m) * k1);
    }
}

}  // namespace

const BnLoops bn_loops = {channel_sum, channel_centred_ss, scale_shift, channel_dy_sums, channel_dx};

}  // namespace gan::GAN_BN_ISA
