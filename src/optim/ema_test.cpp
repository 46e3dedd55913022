#include "optim/ema.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "backend/backend.h"
#include "core/rng.h"

using namespace gan;

// The warm-up: (1 + t) / (10 + t) until it passes the decay, the decay from then on.
TEST(Ema, DecayWarmsUpThenHoldsTheGivenValue) {
    EXPECT_FLOAT_EQ(ema_decay_at(0.999f, 1), 2.0f / 11.0f);
    EXPECT_FLOAT_EQ(ema_decay_at(0.999f, 90), 91.0f / 100.0f);
    EXPECT_FLOAT_EQ(ema_decay_at(0.999f, 937), 938.0f / 947.0f);
    EXPECT_FLOAT_EQ(ema_decay_at(0.999f, 8991), 0.999f);  // (1 + t) / (10 + t) = 0.999 at t = 8990
    EXPECT_FLOAT_EQ(ema_decay_at(0.999f, 1000000), 0.999f);
    EXPECT_FLOAT_EQ(ema_decay_at(0.5f, 1), 2.0f / 11.0f);
    EXPECT_FLOAT_EQ(ema_decay_at(0.5f, 9), 0.5f);  // 10/19 > 0.5
    float last = 0;
    for (int64_t t = 1; t < 20000; ++t) {
        const float d = ema_decay_at(0.999f, t);
        ASSERT_GE(d, last) << t;
        ASSERT_LE(d, 0.999f) << t;
        last = d;
    }
}

// After the warm-up's first updates the initial weights have almost no weight left; with the plain decay
// they keep decayᵗ. The update itself against double precision.
TEST(Ema, UpdateFollowsTheFormulaAndForgetsTheStart) {
    Rng rng(5);
    const size_t n = 257;
    std::vector<float> ema(n, 100.0f), p(n);  // a start far from the weights it then averages
    std::vector<double> ref(n, 100.0);
    for (int64_t t = 1; t <= 937; ++t) {
        for (size_t i = 0; i < n; ++i) p[i] = rng.uniform(-1, 1);
        const float d = ema_decay_at(0.999f, t);
        host_backend().ema_update(ema.data(), p.data(), n, d);
        for (size_t i = 0; i < n; ++i) ref[i] = double(d) * ref[i] + (1.0 - double(d)) * p[i];
    }
    for (size_t i = 0; i < n; ++i) {
        EXPECT_NEAR(ema[i], ref[i], 1e-4) << i;
        // the start's share: prod (1 + t)/(10 + t) over t = 1..937 = 10!·938!/947! ≈ 6e-21
        EXPECT_LT(std::abs(ema[i]), 1.0f) << i;
    }
    // Plain 0.999 for the same updates keeps 0.999^937 = 39 % of the start.
    std::vector<float> plain(n, 100.0f);
    for (int64_t t = 1; t <= 937; ++t) host_backend().ema_update(plain.data(), p.data(), n, 0.999f);
    EXPECT_GT(plain[0], 30.0f);
}
