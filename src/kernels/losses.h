// The loss heads on D's logits and the classifiers' softmax cross-entropy, on float arrays (host
// memory). Means over n rows; gradients written when the pointer is not null. The GAN losses are
// described with LossKind in nn/losses.h.
#pragma once
#include <cstddef>

#include "core/op_types.h"

namespace gan {

float gan_loss_kernel(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth, float* dlogits);

// Σ over n rows of -log softmax(logits[i, 0..K))[labels[i]] (rows ld apart), in double from each row's
// maximum; dlogits[i, k] = (softmax - onehot)·weight/divisor, computed in double and rounded once (rows
// dld apart).
double softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, double weight,
                    double divisor, float* dlogits, size_t dld);

}  // namespace gan
