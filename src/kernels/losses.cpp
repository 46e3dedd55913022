#include "kernels/losses.h"

#include <cmath>

#include "kernels/activations.h"

namespace gan {

float gan_loss_kernel(LossKind kind, LossTerm term, const float* l, size_t n, float smooth, float* d) {
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

double softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, double weight,
                    double divisor, float* dlogits, size_t dld) {
    double loss = 0;
    for (size_t i = 0; i < n; ++i) {
        const float* l = logits + i * ld;
        float mx = l[0];
        for (int k = 1; k < K; ++k) mx = l[k] > mx ? l[k] : mx;
        double z = 0;
        for (int k = 0; k < K; ++k) z += std::exp(double(l[k]) - mx);
        loss += std::log(z) - (double(l[labels[i]]) - mx);
        if (!dlogits) continue;
        float* d = dlogits + i * dld;
        for (int k = 0; k < K; ++k)
            d[k] = float((std::exp(double(l[k]) - mx) / z - (k == labels[i])) * weight / divisor);
    }
    return loss;
}

}  // namespace gan
