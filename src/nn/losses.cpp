#include "nn/losses.h"

#include "core/check.h"
#include "core/enum_names.h"

namespace gan {

namespace {

constexpr const char* kLossNames[] = {"bce", "lsgan", "hinge"};  // LossKind's order (core/op_types.h)

}  // namespace

LossKind loss_kind_from_string(const std::string& name, const std::string& what) {
    return enum_from_name<LossKind>(kLossNames, name, what);
}

const char* to_string(LossKind kind) { return enum_name(kLossNames, kind); }

float gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth, float* dlogits,
               Backend& be) {
    return be.gan_loss(kind, term, logits, n, smooth, dlogits);
}

float class_loss(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight, float* dlogits,
                 Backend& be) {
    return float(double(weight) * be.softmax_xent(logits, ld, K, labels, n, weight, dlogits, ld) / double(n));
}

}  // namespace gan
