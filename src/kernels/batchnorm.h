// Batch normalisation over NCHW batches (nn/batchnorm2d.h has the formulas), per channel, sums in double.
#pragma once
#include "core/comm.h"

namespace gan {

// Kernels over one batch (N, C, HW). Train-mode forward writes the batch mean and 1/sqrt(var + eps)
// per channel (C) and updates running_mean/var (either may be null to skip the update).
void batchnorm2d_forward_train(float* y, float* mean, float* rstd, const float* x, const float* weight,
                               const float* bias, float* running_mean, float* running_var, int N, int C, int HW,
                               float eps, float momentum);
void batchnorm2d_forward_eval(float* y, const float* x, const float* weight, const float* bias,
                              const float* running_mean, const float* running_var, int N, int C, int HW, float eps);
// Adds into dweight, dbias (may be null) and overwrites dx (may be null). `batch_stats`: the forward
// used the batch statistics (train mode), so the gradient flows through mean and var too.
void batchnorm2d_backward(float* dx, float* dweight, float* dbias, const float* dy, const float* x,
                          const float* mean, const float* rstd, const float* weight, int N, int C, int HW,
                          bool batch_stats);

// The same over a batch split across the ranks of `comm` (SyncBatchNorm): the forward normalises with
// the statistics of the whole batch (per-channel sums, then centred sums of squares, each summed over
// the ranks); the backward's dx uses Σ dy and Σ dy·x̂ over the whole batch of M values, while dweight
// and dbias get this rank's rows alone (the step sums parameter gradients over the ranks).
// scratch: 2C + 1 doubles for the forward, 4C for the backward.
void batchnorm2d_forward_train_sync(Comm& comm, double* scratch, float* y, float* mean, float* rstd, const float* x,
                                    const float* weight, const float* bias, float* running_mean, float* running_var,
                                    int N, int C, int HW, float eps, float momentum);
void batchnorm2d_backward_sync(Comm& comm, double* scratch, float* dx, float* dweight, float* dbias, const float* dy,
                               const float* x, const float* mean, const float* rstd, const float* weight, int N,
                               int C, int HW, double M);

}  // namespace gan
