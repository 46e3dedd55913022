#include "nn/activation.h"

#include <gtest/gtest.h>

#include "gradcheck.h"

using namespace gan;

// Inputs kept away from 0 so finite differences do not straddle the (leaky) ReLU kink.
static Tensor away_from_kink(Shape s, Rng& rng) {
    Tensor t = random_tensor(s, rng);
    for (size_t i = 0; i < t.size(); ++i) t[i] = t[i] < 0 ? t[i] - 0.1f : t[i] + 0.1f;
    return t;
}

class ActivationGrad : public ::testing::TestWithParam<Act> {};

TEST_P(ActivationGrad, MatchesFiniteDifferences) {
    Rng rng(5);
    Arena none;
    Activation layer(GetParam(), 0.2f);
    EXPECT_EQ(gradcheck(layer, none, away_from_kink({4, 6, 1, 1}, rng), rng, 1e-3f), "");
}

INSTANTIATE_TEST_SUITE_P(All, ActivationGrad, ::testing::Values(Act::leaky_relu, Act::relu, Act::tanh, Act::sigmoid));

TEST(Activation, LeakyReluValues) {
    Activation layer(Act::leaky_relu, 0.01f);
    Tensor x({1, 3, 1, 1}), y;
    x[0] = -2.0f, x[1] = 0.0f, x[2] = 3.0f;
    layer.forward(x, y);
    EXPECT_FLOAT_EQ(y[0], -0.02f);
    EXPECT_FLOAT_EQ(y[1], 0.0f);
    EXPECT_FLOAT_EQ(y[2], 3.0f);
}
