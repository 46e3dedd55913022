#include "nn/conv2d.h"

#include <gtest/gtest.h>

#include "core/check.h"
#include "gradcheck.h"
#include "nn/sequential.h"

using namespace gan;

namespace {

void randomise(Arena& arena, Rng& rng) {
    for (float& v : arena.values()) v = rng.uniform(-0.5f, 0.5f);
}

// y[n,o,oy,ox] = b[o] + Σ w[o,c,i,j] x[n,c,oy*s-p+i,ox*s-p+j], straight from the definition.
double conv_at(const Tensor& x, const float* w, const float* b, const Conv2dOptions& o, int n, int oc, int oy,
               int ox) {
    const Shape s = x.shape;
    double acc = b ? b[oc] : 0.0;
    for (int c = 0; c < s.c; ++c)
        for (int i = 0; i < o.kernel; ++i)
            for (int j = 0; j < o.kernel; ++j) {
                int iy = oy * o.stride - o.padding + i, ix = ox * o.stride - o.padding + j;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                acc += double(w[((oc * s.c + c) * o.kernel + i) * o.kernel + j]) *
                       x[((size_t(n) * s.c + c) * s.h + iy) * s.w + ix];
            }
    return acc;
}

}  // namespace

TEST(Conv2d, ForwardMatchesNaive) {
    Rng rng(1);
    for (Conv2dOptions o : {Conv2dOptions{.in = 3, .out = 4, .kernel = 3, .stride = 1, .padding = 1},
                            Conv2dOptions{.in = 2, .out = 5, .kernel = 4, .stride = 2, .padding = 1},
                            Conv2dOptions{.in = 1, .out = 2, .kernel = 5, .bias = false}}) {
        Arena arena;
        Conv2d layer(arena, "c", o);
        randomise(arena, rng);
        Tensor x = random_tensor({3, o.in, 9, 8}, rng), y;
        layer.forward(x, y);
        const float* b = o.bias ? arena.value(layer.bias_offset()) : nullptr;
        for (int n = 0; n < y.shape.n; ++n)
            for (int c = 0; c < y.shape.c; ++c)
                for (int i = 0; i < y.shape.h; ++i)
                    for (int j = 0; j < y.shape.w; ++j)
                        EXPECT_NEAR(y[((size_t(n) * y.shape.c + c) * y.shape.h + i) * y.shape.w + j],
                                    conv_at(x, arena.value(layer.weight_offset()), b, o, n, c, i, j), 1e-4);
    }
}

TEST(Conv2d, GradientMatchesFiniteDifferences) {
    Rng rng(2);
    Arena arena;
    Conv2d layer(arena, "c", {.in = 2, .out = 3, .kernel = 3, .stride = 1, .padding = 1});
    randomise(arena, rng);
    EXPECT_EQ(gradcheck(layer, arena, random_tensor({2, 2, 5, 4}, rng), rng), "");
}

TEST(Conv2d, StridedPaddedGradient) {
    Rng rng(3);
    Arena arena;
    Conv2d layer(arena, "c", {.in = 2, .out = 2, .kernel = 4, .stride = 2, .padding = 1});
    randomise(arena, rng);
    EXPECT_EQ(gradcheck(layer, arena, random_tensor({2, 2, 6, 7}, rng), rng), "");
}

TEST(Conv2d, RectangularKernelWithoutBias) {
    Rng rng(4);
    Arena arena;
    Conv2d layer(arena, "c", {.in = 1, .out = 2, .stride = 1, .bias = false, .kh = 2, .kw = 3});
    EXPECT_EQ(arena.size(), 12u);
    randomise(arena, rng);
    EXPECT_EQ(layer.out_shape({1, 1, 5, 5}), (Shape{1, 2, 4, 3}));
    EXPECT_EQ(gradcheck(layer, arena, random_tensor({3, 1, 5, 5}, rng), rng), "");
}

TEST(Conv2d, ChunkedBatchEqualsOneImageAtATime) {
    // A batch large enough to be split into several GEMMs gives each image's own result.
    Rng rng(5);
    Arena arena;
    Conv2d layer(arena, "c", {.in = 1, .out = 8, .kernel = 5});
    randomise(arena, rng);
    Tensor x = random_tensor({300, 1, 28, 28}, rng), y, y1;
    layer.forward(x, y);
    for (int n : {0, 150, 299}) {
        Tensor xi({1, 1, 28, 28});
        std::copy(x.data() + n * 784, x.data() + (n + 1) * 784, xi.data());
        layer.forward(xi, y1);
        for (size_t k = 0; k < y1.size(); ++k) ASSERT_NEAR(y[n * y1.size() + k], y1[k], 1e-5);
    }
}

TEST(Conv2d, NamesAndLayoutFollowPyTorch) {
    Sequential s("features");
    s.add<Conv2d>(Conv2dOptions{.in = 1, .out = 6, .kernel = 5});
    ASSERT_NE(s.params.find("features.0.weight"), nullptr);
    EXPECT_EQ(s.params.find("features.0.weight")->shape, (std::vector<int64_t>{6, 1, 5, 5}));
    EXPECT_EQ(s.params.find("features.0.bias")->shape, (std::vector<int64_t>{6}));
    EXPECT_EQ(s.check_shapes({4, 1, 28, 28}), (Shape{4, 6, 24, 24}));
    EXPECT_THROW(s.check_shapes({4, 3, 28, 28}), Error);
    EXPECT_THROW(s.check_shapes({4, 1, 3, 3}), Error);
}

TEST(Conv2d, RepeatedBackwardAndChunkedBatchGiveTheSameGradients) {
    // Backward reuses forward's columns when the batch is one chunk; a second backward after the same
    // forward (the columns overwritten by the first's dx) and a chunked batch must give the same sums.
    Rng rng(9);
    Arena arena;
    Conv2d layer(arena, "c", {.in = 2, .out = 4, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    randomise(arena, rng);
    Tensor x = random_tensor({3, 2, 8, 8}, rng), y, dx1, dx2;
    layer.forward(x, y);
    Tensor dy = random_tensor(y.shape, rng);
    arena.zero_grad();
    layer.backward(dy, &dx1);
    std::vector<float> g1(arena.grads().begin(), arena.grads().end());
    layer.backward(dy, &dx2);
    for (size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(arena.grads()[i], 2 * g1[i], 1e-5 * (1 + std::abs(g1[i])));
    for (size_t i = 0; i < dx1.size(); ++i) EXPECT_EQ(dx1[i], dx2[i]);
    // Against the sum of one image at a time.
    std::vector<float> sum(g1.size(), 0.0f);
    for (int n = 0; n < 3; ++n) {
        Tensor xi({1, 2, 8, 8}), yi, dyi({1, 4, 4, 4}), dxi;
        std::copy(x.data() + n * xi.size(), x.data() + (n + 1) * xi.size(), xi.data());
        std::copy(dy.data() + n * dyi.size(), dy.data() + (n + 1) * dyi.size(), dyi.data());
        layer.forward(xi, yi);
        arena.zero_grad();
        layer.backward(dyi, &dxi);
        for (size_t i = 0; i < sum.size(); ++i) sum[i] += arena.grads()[i];
        for (size_t k = 0; k < dxi.size(); ++k) EXPECT_NEAR(dxi[k], dx1[n * dxi.size() + k], 1e-6);
    }
    for (size_t i = 0; i < sum.size(); ++i) EXPECT_NEAR(sum[i], g1[i], 1e-5 * (1 + std::abs(g1[i])));
}
