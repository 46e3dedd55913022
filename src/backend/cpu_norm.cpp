// The CPU backend's batch norm (kernels/batchnorm.h; synchronised over the ranks of a distributed
// batch) and max pooling (kernels/pool.h).
#include <cmath>
#include <vector>

#include "backend/cpu_backend.h"
#include "kernels/batchnorm.h"
#include "kernels/pool.h"

namespace gan {

namespace {

struct NormState final : OpState {
    std::vector<double> scratch;  // the synchronised kernels' sums: 2C + 1 (forward), 4C (backward)
};

struct PoolState final : OpState {
    std::vector<int> arg;  // per output: the index of its window's winner within its input plane
};

template <class S>
S& state_of(OpStatePtr& st) {
    if (!st) st = std::make_unique<S>();
    return static_cast<S&>(*st);
}

}  // namespace

double CpuBackend::batchnorm_forward_train(OpStatePtr& st, Comm* comm, float* y, float* mean, float* rstd,
                                           const float* x, const float* weight, const float* bias,
                                           float* running_mean, float* running_var, int N, int C, int HW, float eps,
                                           float momentum) {
    if (!comm) {
        batchnorm2d_forward_train(y, mean, rstd, x, weight, bias, running_mean, running_var, N, C, HW, eps, momentum);
        return double(N) * HW;
    }
    std::vector<double>& scratch = state_of<NormState>(st).scratch;
    scratch.resize(4 * size_t(C) + 1);
    batchnorm2d_forward_train_sync(*comm, scratch.data(), y, mean, rstd, x, weight, bias, running_mean, running_var, N,
                                   C, HW, eps, momentum);
    return scratch[size_t(C)];
}

void CpuBackend::batchnorm_forward_eval(float* y, float* mean, float* rstd, const float* x, const float* weight,
                                        const float* bias, const float* running_mean, const float* running_var, int N,
                                        int C, int HW, float eps) {
    for (int c = 0; c < C; ++c) {
        mean[c] = running_mean[c];
        rstd[c] = float(1.0 / std::sqrt(double(running_var[c]) + eps));
    }
    batchnorm2d_forward_eval(y, x, weight, bias, running_mean, running_var, N, C, HW, eps);
}

void CpuBackend::batchnorm_backward(OpStatePtr& st, Comm* comm, float* dx, float* dweight, float* dbias,
                                    const float* dy, const float* x, const float* mean, const float* rstd,
                                    const float* weight, int N, int C, int HW, bool batch_stats, double M) {
    if (comm && batch_stats) {
        std::vector<double>& scratch = state_of<NormState>(st).scratch;
        scratch.resize(4 * size_t(C) + 1);
        batchnorm2d_backward_sync(*comm, scratch.data(), dx, dweight, dbias, dy, x, mean, rstd, weight, N, C, HW, M);
        return;
    }
    batchnorm2d_backward(dx, dweight, dbias, dy, x, mean, rstd, weight, N, C, HW, batch_stats);
}

void CpuBackend::maxpool_forward(OpStatePtr& st, float* y, const float* x, int planes, int h, int w, int oh, int ow,
                                 int kernel, int stride, int pad) {
    std::vector<int>& arg = state_of<PoolState>(st).arg;
    arg.resize(size_t(planes) * oh * ow);
    gan::maxpool_forward(y, arg.data(), x, size_t(planes), h, w, oh, ow, kernel, stride, pad);
}

void CpuBackend::maxpool_backward(OpStatePtr& st, float* dx, const float* dy, int planes, int h, int w, int oh,
                                  int ow) {
    gan::maxpool_backward(dx, dy, state_of<PoolState>(st).arg.data(), size_t(planes), h, w, oh, ow);
}

}  // namespace gan
