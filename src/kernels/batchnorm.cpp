#include "kernels/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/comm.h"

namespace gan {

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

// Channel c of y from the mean mu and the centred sum of squares ss of its M values; mean, rstd and
// the running statistics (either may be null) updated.
void normalise_channel(float* y, float* mean, float* rstd, const float* x, const float* weight, const float* bias,
                       float* running_mean, float* running_var, int c, int N, int C, int HW, double M, double mu,
                       double ss, float eps, float momentum) {
    const double var = ss / M;
    mean[c] = float(mu);
    rstd[c] = float(1.0 / std::sqrt(var + eps));
    if (running_mean) running_mean[c] = float((1.0 - momentum) * running_mean[c] + momentum * mu);
    if (running_var) running_var[c] = float((1.0 - momentum) * running_var[c] + momentum * ss / (M - 1));
    // y = x·a + b with a = weight·rstd, b = bias - mean·a
    const float a = weight[c] * rstd[c], b = bias[c] - mean[c] * a;
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

void batchnorm2d_forward_train(float* y, float* mean, float* rstd, const float* x, const float* weight,
                               const float* bias, float* running_mean, float* running_var, int N, int C, int HW,
                               float eps, float momentum) {
    const double M = double(N) * HW;
    for (int c = 0; c < C; ++c) {
        // Two passes in double: the mean, then the centred sum of squares (no cancellation).
        const double mu = channel_sum(x, c, N, C, HW) / M;
        const double ss = channel_centred_ss(x, c, N, C, HW, mu);
        normalise_channel(y, mean, rstd, x, weight, bias, running_mean, running_var, c, N, C, HW, M, mu, ss, eps,
                          momentum);
    }
}

void batchnorm2d_forward_train_sync(Comm& comm, double* scratch, float* y, float* mean, float* rstd, const float* x,
                                    const float* weight, const float* bias, float* running_mean, float* running_var,
                                    int N, int C, int HW, float eps, float momentum) {
    double* s = scratch;  // C sums and the count, then C centred sums of squares
    double* ss = scratch + C + 1;
    for (int c = 0; c < C; ++c) s[c] = channel_sum(x, c, N, C, HW);
    s[C] = double(N) * HW;
    comm.allreduce_sum(s, size_t(C) + 1);
    const double M = s[C];
    for (int c = 0; c < C; ++c) ss[c] = channel_centred_ss(x, c, N, C, HW, s[c] / M);
    comm.allreduce_sum(ss, size_t(C));
    for (int c = 0; c < C; ++c)
        normalise_channel(y, mean, rstd, x, weight, bias, running_mean, running_var, c, N, C, HW, M, s[c] / M, ss[c],
                          eps, momentum);
}

void batchnorm2d_forward_eval(float* y, const float* x, const float* weight, const float* bias,
                              const float* running_mean, const float* running_var, int N, int C, int HW,
                              float eps) {
    for (int c = 0; c < C; ++c) {
        const float a = float(weight[c] / std::sqrt(double(running_var[c]) + eps));
        const float b = bias[c] - running_mean[c] * a;
        for (int n = 0; n < N; ++n) {
            const float* p = x + (size_t(n) * C + c) * HW;
            float* q = y + (size_t(n) * C + c) * HW;
            for (int k = 0; k < HW; ++k) q[k] = p[k] * a + b;
        }
    }
}

void batchnorm2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                          const float* mean, const float* rstd, const float* weight, int N, int C, int HW,
                          bool batch_stats) {
    const double M = double(N) * HW;
    for (int c = 0; c < C; ++c) {
        // sdy = Σ dy, sdyx = Σ dy·x̂ with x̂ = (x - mean)·rstd
        double sums[2];
        channel_dy_sums(sums, dy, x, mean[c], c, N, C, HW);
        const double sdy = sums[0], sdyx = sums[1] * rstd[c];
        if (dweight) dweight[c] += float(sdyx);
        if (dbias) dbias[c] += float(sdy);
        if (!dx) continue;
        const float k0 = batch_stats ? float(sdy / M) : 0.0f;
        const float k1 = batch_stats ? float(sdyx / M) * rstd[c] : 0.0f;  // times (x - mean)
        channel_dx(dx, dy, x, weight[c] * rstd[c], k0, k1, mean[c], c, N, C, HW);
    }
}

void batchnorm2d_backward_sync(Comm& comm, double* scratch, float* dx, float* dweight, float* dbias, const float* dy,
                               const float* x, const float* mean, const float* rstd, const float* weight, int N,
                               int C, int HW, double M) {
    double* local = scratch;  // (Σ dy, Σ dy·(x - mean)) per channel, then the same over every rank
    double* global = scratch + 2 * size_t(C);
    for (int c = 0; c < C; ++c) channel_dy_sums(local + 2 * c, dy, x, mean[c], c, N, C, HW);
    std::copy(local, local + 2 * size_t(C), global);
    if (dx) comm.allreduce_sum(global, 2 * size_t(C));
    for (int c = 0; c < C; ++c) {
        // The parameters' gradients from this rank's rows (the step sums them over the ranks); dx
        // through the statistics of the whole batch.
        if (dweight) dweight[c] += float(local[2 * c + 1] * rstd[c]);
        if (dbias) dbias[c] += float(local[2 * c]);
        if (!dx) continue;
        const double sdy = global[2 * c], sdyx = global[2 * c + 1] * rstd[c];
        channel_dx(dx, dy, x, weight[c] * rstd[c], float(sdy / M), float(sdyx / M) * rstd[c], mean[c], c, N, C,
                   HW);
    }
}

}  // namespace gan
