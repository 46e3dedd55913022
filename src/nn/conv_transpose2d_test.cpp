#include "nn/conv_transpose2d.h"

#include <gtest/gtest.h>

#include "core/check.h"
#include "gradcheck.h"

using namespace gan;

namespace {

void randomise(Arena& arena, Rng& rng) {
    for (float& v : arena.values()) v = rng.uniform(-0.5f, 0.5f);
}

// Straight from the definition: every input pixel adds w[c, o] · x into the window it maps to.
Tensor conv_transpose_naive(const Tensor& x, const float* w, const float* b, const ConvTranspose2dOptions& o,
                            Shape out) {
    Tensor y(out);
    const int K = o.kernel;
    for (int n = 0; n < out.n; ++n)
        for (int oc = 0; oc < o.out; ++oc)
            for (size_t k = 0; k < out.per_sample() / o.out; ++k)
                y[(size_t(n) * o.out + oc) * out.h * out.w + k] = b ? b[oc] : 0.0f;
    for (int n = 0; n < x.shape.n; ++n)
        for (int c = 0; c < x.shape.c; ++c)
            for (int iy = 0; iy < x.shape.h; ++iy)
                for (int ix = 0; ix < x.shape.w; ++ix)
                    for (int oc = 0; oc < o.out; ++oc)
                        for (int i = 0; i < K; ++i)
                            for (int j = 0; j < K; ++j) {
                                int oy = iy * o.stride - o.padding + i, ox = ix * o.stride - o.padding + j;
                                if (oy < 0 || oy >= out.h || ox < 0 || ox >= out.w) continue;
                                y[((size_t(n) * o.out + oc) * out.h + oy) * out.w + ox] +=
                                    w[((c * o.out + oc) * K + i) * K + j] *
                                    x[((size_t(n) * x.shape.c + c) * x.shape.h + iy) * x.shape.w + ix];
                            }
    return y;
}

const ConvTranspose2dOptions kCases[] = {
    {.in = 3, .out = 2, .kernel = 3, .stride = 2, .padding = 1, .output_padding = 1},
    {.in = 2, .out = 4, .kernel = 4, .stride = 2, .padding = 1, .bias = false},
    {.in = 4, .out = 3, .kernel = 4, .stride = 1, .padding = 0, .bias = false},  // DCGAN's first layer
    {.in = 2, .out = 3, .kernel = 3, .stride = 3, .padding = 2, .output_padding = 2},
};

}  // namespace

TEST(ConvTranspose2d, ShapesFollowPyTorch) {
    Arena a;
    ConvTranspose2d l1(a, "a", {.in = 100, .out = 256, .kernel = 4, .stride = 1, .padding = 0, .bias = false});
    EXPECT_EQ(l1.out_shape({2, 100, 1, 1}), (Shape{2, 256, 4, 4}));
    ConvTranspose2d l2(a, "b", {.in = 256, .out = 128, .kernel = 3, .stride = 2, .padding = 1, .bias = false});
    EXPECT_EQ(l2.out_shape({2, 256, 4, 4}), (Shape{2, 128, 7, 7}));
    ConvTranspose2d l3(a, "c", {.in = 128, .out = 64, .kernel = 4, .stride = 2, .padding = 1});
    EXPECT_EQ(l3.out_shape({2, 128, 7, 7}), (Shape{2, 64, 14, 14}));
    ConvTranspose2d l4(a, "d", {.in = 3, .out = 2, .kernel = 3, .stride = 2, .padding = 1, .output_padding = 1});
    EXPECT_EQ(l4.out_shape({1, 3, 5, 4}), (Shape{1, 2, 10, 8}));
    EXPECT_THROW(l3.out_shape({2, 127, 7, 7}), Error);
    EXPECT_THROW(ConvTranspose2d(a, "e", {.in = 1, .out = 1, .kernel = 3, .stride = 2, .output_padding = 2}),
                 Error);
    const ParamInfo* w = a.find("a.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{100, 256, 4, 4}));  // (in, out, kh, kw) as PyTorch
}

TEST(ConvTranspose2d, ForwardMatchesNaive) {
    Rng rng(1);
    for (const ConvTranspose2dOptions& o : kCases) {
        Arena arena;
        ConvTranspose2d layer(arena, "t", o);
        randomise(arena, rng);
        Tensor x = random_tensor({3, o.in, 4, 5}, rng), y;
        layer.forward(x, y);
        Tensor want = conv_transpose_naive(x, arena.value(layer.weight_offset()),
                                           o.bias ? arena.value(layer.bias_offset()) : nullptr, o, y.shape);
        ASSERT_EQ(y.shape, want.shape);
        for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-5) << i;
    }
}

TEST(ConvTranspose2d, GradientMatchesFiniteDifferences) {
    Rng rng(2);
    for (const ConvTranspose2dOptions& o : kCases) {
        Arena arena;
        ConvTranspose2d layer(arena, "t", o);
        randomise(arena, rng);
        EXPECT_EQ(gradcheck(layer, arena, random_tensor({2, o.in, 3, 4}, rng), rng), "")
            << "in " << o.in << " out " << o.out << " k " << o.kernel << " s " << o.stride;
    }
}

TEST(ConvTranspose2d, RepeatedBackwardAndNullDx) {
    Rng rng(3);
    Arena arena;
    ConvTranspose2d layer(arena, "t", kCases[0]);
    randomise(arena, rng);
    Tensor x = random_tensor({2, 3, 3, 3}, rng), y, dx;
    layer.forward(x, y);
    Tensor dy = random_tensor(y.shape, rng);
    layer.backward(dy, &dx);
    Tensor dx2;
    arena.zero_grad();
    layer.backward(dy, &dx2);  // dx is overwritten, not accumulated
    for (size_t i = 0; i < dx.size(); ++i) EXPECT_EQ(dx[i], dx2[i]);
    const AlignedVec<float> g1 = arena.grads();
    arena.zero_grad();
    layer.backward(dy, nullptr);
    for (size_t i = 0; i < g1.size(); ++i) EXPECT_EQ(arena.grads()[i], g1[i]);
}
