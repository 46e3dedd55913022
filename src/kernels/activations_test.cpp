#include "kernels/activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace gan;

static double bce_naive(double l, double t) {  // the textbook form, fine for moderate logits
    double p = 1.0 / (1.0 + std::exp(-l));
    return -(t * std::log(p) + (1 - t) * std::log(1 - p));
}

TEST(BceWithLogits, MatchesTextbookAndIsStableForLargeLogits) {
    std::vector<float> l = {-3.0f, -0.5f, 0.0f, 0.7f, 4.0f};
    for (float t : {0.0f, 0.9f, 1.0f}) {
        double want = 0;
        for (float v : l) want += bce_naive(v, t);
        EXPECT_NEAR(bce_with_logits(l.data(), t, l.size(), nullptr), want / l.size(), 1e-6);
    }
    std::vector<float> big = {-200.0f, 200.0f};
    float loss = bce_with_logits(big.data(), 1.0f, 2, nullptr);  // log(1+e^200)/2 ≈ 100
    EXPECT_NEAR(loss, 100.0f, 1e-3);
    EXPECT_TRUE(std::isfinite(loss));
}

TEST(BceWithLogits, GradientMatchesFiniteDifferences) {
    std::vector<float> l = {-2.5f, -0.3f, 0.1f, 1.7f};
    std::vector<float> d(l.size());
    for (float t : {0.0f, 0.9f, 1.0f}) {
        bce_with_logits(l.data(), t, l.size(), d.data(), 1.0f);
        for (size_t i = 0; i < l.size(); ++i) {
            std::vector<float> lp = l, lm = l;
            lp[i] += 1e-2f, lm[i] -= 1e-2f;
            double num = (double(bce_with_logits(lp.data(), t, l.size(), nullptr)) -
                          bce_with_logits(lm.data(), t, l.size(), nullptr)) / 2e-2;
            EXPECT_NEAR(d[i], num, 2e-4);
        }
    }
}

TEST(MeanSigmoid, Values) {
    std::vector<float> l = {0.0f, 0.0f};
    EXPECT_FLOAT_EQ(mean_sigmoid(l.data(), 2), 0.5f);
}
