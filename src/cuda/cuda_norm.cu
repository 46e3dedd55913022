// The CUDA backend's batch norm and max pooling (cuda_backend.h), the CPU's formulas
// (kernels/batchnorm.h): per channel, two passes in double (the mean, then the centred sum of
// squares), one block a channel. Batch norm over the ranks of a data-parallel run is not here yet.
#include <cmath>

#include "core/comm.h"
#include "core/maxpool_window.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_context.cuh"

namespace gan {

namespace {

// Element j of channel c's N·HW values.
__device__ inline size_t at(size_t j, int c, int C, int HW) { return (j / HW * C + c) * HW + j % HW; }

__global__ void bn_train_kernel(float* y, float* mean, float* rstd, const float* x, const float* weight,
                                const float* bias, float* running_mean, float* running_var, int N, int C, int HW,
                                float eps, float momentum) {
    const int c = blockIdx.x;
    const size_t M = size_t(N) * HW;
    double s = 0;
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) s += x[at(j, c, C, HW)];
    const double mu = block_sum(s) / double(M);
    double ss = 0;
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) {
        const double u = x[at(j, c, C, HW)] - mu;
        ss += u * u;
    }
    ss = block_sum(ss);
    const float m = float(mu), r = float(1.0 / sqrt(ss / double(M) + eps));
    if (threadIdx.x == 0) {
        mean[c] = m;
        rstd[c] = r;
        if (running_mean) running_mean[c] = float((1.0 - momentum) * running_mean[c] + momentum * mu);
        if (running_var) running_var[c] = float((1.0 - momentum) * running_var[c] + momentum * ss / double(M - 1));
    }
    const float a = weight[c] * r, b = bias[c] - m * a;
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) y[at(j, c, C, HW)] = x[at(j, c, C, HW)] * a + b;
}

__global__ void bn_eval_stats_kernel(float* mean, float* rstd, const float* running_mean, const float* running_var,
                                     int C, float eps) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C) return;
    mean[c] = running_mean[c];
    rstd[c] = float(1.0 / sqrt(double(running_var[c]) + eps));
}

__global__ void bn_eval_kernel(float* y, const float* x, const float* weight, const float* bias,
                               const float* running_mean, const float* running_var, int C, int HW, size_t n,
                               float eps) {
    GAN_CUDA_LOOP(i, n) {
        const int c = int(i / HW % C);
        const float a = float(weight[c] / sqrt(double(running_var[c]) + eps));
        y[i] = x[i] * a + (bias[c] - running_mean[c] * a);
    }
}

// sdy = Σ dy, sdyx = Σ dy·x̂; dweight += sdyx, dbias += sdy; dx = weight·rstd·(dy - k0 - (x - mean)·k1)
// with k0 = sdy/M, k1 = sdyx/M·rstd in train mode (0 in eval mode).
__global__ void bn_backward_kernel(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                                   const float* mean, const float* rstd, const float* weight, int N, int C, int HW,
                                   bool batch_stats) {
    const int c = blockIdx.x;
    const size_t M = size_t(N) * HW;
    const float m = mean[c];
    double s1 = 0, s2 = 0;
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) {
        const size_t k = at(j, c, C, HW);
        s1 += dy[k];
        s2 += dy[k] * (x[k] - m);
    }
    const double sdy = block_sum(s1), sdyx = block_sum(s2) * rstd[c];
    if (threadIdx.x == 0) {
        if (dweight) dweight[c] += float(sdyx);
        if (dbias) dbias[c] += float(sdy);
    }
    if (!dx) return;
    const float k0 = batch_stats ? float(sdy / double(M)) : 0.0f;
    const float k1 = batch_stats ? float(sdyx / double(M)) * rstd[c] : 0.0f;
    const float a = weight[c] * rstd[c];
    for (size_t j = threadIdx.x; j < M; j += blockDim.x) {
        const size_t k = at(j, c, C, HW);
        dx[k] = a * (dy[k] - k0 - (x[k] - m) * k1);
    }
}

// One thread an output: the first maximum of its window wins, a NaN wins and stays (as the CPU's).
__global__ void maxpool_forward_kernel(float* y, int* arg, const float* x, size_t planes, int H, int W, int oh,
                                       int ow, int K, int S, int P) {
    GAN_CUDA_LOOP(o, planes * oh * ow) {
        const size_t pl = o / (size_t(oh) * ow);
        const int oy = int(o / ow % oh), ox = int(o % ow);
        const float* xp = x + pl * H * W;
        const int a = maxpool_window_arg(xp, H, W, oy, ox, K, S, P);
        y[o] = a < 0 ? -INFINITY : xp[a];
        arg[o] = a;
    }
}

// One thread an input: the dy of every window it won, added in the order of the outputs (the CPU's),
// so overlapping windows give the same bits on every run without atomics.
__global__ void maxpool_backward_kernel(float* dx, const float* dy, const int* arg, size_t planes, int H, int W,
                                        int oh, int ow, int K, int S, int P) {
    GAN_CUDA_LOOP(i, planes * H * W) {
        const size_t pl = i / (size_t(H) * W);
        const int iy = int(i / W % H), ix = int(i % W), self = iy * W + ix;
        const int y_lo = iy + P - K + 1 > 0 ? (iy + P - K + 1 + S - 1) / S : 0, y_hi = min(oh - 1, (iy + P) / S);
        const int x_lo = ix + P - K + 1 > 0 ? (ix + P - K + 1 + S - 1) / S : 0, x_hi = min(ow - 1, (ix + P) / S);
        float s = 0.0f;
        for (int oy = y_lo; oy <= y_hi; ++oy)
            for (int ox = x_lo; ox <= x_hi; ++ox) {
                const size_t o = (pl * oh + oy) * ow + ox;
                if (arg[o] == self) s += dy[o];
            }
        dx[i] = s;
    }
}

struct PoolState final : OpState {
    DeviceBuffer<int> arg;  // per output: its window's winner within its input plane
    int kernel = 0, stride = 0, pad = 0;
};

}  // namespace

double CudaBackend::batchnorm_forward_train(OpStatePtr&, Comm* comm, float* y, float* mean, float* rstd,
                                            const float* x, const float* weight, const float* bias,
                                            float* running_mean, float* running_var, int N, int C, int HW, float eps,
                                            float momentum) {
    GAN_CHECK(!comm || !comm->distributed(), "--device cuda does not train data-parallel yet (batch norm over ",
              comm->size(), " ranks)");
    bn_train_kernel<<<unsigned(C), kThreads>>>(y, mean, rstd, x, weight, bias, running_mean, running_var, N, C, HW,
                                               eps, momentum);
    launch_check("batch norm forward");
    return double(N) * HW;
}

void CudaBackend::batchnorm_forward_eval(float* y, float* mean, float* rstd, const float* x, const float* weight,
                                         const float* bias, const float* running_mean, const float* running_var,
                                         int N, int C, int HW, float eps) {
    bn_eval_stats_kernel<<<unsigned((C + kThreads - 1) / kThreads), kThreads>>>(mean, rstd, running_mean, running_var,
                                                                                C, eps);
    const size_t n = size_t(N) * C * HW;
    bn_eval_kernel<<<blocks_for(n), kThreads>>>(y, x, weight, bias, running_mean, running_var, C, HW, n, eps);
    launch_check("batch norm forward (eval)");
}

void CudaBackend::batchnorm_backward(OpStatePtr&, Comm* comm, float* dx, float* dweight, float* dbias,
                                     const float* dy, const float* x, const float* mean, const float* rstd,
                                     const float* weight, int N, int C, int HW, bool batch_stats, double) {
    GAN_CHECK(!comm || !comm->distributed() || !batch_stats,
              "--device cuda does not train data-parallel yet (batch norm over ", comm->size(), " ranks)");
    bn_backward_kernel<<<unsigned(C), kThreads>>>(dx, dweight, dbias, dy, x, mean, rstd, weight, N, C, HW,
                                                  batch_stats);
    launch_check("batch norm backward");
}

void CudaBackend::maxpool_forward(OpStatePtr& st, float* y, const float* x, int planes, int h, int w, int oh, int ow,
                                  int kernel, int stride, int pad) {
    if (!st) st = std::make_unique<PoolState>();
    PoolState& ps = static_cast<PoolState&>(*st);
    ps.kernel = kernel, ps.stride = stride, ps.pad = pad;
    const size_t n = size_t(planes) * oh * ow;
    maxpool_forward_kernel<<<blocks_for(n), kThreads>>>(y, ps.arg.get(n), x, size_t(planes), h, w, oh, ow, kernel,
                                                        stride, pad);
    launch_check("max pool forward");
}

void CudaBackend::maxpool_backward(OpStatePtr& st, float* dx, const float* dy, int planes, int h, int w, int oh,
                                   int ow) {
    const PoolState& ps = static_cast<const PoolState&>(*st);
    const size_t n = size_t(planes) * h * w;
    maxpool_backward_kernel<<<blocks_for(n), kThreads>>>(dx, dy, ps.arg.data(), size_t(planes), h, w, oh, ow,
                                                         ps.kernel, ps.stride, ps.pad);
    launch_check("max pool backward");
}

}  // namespace gan
