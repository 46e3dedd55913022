#include "nn/linear.h"

#include <gtest/gtest.h>

#include "gradcheck.h"
#include "core/check.h"
#include "nn/activation.h"

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

// An absorbed activation: the pair's gradient against finite differences (tanh: LeakyReLU's kink makes
// finite differences of a whole layer unreliable, and each half has its own check), and the same bits as
// the Linear and Activation layers run one after the other, forward and backward, on 1 and on 3 threads
// (where our GEMM kernels run; with OpenBLAS's, a split is within rounding).
TEST(Linear, AbsorbedActivationIsThePairOfLayers) {
    for (Epilogue e : {Epilogue{Act::tanh, 0.0f}, Epilogue{Act::leaky_relu, 0.2f}}) {
        Rng rng(4);
        Arena arena, plain_arena;
        const int N = 37, IN = 19, OUT = 23;
        Linear fused(arena, "l", {IN, OUT}), plain(plain_arena, "l", {IN, OUT});
        ASSERT_TRUE(fused.absorb(e));
        for (float& v : arena.values()) v = rng.uniform(-0.5f, 0.5f);
        plain_arena.values() = arena.values();
        Tensor x = random_tensor({N, IN, 1, 1}, rng);
        if (e.act == Act::tanh) {
            EXPECT_EQ(gradcheck(fused, arena, x, rng), "");
        }

        Activation act(e.act, e.alpha);
        Tensor y_plain, h, y_fused, dy = random_tensor({N, OUT, 1, 1}, rng), dh, dx_plain, dx_fused;
        plain.forward(x, h);
        act.forward(h, y_plain);
        act.backward(dy, &dh);
        plain.backward(dh, &dx_plain);
        const AlignedVec<float>& grads_plain = plain_arena.grads();
        for (int threads : {1, 3}) {
            auto be = make_backend({.threads = threads});
            fused.set_backend(be.get());
            fused.forward(x, y_fused);
            arena.zero_grad();
            fused.backward(dy, &dx_fused);
            if (be->bitwise_across_splits() || threads == 1) {
                EXPECT_TRUE(std::equal(y_plain.data(), y_plain.end(), y_fused.data())) << "threads " << threads;
                EXPECT_TRUE(std::equal(dx_plain.data(), dx_plain.end(), dx_fused.data())) << "threads " << threads;
                EXPECT_TRUE(arena.grads() == grads_plain) << "threads " << threads;
            } else {  // OpenBLAS may pick another kernel for a block of rows: rounding only
                for (size_t i = 0; i < y_plain.size(); ++i) EXPECT_NEAR(y_fused[i], y_plain[i], 1e-5);
                for (size_t i = 0; i < dx_plain.size(); ++i) EXPECT_NEAR(dx_fused[i], dx_plain[i], 1e-5);
                for (size_t i = 0; i < grads_plain.size(); ++i) EXPECT_NEAR(arena.grads()[i], grads_plain[i], 1e-4);
            }
        }
    }
}

// Only what can be computed from the output is absorbed (LeakyReLU's slope must keep the input's sign).
TEST(Linear, AbsorbsOnlyWhatItCanComputeFromTheOutput) {
    Arena arena;
    Linear layer(arena, "l", {3, 2});
    EXPECT_FALSE(layer.absorb(Epilogue{Act::leaky_relu, -0.5f}));
    EXPECT_FALSE(layer.absorb(Epilogue{Act::sigmoid, 0.0f}));
    EXPECT_FALSE(layer.absorbed());
    EXPECT_TRUE(layer.absorb(Epilogue{Act::leaky_relu, 0.0f}));
    EXPECT_TRUE(layer.absorbed());
}
