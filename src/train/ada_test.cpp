#include "train/ada.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/rng.h"

using namespace gan;

namespace {

constexpr int kBatch = 64;
constexpr double kSpeed = 64000;                              // images for p to cross [0, 1]
constexpr double kMove = double(kBatch) * kAdaInterval / kSpeed;  // one adjustment: 0.004

}  // namespace

// D sure of the reals (mean sign above the target) raises p, once every kAdaInterval steps.
TEST(Ada, RisesWhenDIsSureOfTheRealImages) {
    AdaState s;
    for (int i = 1; i < kAdaInterval; ++i) {
        ada_update(s, 0.9, 0.6, kBatch, kSpeed);
        EXPECT_EQ(s.p, 0.0) << "p moved before the interval ended, step " << i;
    }
    ada_update(s, 0.9, 0.6, kBatch, kSpeed);
    EXPECT_DOUBLE_EQ(s.p, kMove);
    EXPECT_EQ(s.steps, 0);
    EXPECT_EQ(s.sign_sum, 0.0);
    for (int i = 0; i < 10 * kAdaInterval; ++i) ada_update(s, 1.0, 0.6, kBatch, kSpeed);
    EXPECT_NEAR(s.p, 11 * kMove, 1e-12);
}

// D unsure (below the target) lowers p, and p never leaves [0, 1].
TEST(Ada, FallsWhenDIsUnsureAndClamps) {
    AdaState s;
    s.p = 2.5 * kMove;
    for (int i = 0; i < 2 * kAdaInterval; ++i) ada_update(s, 0.1, 0.6, kBatch, kSpeed);
    EXPECT_NEAR(s.p, 0.5 * kMove, 1e-12);
    for (int i = 0; i < kAdaInterval; ++i) ada_update(s, -1.0, 0.6, kBatch, kSpeed);
    EXPECT_EQ(s.p, 0.0);
    for (int i = 0; i < kAdaInterval; ++i) ada_update(s, -1.0, 0.6, kBatch, kSpeed);
    EXPECT_EQ(s.p, 0.0);
    s.p = 1.0 - 0.5 * kMove;
    for (int i = 0; i < 3 * kAdaInterval; ++i) ada_update(s, 1.0, 0.6, kBatch, kSpeed);
    EXPECT_EQ(s.p, 1.0);
    // A fast rule crosses [0, 1] in one adjustment and stops at the bound.
    ada_update(s, -1.0, 0.6, kBatch, 1.0);
    for (int i = 1; i < kAdaInterval; ++i) ada_update(s, -1.0, 0.6, kBatch, 1.0);
    EXPECT_EQ(s.p, 0.0);
}

// The mean over the interval decides, not the last step: three sure steps and one unsure one.
TEST(Ada, UsesTheIntervalsMeanSign) {
    AdaState up, down;
    for (double v : {0.9, 0.9, 0.9, -0.2}) ada_update(up, v, 0.6, kBatch, kSpeed);    // mean 0.625
    for (double v : {1.0, 1.0, 1.0, -1.0}) ada_update(down, v, 0.6, kBatch, kSpeed);  // mean 0.5
    EXPECT_DOUBLE_EQ(up.p, kMove);
    EXPECT_EQ(down.p, 0.0);
}

// Against a naive rule over a long random sequence: the signs of each block of kAdaInterval steps
// averaged, p moved by the block's direction and clamped.
TEST(Ada, MatchesANaiveRuleOverALongRun) {
    Rng rng(11);
    std::vector<double> signs(4001);
    for (double& v : signs) v = rng.uniform(-0.2f, 1.0f);
    AdaState s;
    double p = 0;
    std::vector<double> block;
    for (double v : signs) {
        ada_update(s, v, 0.4, kBatch, 2000.0);
        block.push_back(v);
        if (block.size() == size_t(kAdaInterval)) {
            double mean = 0;
            for (double b : block) mean += b / kAdaInterval;
            p += (mean > 0.4 ? 1 : mean < 0.4 ? -1 : 0) * kBatch * kAdaInterval / 2000.0;
            p = std::min(1.0, std::max(0.0, p));
            block.clear();
        }
        ASSERT_NEAR(s.p, p, 1e-12);
    }
    EXPECT_EQ(s.steps, 1);
}
