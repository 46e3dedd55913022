#include "nn/losses.h"

#include "core/check.h"

namespace gan {

LossKind loss_kind_from_string(const std::string& name) {
    if (name == "bce") return LossKind::bce;
    if (name == "lsgan") return LossKind::lsgan;
    if (name == "hinge") return LossKind::hinge;
    throw Error(str("unknown --loss '", name, "' (known: bce, lsgan, hinge)"));
}

const char* loss_kind_name(LossKind kind) {
    switch (kind) {
        case LossKind::bce: return "bce";
        case LossKind::lsgan: return "lsgan";
        case LossKind::hinge: return "hinge";
    }
    return "?";
}

float gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth, float* dlogits,
               Backend& be) {
    return be.gan_loss(kind, term, logits, n, smooth, dlogits);
}

float class_loss(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight, float* dlogits,
                 Backend& be) {
    return float(double(weight) * be.softmax_xent(logits, ld, K, labels, n, weight, dlogits, ld) / double(n));
}

}  // namespace gan
