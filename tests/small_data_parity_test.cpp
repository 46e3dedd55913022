// Spectral normalisation and the differentiable augmentation against PyTorch (golden values from
// tests/golden/make_golden_small_data.py, compiled in): the forward, the backward through the
// normalisation, u and v after each training forward, the evaluation forward; each augmentation's
// output and its gradient at the input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden/golden_check.h"
#include "golden/small_data_golden.h"
#include "nn/augment.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "nn/spectral_norm.h"

using namespace gan;
using gan::testing::expect_golden;
using gan::testing::golden_find;

namespace {

constexpr double kTol = 2e-5;

Tensor tensor_of(const GoldenTensor& g, Shape s) {
    EXPECT_EQ(size_t(g.size), s.size()) << g.name;
    Tensor t(s);
    for (size_t i = 0; i < t.size(); ++i) t[i] = g.val[i];
    return t;
}

void set(Arena& a, const std::string& name, const GoldenTensor& g) {
    const ParamInfo* p = a.find(name);
    ASSERT_NE(p, nullptr) << name;
    ASSERT_EQ(p->size, size_t(g.size)) << name;
    std::copy(g.val.begin(), g.val.end(), a.values().begin() + std::ptrdiff_t(p->offset));
}

const float* get(Arena& a, const std::string& name) { return a.values().data() + a.find(name)->offset; }

// The layer at m.0 with spectral norm, its tensors from the case; then the case's sequence of forwards.
void check_case(Sequential& m, const std::vector<GoldenTensor>& g, Shape x_shape, Shape y_shape) {
    add_spectral_norm(m, 0);
    EXPECT_EQ(m.params.find("m.0.weight"), nullptr);
    set(m.params, "m.0.weight_orig", golden_find(g, "weight_orig"));
    if (m.params.find("m.0.bias")) set(m.params, "m.0.bias", golden_find(g, "bias"));
    set(m.buffers, "m.0.weight_u", golden_find(g, "u0"));
    set(m.buffers, "m.0.weight_v", golden_find(g, "v0"));
    const Tensor x = tensor_of(golden_find(g, "x"), x_shape), r = tensor_of(golden_find(g, "r"), y_shape);
    m.params.zero_grad();
    m.set_training(true);
    const Tensor& y = m.forward(x);
    expect_golden(golden_find(g, "y"), y.data(), y.size(), kTol, "training forward");
    expect_golden(golden_find(g, "u1"), get(m.buffers, "m.0.weight_u"), size_t(golden_find(g, "u1").size), kTol,
                  "u after one power iteration");
    expect_golden(golden_find(g, "v1"), get(m.buffers, "m.0.weight_v"), size_t(golden_find(g, "v1").size), kTol,
                  "v after one power iteration");
    Tensor dx;
    m.backward(r, &dx);
    expect_golden(golden_find(g, "dx"), dx.data(), dx.size(), kTol, "gradient at x");
    const GoldenTensor& dw = golden_find(g, "dweight_orig");
    expect_golden(dw, m.params.grads().data() + m.params.find("m.0.weight_orig")->offset, size_t(dw.size), kTol,
                  "gradient at weight_orig");
    const Tensor& y2 = m.forward(x);
    expect_golden(golden_find(g, "y2"), y2.data(), y2.size(), kTol, "second training forward");
    expect_golden(golden_find(g, "u2"), get(m.buffers, "m.0.weight_u"), size_t(golden_find(g, "u2").size), kTol,
                  "u after two power iterations");
    const size_t h = size_t(golden_find(g, "u2").size);
    const std::vector<float> u2(get(m.buffers, "m.0.weight_u"), get(m.buffers, "m.0.weight_u") + h);
    ModeScope eval(m, Mode{.training = false});
    const Tensor& ye = m.forward(x);
    expect_golden(golden_find(g, "y_eval"), ye.data(), ye.size(), kTol, "evaluation forward");
    for (size_t i = 0; i < h; ++i) EXPECT_EQ(get(m.buffers, "m.0.weight_u")[i], u2[i]) << "an evaluation forward moved u";
}

}  // namespace

TEST(SpectralNormParity, LinearMatchesTorch) {
    Sequential m("m");
    m.add<Linear>(LinearOptions{.in = 7, .out = 5});
    check_case(m, golden_sn_linear, {3, 7, 1, 1}, {3, 5, 1, 1});
}

TEST(SpectralNormParity, Conv2dMatchesTorch) {
    Sequential m("m");
    m.add<Conv2d>(Conv2dOptions{.in = 3, .out = 4, .kernel = 3, .stride = 1, .padding = 1, .bias = false});
    check_case(m, golden_sn_conv, {2, 3, 4, 4}, {2, 4, 4, 4});
}

TEST(SpectralNormParity, ConvTranspose2dMatchesTorchOverItsOutputDimension) {
    Sequential m("m");
    m.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 3, .out = 4, .kernel = 4, .stride = 2, .padding = 1,
                                                  .bias = false});
    check_case(m, golden_sn_convt, {2, 3, 3, 3}, {2, 4, 6, 6});
    EXPECT_EQ(m.buffers.find("m.0.weight_u")->size, 4u) << "u runs over the output channels (dim 1)";
}

// Each augmentation alone and all three, with the golden script's per-image values.
TEST(AugmentParity, EachAugmentationAndItsGradientMatchTorch) {
    const auto& g = golden_augment;
    const Shape s{3, 3, 8, 8};
    const Tensor x = tensor_of(golden_find(g, "x"), s), r = tensor_of(golden_find(g, "r"), s);
    const GoldenTensor& p = golden_find(g, "params");  // (n, 7): b, s, k, tx, ty, ox, oy
    for (const std::string which : {"colour", "translation", "cutout", "all"}) {
        std::vector<AugmentDraw> draws(3);
        for (size_t i = 0; i < 3; ++i) {
            const float* v = p.val.data() + 7 * i;
            AugmentDraw& d = draws[i];
            if (which == "colour" || which == "all") d.brightness = v[0], d.saturation = v[1], d.contrast = v[2];
            if (which == "translation" || which == "all") d.shift_rows = int(v[3]), d.shift_cols = int(v[4]);
            if (which == "cutout" || which == "all") d.cut_rows = int(v[5]), d.cut_cols = int(v[6]);
        }
        Augment a;
        a.set(draws, 8, 8);
        Tensor y, dx;
        a.forward(host_backend(), x, y);
        expect_golden(golden_find(g, "y_" + which), y.data(), y.size(), kTol, which);
        a.backward(host_backend(), r, dx);
        expect_golden(golden_find(g, "dx_" + which), dx.data(), dx.size(), kTol, which + " backward");
    }
}
