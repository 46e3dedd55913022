// The DCGAN's layers and networks against PyTorch 1.13 (tests/golden/make_golden_dcgan.py): identical
// weights and inputs from integer formulas, then the forward output, the input gradient, every parameter
// gradient and the batch-norm running statistics after one training-mode forward.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "golden/dcgan_golden.h"
#include "golden/golden_check.h"
#include "models/dcgan.h"
#include "nn/batchnorm2d.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"

using namespace gan;
using gan::testing::expect_golden;
using gan::testing::golden_find;

namespace {

// The formulas of make_golden_dcgan.py.
void fill_formula(Arena& arena, double conv_scale) {
    int p = 0;
    for (const ParamInfo& info : arena.params()) {
        const bool bias = info.name.size() >= 5 && info.name.compare(info.name.size() - 5, 5, ".bias") == 0;
        const bool bn_weight = !bias && info.shape.size() == 1;
        const double scale = bias || bn_weight ? 0.1 : conv_scale, offset = bn_weight ? 1.0 : 0.0;
        float* v = arena.value(info.offset);
        for (size_t i = 0; i < info.size; ++i)
            v[i] = float(double(int64_t((i * 7919 + 31 * p) % 1001) - 500) / 500.0 * scale + offset);
        ++p;
    }
}

Tensor image(Shape s) {
    Tensor t(s);
    for (size_t k = 0; k < t.size(); ++k) t[k] = float((k * 37 + 11) % 256) / 255.0f * 2.0f - 1.0f;
    return t;
}

Tensor latent(Shape s) {
    Tensor t(s);
    for (size_t k = 0; k < t.size(); ++k) t[k] = float((k * 13 + 5) % 129) / 64.0f - 1.0f;
    return t;
}

Tensor upstream(Shape s) {
    Tensor t(s);
    for (size_t k = 0; k < t.size(); ++k) t[k] = float(double((k * 17 + 3) % 97) / 48.0 - 1.0);
    return t;
}

// Forward x through the layer (or network), backward of sum(y·r), and compare everything by name.
template <typename Fwd, typename Bwd>
void check_case(const std::vector<GoldenTensor>& golden, const std::string& what, Arena& params, Arena* buffers,
                const Tensor& x, Fwd forward, Bwd backward, double tol) {
    params.zero_grad();
    const Tensor& y = forward(x);
    expect_golden(golden_find(golden, "y"), y.data(), y.size(), tol, what);
    Tensor r = upstream(y.shape), dx;
    backward(r, &dx);
    expect_golden(golden_find(golden, "dx"), dx.data(), dx.size(), tol, what);
    auto short_name = [](const std::string& n) { return n.substr(n.find('.') + 1); };  // drop the prefix
    for (const ParamInfo& p : params.params())
        expect_golden(golden_find(golden, short_name(p.name)), params.grad(p.offset), p.size, tol, what + " grad");
    if (buffers)
        for (const ParamInfo& p : buffers->params())
            expect_golden(golden_find(golden, short_name(p.name)), buffers->value(p.offset), p.size, tol, what);
}

template <typename L>
void check_layer(const std::vector<GoldenTensor>& golden, const std::string& what, L& layer, Arena& params,
                 Arena* buffers, const Tensor& x, double tol) {
    Tensor y;
    check_case(
        golden, what, params, buffers, x,
        [&](const Tensor& in) -> const Tensor& {
            layer.forward(in, y);
            return y;
        },
        [&](const Tensor& dy, Tensor* dx) { layer.backward(dy, dx); }, tol);
}

}  // namespace

TEST(DcganParity, ConvTranspose2dMatchesPyTorch) {
    Arena a;
    ConvTranspose2d t(a, "t", {.in = 3, .out = 2, .kernel = 3, .stride = 2, .padding = 1, .output_padding = 1});
    fill_formula(a, 0.3);
    check_layer(golden_convt_a, "convt_a", t, a, nullptr, image({2, 3, 4, 5}), 1e-6);
    Arena b;
    ConvTranspose2d u(b, "t", {.in = 4, .out = 3, .kernel = 4, .stride = 2, .padding = 1, .bias = false});
    fill_formula(b, 0.3);
    check_layer(golden_convt_b, "convt_b", u, b, nullptr, image({2, 4, 3, 3}), 1e-6);
}

TEST(DcganParity, Conv2dMatchesPyTorch) {
    Arena a;
    Conv2d c(a, "c", {.in = 3, .out = 4, .kernel = 4, .stride = 2, .padding = 1});
    fill_formula(a, 0.3);
    check_layer(golden_conv_a, "conv_a", c, a, nullptr, image({2, 3, 7, 6}), 1e-6);
}

TEST(DcganParity, BatchNorm2dTrainAndEvalMatchPyTorch) {
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = 3});
    fill_formula(params, 0.3);
    check_layer(golden_bn_train, "bn_train", bn, params, &buffers, image({2, 3, 3, 4}), 1e-5);
    bn.set_training(false);  // now normalises with the running statistics of the forward above
    check_layer(golden_bn_eval, "bn_eval", bn, params, &buffers, latent({2, 3, 3, 4}), 1e-5);
}

TEST(DcganParity, GeneratorMatchesPyTorch) {
    auto m = gan_build(dcgan_config());
    fill_formula(m->g.params, 0.05);
    check_case(
        golden_generator, "generator", m->g.params, &m->g.buffers, latent({2, 100, 1, 1}),
        [&](const Tensor& z) -> const Tensor& { return m->g.forward(z); },
        [&](const Tensor& dy, Tensor* dz) { m->g.backward(dy, dz); }, 2e-5);
}

TEST(DcganParity, DiscriminatorMatchesPyTorch) {
    auto m = gan_build(dcgan_config());
    fill_formula(m->d.params, 0.05);
    check_case(
        golden_discriminator, "discriminator", m->d.params, &m->d.buffers, image({2, 1, 28, 28}),
        [&](const Tensor& x) -> const Tensor& { return m->d.forward(x); },
        [&](const Tensor& dy, Tensor* dx) { m->d.backward(dy, dx); }, 2e-5);
}
