#include "nn/batchnorm2d.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/check.h"
#include "gradcheck.h"
#include "nn/sequential.h"

using namespace gan;

namespace {

void randomise(Arena& params, Rng& rng) {
    for (float& v : params.values()) v = rng.uniform(0.5f, 1.5f);
}

}  // namespace

TEST(BatchNorm2d, NamesAndInitialState) {
    Sequential s("generator");
    s.add_with_buffers<BatchNorm2d>(BatchNorm2dOptions{.channels = 3});
    ASSERT_NE(s.params.find("generator.0.weight"), nullptr);
    ASSERT_NE(s.params.find("generator.0.bias"), nullptr);
    ASSERT_NE(s.buffers.find("generator.0.running_mean"), nullptr);
    ASSERT_NE(s.buffers.find("generator.0.running_var"), nullptr);
    EXPECT_EQ(s.params.size(), 6u);  // running statistics stay out of the optimiser's arena
    for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(s.params.values()[c], 1.0f);
        EXPECT_EQ(s.buffers.values()[c], 0.0f);
        EXPECT_EQ(s.buffers.values()[3 + c], 1.0f);
    }
    EXPECT_THROW(s.check_shapes({1, 4, 2, 2}), Error);
}

TEST(BatchNorm2d, TrainModeNormalisesAndUpdatesRunningStats) {
    Rng rng(1);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 2});
    Tensor x = random_tensor({3, 2, 2, 3}, rng, -2.0f, 3.0f), y;
    bn.forward(x, y);
    for (int c = 0; c < 2; ++c) {
        double s = 0, ss = 0, ys = 0, yss = 0;
        const int M = 3 * 6;
        for (int n = 0; n < 3; ++n)
            for (int k = 0; k < 6; ++k) {
                size_t i = (size_t(n) * 2 + c) * 6 + k;
                s += x[i], ys += y[i], yss += double(y[i]) * y[i];
            }
        double mu = s / M;
        for (int n = 0; n < 3; ++n)
            for (int k = 0; k < 6; ++k) ss += std::pow(x[(size_t(n) * 2 + c) * 6 + k] - mu, 2);
        EXPECT_NEAR(ys / M, 0.0, 1e-6);
        EXPECT_NEAR(yss / M, ss / M / (ss / M + 1e-5), 1e-5);
        EXPECT_NEAR(buffers.value(bn.running_mean_offset())[c], 0.1 * mu, 1e-6);
        EXPECT_NEAR(buffers.value(bn.running_var_offset())[c], 0.9 + 0.1 * ss / (M - 1), 1e-6);
    }
}

TEST(BatchNorm2d, EvalModeUsesRunningStats) {
    Rng rng(2);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 2});
    randomise(params, rng);
    buffers.value(bn.running_mean_offset())[1] = 0.5f;
    buffers.value(bn.running_var_offset())[1] = 4.0f;
    bn.set_training(false);
    Tensor x = random_tensor({2, 2, 1, 3}, rng), y;
    bn.forward(x, y);
    const float* w = params.value(bn.weight_offset());
    const float* b = params.value(bn.bias_offset());
    for (int n = 0; n < 2; ++n)
        for (int k = 0; k < 3; ++k) {
            EXPECT_NEAR(y[(n * 2 + 0) * 3 + k], x[(n * 2 + 0) * 3 + k] / std::sqrt(1 + 1e-5) * w[0] + b[0], 1e-6);
            EXPECT_NEAR(y[(n * 2 + 1) * 3 + k], (x[(n * 2 + 1) * 3 + k] - 0.5) / std::sqrt(4 + 1e-5) * w[1] + b[1],
                        1e-6);
        }
    EXPECT_EQ(buffers.value(bn.running_var_offset())[1], 4.0f);  // untouched in eval mode
}

TEST(BatchNorm2d, GradientMatchesFiniteDifferencesInTrainMode) {
    Rng rng(3);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 3});
    randomise(params, rng);
    // Wider input spread than eps so the finite differences see a smooth function.
    EXPECT_EQ(gradcheck(bn, params, random_tensor({3, 3, 2, 2}, rng, -2.0f, 2.0f), rng, 1e-2f, 3e-2, 3e-3), "");
}

TEST(BatchNorm2d, GradientMatchesFiniteDifferencesInEvalMode) {
    Rng rng(4);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 2});
    randomise(params, rng);
    buffers.value(bn.running_mean_offset())[0] = 0.3f;
    buffers.value(bn.running_var_offset())[1] = 2.0f;
    bn.set_training(false);
    EXPECT_EQ(gradcheck(bn, params, random_tensor({2, 2, 3, 1}, rng), rng), "");
}

TEST(BatchNorm2d, TrainModeNeedsMoreThanOneValue) {
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 1});
    Tensor x({1, 1, 1, 1}), y;
    EXPECT_THROW(bn.forward(x, y), Error);
}
