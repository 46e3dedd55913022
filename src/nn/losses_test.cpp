#include "nn/losses.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/check.h"

using namespace gan;

// Every loss term's gradient against central differences (logits away from the hinge kinks at ±1).
TEST(GanLoss, GradientsMatchFiniteDifferences) {
    const std::vector<float> logits = {-2.3f, -0.4f, 0.3f, 1.6f, 2.2f};
    for (LossKind k : {LossKind::bce, LossKind::lsgan, LossKind::hinge})
        for (LossTerm t : {LossTerm::d_real, LossTerm::d_fake, LossTerm::g_fake}) {
            std::vector<float> d(logits.size());
            gan_loss(k, t, logits.data(), logits.size(), 0.1f, d.data());
            for (size_t i = 0; i < logits.size(); ++i) {
                std::vector<float> p = logits, m = logits;
                p[i] += 1e-2f, m[i] -= 1e-2f;
                double num = (double(gan_loss(k, t, p.data(), p.size(), 0.1f, nullptr)) -
                              gan_loss(k, t, m.data(), m.size(), 0.1f, nullptr)) / 2e-2;
                EXPECT_NEAR(d[i], num, 1e-3) << to_string(k) << " term " << int(t) << " i " << i;
            }
        }
}

TEST(GanLoss, KnownValues) {
    const float l[2] = {0.0f, 2.0f};
    // lsgan real with smoothing 0.1: ½((0-0.9)² + (2-0.9)²)/2
    EXPECT_NEAR(gan_loss(LossKind::lsgan, LossTerm::d_real, l, 2, 0.1f, nullptr), 0.25 * (0.81 + 1.21), 1e-6);
    // hinge fake: (relu(1+0) + relu(1+2))/2 = 2
    EXPECT_NEAR(gan_loss(LossKind::hinge, LossTerm::d_fake, l, 2, 0.0f, nullptr), 2.0, 1e-6);
    EXPECT_NEAR(gan_loss(LossKind::hinge, LossTerm::g_fake, l, 2, 0.0f, nullptr), -1.0, 1e-6);
    EXPECT_THROW(loss_kind_from_string("wasserstein"), Error);
}
