#include "nn/pool.h"

#include <gtest/gtest.h>

#include "core/check.h"
#include "gradcheck.h"

using namespace gan;

TEST(MaxPool2d, ForwardPicksTheWindowMaximum) {
    Tensor x({1, 1, 4, 4});
    for (int i = 0; i < 16; ++i) x[i] = float((i * 7) % 16);  // 0 7 14 5 / 12 3 10 1 / 8 15 6 13 / 4 11 2 9
    MaxPool2d pool;
    Tensor y;
    pool.forward(x, y);
    ASSERT_EQ(y.shape, (Shape{1, 1, 2, 2}));
    EXPECT_EQ(y[0], 12.0f);
    EXPECT_EQ(y[1], 14.0f);
    EXPECT_EQ(y[2], 15.0f);
    EXPECT_EQ(y[3], 13.0f);
    Tensor dy({1, 1, 2, 2}), dx;
    for (int i = 0; i < 4; ++i) dy[i] = float(i + 1);
    pool.backward(dy, &dx);
    EXPECT_EQ(dx[4], 1.0f);   // 12
    EXPECT_EQ(dx[2], 2.0f);   // 14
    EXPECT_EQ(dx[9], 3.0f);   // 15
    EXPECT_EQ(dx[11], 4.0f);  // 13
    float sum = 0;
    for (size_t i = 0; i < dx.size(); ++i) sum += dx[i];
    EXPECT_EQ(sum, 10.0f);
}

TEST(MaxPool2d, GradientMatchesFiniteDifferences) {
    // Distinct values spaced wider than the finite-difference step, so no window changes its winner.
    Rng rng(1);
    for (MaxPool2dOptions o : {MaxPool2dOptions{2, 2, 0}, MaxPool2dOptions{3, 2, 1}, MaxPool2dOptions{3, 1, 0}}) {
        MaxPool2d pool(o);
        Arena none;
        Tensor x({2, 3, 6, 5});
        for (size_t i = 0; i < x.size(); ++i) x[i] = 0.05f * float((i * 37) % x.size());
        EXPECT_EQ(gradcheck(pool, none, x, rng), "") << "kernel " << o.kernel << " stride " << o.stride;
    }
}

TEST(MaxPool2d, OddSizesFloorLikePyTorch) {
    MaxPool2d pool;
    EXPECT_EQ(pool.out_shape({2, 3, 7, 5}), (Shape{2, 3, 3, 2}));
    EXPECT_EQ(MaxPool2d({3, 2, 1}).out_shape({1, 1, 28, 28}), (Shape{1, 1, 14, 14}));
    EXPECT_THROW(pool.out_shape({1, 1, 1, 4}), Error);
    EXPECT_THROW(MaxPool2d({2, 1, 2}), Error);
}

TEST(MaxPool2d, PaddingNeverWins) {
    MaxPool2d pool({3, 2, 1});
    Tensor x({1, 1, 2, 2}), y;
    for (int i = 0; i < 4; ++i) x[i] = -5.0f - i;
    pool.forward(x, y);
    EXPECT_EQ(y[0], -5.0f);
}

TEST(MaxPool2d, FastPathMatchesGeneralPath) {
    // 2x2 stride 2 takes its own path: compare it with the definition, odd sizes included.
    Rng rng(7);
    Tensor x = random_tensor({3, 4, 9, 8}, rng), y;
    x[5] = x[6];  // a tie: the first in reading order wins
    MaxPool2d pool;
    pool.forward(x, y);
    ASSERT_EQ(y.shape, (Shape{3, 4, 4, 4}));
    for (int pl = 0; pl < 12; ++pl)
        for (int oy = 0; oy < 4; ++oy)
            for (int ox = 0; ox < 4; ++ox) {
                float m = -1e30f;
                for (int i = 0; i < 2; ++i)
                    for (int j = 0; j < 2; ++j) m = std::max(m, x[(pl * 9 + 2 * oy + i) * 8 + 2 * ox + j]);
                EXPECT_EQ(y[(pl * 4 + oy) * 4 + ox], m);
            }
}
