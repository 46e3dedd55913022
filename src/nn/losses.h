// GAN losses on D's logits (mean over the batch), each with its gradient:
//   bce    (Goodfellow et al. 2014, non-saturating G): D: bce(D(x), 1-s) + bce(D(G(z)), 0); G: bce(D(G(z)), 1)
//   lsgan  (Mao et al. 2017): D: ½ mean((D(x) - (1-s))²) + ½ mean(D(G(z))²); G: ½ mean((D(G(z)) - 1)²)
//   hinge  (Lim & Ye 2017; Miyato et al. 2018): D: mean(relu(1 - D(x))) + mean(relu(1 + D(G(z)))); G: -mean(D(G(z)))
// s is the one-sided label smoothing of real targets (bce, lsgan; hinge has no targets to smooth).
// The class heads' loss (acgan, proj_ac, and the metrics classifier) is the softmax cross-entropy.
// Each runs on a backend (backend/backend.h): the caller's, or the host's by default.
#pragma once
#include <cstddef>
#include <string>

#include "backend/backend.h"

namespace gan {

// The loss's name ("bce", "lsgan", "hinge"), and back (core/enum_names.h: unknown names throw
// "unknown <what> '<name>' (known: ...)").
const char* to_string(LossKind kind);
LossKind loss_kind_from_string(const std::string& name, const std::string& what = "--loss");

// Returns the mean loss of one term over n logits; writes dlogits (n) = d(loss)/d(logits) if not null.
float gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth, float* dlogits,
               Backend& be = host_backend());

// weight times the mean softmax cross-entropy of n rows of class logits (K columns from logits, rows ld
// apart) against labels (host memory); writes its gradient into dlogits (same layout) when not null.
float class_loss(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight, float* dlogits,
                 Backend& be = host_backend());

}  // namespace gan
