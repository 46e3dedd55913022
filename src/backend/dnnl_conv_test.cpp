// The oneDNN convolutions against the im2col + GEMM path (the reference, itself checked against naive
// loops and finite differences in conv2d_test / conv_transpose2d_test): same y, dx and accumulated dW
// on the DCGAN's wide layers and on odd shapes, and the choice of engine per shape.
#include "backend/dnnl_conv.h"

#include <gtest/gtest.h>

#include <cmath>

#include "backend/cpu_backend.h"
#include "core/rng.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"

using namespace gan;

namespace {

struct Case {
    bool transposed;
    int n, in, out, k, s, p, ih;
};

struct Result {
    std::vector<float> y, dx, dw;
    bool onednn = false;
};

Result run(const Case& c, bool onednn) {
    conv_engine_use_onednn(onednn);
    Arena params;
    std::unique_ptr<Layer> layer;
    if (c.transposed)
        layer = std::make_unique<ConvTranspose2d>(
            params, "l", ConvTranspose2dOptions{.in = c.in, .out = c.out, .kernel = c.k, .stride = c.s, .padding = c.p, .bias = false});
    else
        layer = std::make_unique<Conv2d>(params, "l",
                                         Conv2dOptions{.in = c.in, .out = c.out, .kernel = c.k, .stride = c.s, .padding = c.p, .bias = false});
    Rng rng(17);
    for (float& v : params.values()) v = rng.uniform(-0.2f, 0.2f);
    Tensor x({c.n, c.in, c.ih, c.ih}), y, dx;
    for (size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    params.zero_grad();
    for (float& g : params.grads()) g = 0.5f;  // backward must add to what is there
    layer->forward(x, y);
    Tensor dy(y.shape);
    for (size_t i = 0; i < dy.size(); ++i) dy[i] = rng.uniform(-1, 1);
    layer->backward(dy, &dx);
    Result r{{y.data(), y.end()}, {dx.data(), dx.end()}, {params.grads().begin(), params.grads().end()}, false};
    r.onednn = c.transposed ? static_cast<ConvTranspose2d&>(*layer).used_onednn()
                            : static_cast<Conv2d&>(*layer).used_onednn();
    conv_engine_use_onednn(true);
    return r;
}

double max_rel(const std::vector<float>& a, const std::vector<float>& b) {
    double scale = 1e-6, m = 0;
    for (float v : b) scale = std::fmax(scale, std::fabs(v));
    for (size_t i = 0; i < a.size(); ++i) m = std::fmax(m, std::fabs(double(a[i]) - b[i]));
    return m / scale;
}

}  // namespace

TEST(DnnlConv, MatchesIm2colOnTheDcganLayersAndOddShapes) {
    if (!DnnlConv::available()) GTEST_SKIP() << "built without oneDNN";
    const Case cases[] = {
        {false, 3, 64, 128, 4, 2, 1, 14},  // D2
        {false, 2, 128, 256, 4, 2, 1, 7},  // D3
        {true, 3, 256, 128, 3, 2, 1, 4},   // G2
        {true, 2, 128, 64, 4, 2, 1, 7},    // G3
        {false, 2, 16, 24, 3, 1, 1, 5},    // odd: stride 1, 'same' padding
        {true, 1, 32, 16, 5, 3, 2, 3},     // odd: stride 3
    };
    for (const Case& c : cases) {
        Result ref = run(c, false), dn = run(c, true);
        EXPECT_FALSE(ref.onednn);
        EXPECT_TRUE(dn.onednn) << "case in " << c.in << " out " << c.out;
        ASSERT_EQ(ref.y.size(), dn.y.size());
        EXPECT_LT(max_rel(dn.y, ref.y), 1e-5) << c.in << "->" << c.out << (c.transposed ? " T" : "");
        EXPECT_LT(max_rel(dn.dx, ref.dx), 1e-5) << c.in << "->" << c.out << (c.transposed ? " T" : "");
        EXPECT_LT(max_rel(dn.dw, ref.dw), 1e-5) << c.in << "->" << c.out << (c.transposed ? " T" : "");
    }
}

// The narrow ends and 1x1 maps stay on im2col + GEMM, where it was measured to be faster.
TEST(DnnlConv, ChoosesByShape) {
    if (!DnnlConv::available()) GTEST_SKIP() << "built without oneDNN";
    EXPECT_FALSE(run({false, 2, 1, 64, 4, 2, 1, 28}, true).onednn);   // D1: one input channel
    EXPECT_FALSE(run({false, 2, 256, 1, 3, 1, 0, 3}, true).onednn);   // D4: one output channel, 1x1 map
    EXPECT_FALSE(run({true, 2, 100, 256, 4, 1, 0, 1}, true).onednn);  // G1: from a 1x1 map
    EXPECT_FALSE(run({true, 2, 64, 1, 4, 2, 1, 14}, true).onednn);    // G4: one output channel
    EXPECT_TRUE(run({false, 2, 64, 128, 4, 2, 1, 14}, true).onednn);
}
