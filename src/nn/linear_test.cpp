#include "nn/linear.h"

#include <gtest/gtest.h>

#include "gradcheck.h"
#include "core/check.h"
#include "kernels/gemm.h"

using namespace gan;

TEST(Linear, GradientMatchesFiniteDifferences) {
    Rng rng(1);
    Arena arena;
    Linear layer(arena, "l", {7, 5});
    for (float& v : arena.values()) v = rng.uniform(-0.5f, 0.5f);
    EXPECT_EQ(gradcheck(layer, arena, random_tensor({3, 7, 1, 1}, rng), rng), "");
}

TEST(Linear, NoBiasGradient) {
    Rng rng(2);
    Arena arena;
    Linear layer(arena, "l", {4, 6, false});
    EXPECT_EQ(arena.size(), 24u);
    for (float& v : arena.values()) v = rng.uniform(-0.5f, 0.5f);
    EXPECT_EQ(gradcheck(layer, arena, random_tensor({5, 4, 1, 1}, rng), rng), "");
}

TEST(Linear, ForwardMatchesNaive) {
    Rng rng(3);
    Arena arena;
    const int N = 9, IN = 33, OUT = 17;
    Linear layer(arena, "l", {IN, OUT});
    for (float& v : arena.values()) v = rng.uniform(-1, 1);
    Tensor x = random_tensor({N, IN, 1, 1}, rng), y;
    layer.forward(x, y);
    const float* w = arena.value(layer.weight_offset());
    const float* b = arena.value(layer.bias_offset());
    for (int i = 0; i < N; ++i)
        for (int o = 0; o < OUT; ++o) {
            double acc = b[o];
            for (int k = 0; k < IN; ++k) acc += double(x[i * IN + k]) * w[o * IN + k];
            EXPECT_NEAR(y[i * OUT + o], acc, 1e-4);
        }
}

TEST(Linear, RejectsWrongInputSize) {
    Arena arena;
    Linear layer(arena, "l", {3, 2});
    EXPECT_THROW(layer.out_shape({2, 4, 1, 1}), Error);
}
