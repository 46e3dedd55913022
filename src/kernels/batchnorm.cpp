#include "kernels/batchnorm.h"

#include <algorithm>
#include <cmath>

#include "core/comm.h"
#include "core/cpu.h"
#include "kernels/batchnorm_loops.h"

#define GAN_BN_ISA baseline
#include "kernels/batchnorm_loops.inc"

namespace gan {

namespace {

// The loops of the widest instruction set this CPU allows (the same bits on each).
const BnLoops& loops() {
#ifdef GAN_X86_KERNELS
    static const BnLoops& chosen = cpu_avx2() ? avx2::bn_loops : baseline::bn_loops;
    return chosen;
#else
    return baseline::bn_loops;
#endif
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
    loops().scale_shift(y, x, a, b, c, N, C, HW);
}

}  // namespace

void batchnorm2d_forward_train(float* y, float* mean, float* rstd, const float* x, const float* weight,
                               const float* bias, float* running_mean, float* running_var, int N, int C, int HW,
                               float eps, float momentum) {
    const double M = double(N) * HW;
    for (int c = 0; c < C; ++c) {
        // Two passes in double: the mean, then the centred sum of squares (no cancellation).
        const double mu = loops().sum(x, c, N, C, HW) / M;
        const double ss = loops().centred_ss(x, c, N, C, HW, mu);
        normalise_channel(y, mean, rstd, x, weight, bias, running_mean, running_var, c, N, C, HW, M, mu, ss, eps,
                          momentum);
    }
}

void batchnorm2d_forward_train_sync(Comm& comm, double* scratch, float* y, float* mean, float* rstd, const float* x,
                                    const float* weight, const float* bias, float* running_mean, float* running_var,
                                    int N, int C, int HW, float eps, float momentum) {
    double* s = scratch;  // C sums and the count, then C centred sums of squares
    double* ss = scratch + C + 1;
    for (int c = 0; c < C; ++c) s[c] = loops().sum(x, c, N, C, HW);
    s[C] = double(N) * HW;
    comm.allreduce_sum(s, size_t(C) + 1);
    const double M = s[C];
    for (int c = 0; c < C; ++c) ss[c] = loops().centred_ss(x, c, N, C, HW, s[c] / M);
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
        loops().scale_shift(y, x, a, b, c, N, C, HW);
    }
}

void batchnorm2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                          const float* mean, const float* rstd, const float* weight, int N, int C, int HW,
                          bool batch_stats) {
    const double M = double(N) * HW;
    for (int c = 0; c < C; ++c) {
        // sdy = Σ dy, sdyx = Σ dy·x̂ with x̂ = (x - mean)·rstd
        double sums[2];
        loops().dy_sums(sums, dy, x, mean[c], c, N, C, HW);
        const double sdy = sums[0], sdyx = sums[1] * rstd[c];
        if (dweight) dweight[c] += float(sdyx);
        if (dbias) dbias[c] += float(sdy);
        if (!dx) continue;
        const float k0 = batch_stats ? float(sdy / M) : 0.0f;
        const float k1 = batch_stats ? float(sdyx / M) * rstd[c] : 0.0f;  // times (x - mean)
        loops().dx(dx, dy, x, weight[c] * rstd[c], k0, k1, mean[c], c, N, C, HW);
    }
}

void batchnorm2d_backward_sync(Comm& comm, double* scratch, float* dx, float* dweight, float* dbias, const float* dy,
                               const float* x, const float* mean, const float* rstd, const float* weight, int N,
                               int C, int HW, double M) {
    double* local = scratch;  // (Σ dy, Σ dy·(x - mean)) per channel, then the same over every rank
    double* global = scratch + 2 * size_t(C);
    for (int c = 0; c < C; ++c) loops().dy_sums(local + 2 * c, dy, x, mean[c], c, N, C, HW);
    std::copy(local, local + 2 * size_t(C), global);
    if (dx) comm.allreduce_sum(global, 2 * size_t(C));
    for (int c = 0; c < C; ++c) {
        // The parameters' gradients from this rank's rows (the step sums them over the ranks); dx
        // through the statistics of the whole batch.
        if (dweight) dweight[c] += float(local[2 * c + 1] * rstd[c]);
        if (dbias) dbias[c] += float(local[2 * c]);
        if (!dx) continue;
        const double sdy = global[2 * c], sdyx = global[2 * c + 1] * rstd[c];
        loops().dx(dx, dy, x, weight[c] * rstd[c], float(sdy / M), float(sdyx / M) * rstd[c], mean[c], c, N, C,
                   HW);
    }
}

}  // namespace gan
