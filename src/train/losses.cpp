#include "train/losses.h"

#include "core/check.h"
#include "kernels/activations.h"

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

float gan_loss(LossKind kind, LossTerm term, const float* l, size_t n, float smooth, float* d) {
    const float inv_n = 1.0f / float(n);
    if (kind == LossKind::bce) {
        float target = term == LossTerm::d_real ? 1.0f - smooth : term == LossTerm::d_fake ? 0.0f : 1.0f;
        return bce_with_logits(l, target, n, d);
    }
    double sum = 0;
    if (kind == LossKind::lsgan) {
        float target = term == LossTerm::d_real ? 1.0f - smooth : term == LossTerm::d_fake ? 0.0f : 1.0f;
        for (size_t i = 0; i < n; ++i) {
            float e = l[i] - target;
            sum += 0.5 * double(e) * e;
            if (d) d[i] = e * inv_n;
        }
        return float(sum / double(n));
    }
    // hinge
    for (size_t i = 0; i < n; ++i) {
        switch (term) {
            case LossTerm::d_real: {
                float m = 1.0f - l[i];
                sum += m > 0 ? m : 0;
                if (d) d[i] = m > 0 ? -inv_n : 0.0f;
                break;
            }
            case LossTerm::d_fake: {
                float m = 1.0f + l[i];
                sum += m > 0 ? m : 0;
                if (d) d[i] = m > 0 ? inv_n : 0.0f;
                break;
            }
            case LossTerm::g_fake:
                sum -= l[i];
                if (d) d[i] = -inv_n;
                break;
        }
    }
    return float(sum / double(n));
}

}  // namespace gan
