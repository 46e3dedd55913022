// The weight-parametrisation hook: a layer computes with the transform of its stored weight, and its
// backward reaches the stored parameter through the transform's gradient (finite differences of the
// loss against the stored parameter), for Linear, Conv2d and ConvTranspose2d. The transform here is
// the element-wise square (w = s²), nonlinear so that a missing chain-rule factor shows.
#include "nn/weight_transform.h"

#include <gtest/gtest.h>

#include "gradcheck.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/linear.h"

using namespace gan;

namespace {

class Square final : public WeightTransform {
  public:
    int forwards = 0, trained = 0;
    void forward(Backend&, float* w, const float* stored, const WeightShape& s, bool training) override {
        for (size_t i = 0; i < s.size(); ++i) w[i] = stored[i] * stored[i];
        ++forwards;
        trained += training;
    }
    void backward(Backend&, float* dstored, const float* dw, const float* stored, const float*,
                  const WeightShape& s) override {
        for (size_t i = 0; i < s.size(); ++i) dstored[i] += 2.0f * stored[i] * dw[i];
    }
};

// The same layer with the squared weights stored directly gives the same output.
void expect_forward_uses_transform(Layer& with, Arena& a, Layer& plain, Arena& b, size_t w_offset, size_t w_size,
                                   Tensor x) {
    for (size_t i = 0; i < a.size(); ++i) b.values()[i] = a.values()[i];
    for (size_t i = 0; i < w_size; ++i) b.values()[w_offset + i] = a.values()[w_offset + i] * a.values()[w_offset + i];
    Tensor y1, y2;
    with.forward(x, y1);
    plain.forward(x, y2);
    ASSERT_EQ(y1.shape, y2.shape);
    for (size_t i = 0; i < y1.size(); ++i) EXPECT_FLOAT_EQ(y1[i], y2[i]) << i;
}

}  // namespace

TEST(WeightTransform, LinearComputesWithTheTransformAndBackpropagatesThroughIt) {
    Rng rng(1);
    Arena a, b;
    Linear with(a, "l", {6, 4}), plain(b, "l", {6, 4});
    for (float& v : a.values()) v = rng.uniform(-0.8f, 0.8f);
    auto sq = std::make_unique<Square>();
    Square* t = sq.get();
    with.weight()->set_transform(std::move(sq));
    expect_forward_uses_transform(with, a, plain, b, with.weight_offset(), 24, random_tensor({3, 6, 1, 1}, rng));
    EXPECT_EQ(gradcheck(with, a, random_tensor({3, 6, 1, 1}, rng), rng), "");
    EXPECT_GT(t->forwards, 0);
    with.set_training(false);
    const int trained = t->trained;
    Tensor y;
    with.forward(random_tensor({2, 6, 1, 1}, rng), y);
    EXPECT_EQ(t->trained, trained) << "an evaluation forward must not update the transform's state";
}

TEST(WeightTransform, ConvolutionsBackpropagateThroughIt) {
    Rng rng(2);
    Arena a, b, c, d;
    Conv2d conv(a, "c", {.in = 2, .out = 3, .kernel = 3, .stride = 1, .padding = 1}),
        conv_plain(b, "c", {.in = 2, .out = 3, .kernel = 3, .stride = 1, .padding = 1});
    ConvTranspose2d up(c, "t", {.in = 3, .out = 2, .kernel = 4, .stride = 2, .padding = 1}),
        up_plain(d, "t", {.in = 3, .out = 2, .kernel = 4, .stride = 2, .padding = 1});
    for (float& v : a.values()) v = rng.uniform(-0.8f, 0.8f);
    for (float& v : c.values()) v = rng.uniform(-0.8f, 0.8f);
    conv.weight()->set_transform(std::make_unique<Square>());
    up.weight()->set_transform(std::make_unique<Square>());
    expect_forward_uses_transform(conv, a, conv_plain, b, conv.weight_offset(), 54, random_tensor({2, 2, 5, 5}, rng));
    expect_forward_uses_transform(up, c, up_plain, d, up.weight_offset(), 96, random_tensor({2, 3, 3, 3}, rng));
    EXPECT_EQ(gradcheck(conv, a, random_tensor({2, 2, 5, 5}, rng), rng), "");
    EXPECT_EQ(gradcheck(up, c, random_tensor({2, 3, 3, 3}, rng), rng), "");
}
