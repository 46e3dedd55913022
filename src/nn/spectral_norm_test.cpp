// Spectral normalisation: its backward against finite differences (in evaluation mode, where u and v
// stay put, so the loss is one function of the stored weight), σ converging to the largest singular
// value over training forwards, and the names and initial state PyTorch's state dicts have.
#include "nn/spectral_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/check.h"
#include "gradcheck.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/linear.h"
#include "nn/sequential.h"

using namespace gan;

namespace {

// The largest singular value of the (h, w) matrix, by power iteration in double.
double largest_singular_value(const float* m, size_t h, size_t w) {
    std::vector<double> v(w, 1.0), u(h);
    double s = 0;
    for (int it = 0; it < 2000; ++it) {
        for (size_t i = 0; i < h; ++i) {
            u[i] = 0;
            for (size_t j = 0; j < w; ++j) u[i] += m[i * w + j] * v[j];
        }
        s = 0;
        for (double x : u) s += x * x;
        s = std::sqrt(s);
        for (size_t j = 0; j < w; ++j) {
            v[j] = 0;
            for (size_t i = 0; i < h; ++i) v[j] += m[i * w + j] * u[i] / s;
        }
        double nv = 0;
        for (double x : v) nv += x * x;
        for (double& x : v) x /= std::sqrt(nv);
    }
    return s;
}

void randomise(Sequential& m, Rng& rng) {
    for (float& v : m.params.values()) v = rng.uniform(-0.8f, 0.8f);
}

}  // namespace

TEST(SpectralNorm, BackwardMatchesFiniteDifferences) {
    Rng rng(5);
    Sequential lin("l"), conv("c"), up("t");
    lin.add<Linear>(LinearOptions{.in = 6, .out = 4});
    conv.add<Conv2d>(Conv2dOptions{.in = 2, .out = 3, .kernel = 3, .stride = 1, .padding = 1});
    up.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 3, .out = 2, .kernel = 4, .stride = 2, .padding = 1});
    const Shape inputs[] = {{3, 6, 1, 1}, {2, 2, 5, 5}, {2, 3, 3, 3}};
    int k = 0;
    for (Sequential* m : {&lin, &conv, &up}) {
        add_spectral_norm(*m, 0);
        m->init(InitScheme::glorot_uniform, rng);
        randomise(*m, rng);
        m->set_training(true);
        for (int i = 0; i < 3; ++i) m->forward(random_tensor(inputs[k], rng));  // u, v away from their start
        m->set_training(false);
        EXPECT_EQ(gradcheck(m->layer(0), m->params, random_tensor(inputs[k], rng), rng, 1e-2f, 2e-2, 2e-3), "")
            << m->prefix();
        ++k;
    }
}

TEST(SpectralNorm, SigmaConvergesToTheLargestSingularValueAndEvaluationLeavesUAlone) {
    Rng rng(6);
    Sequential m("m");
    m.add<Conv2d>(Conv2dOptions{.in = 3, .out = 5, .kernel = 3, .stride = 1, .padding = 0, .bias = false});
    add_spectral_norm(m, 0);
    m.init(InitScheme::glorot_uniform, rng);
    auto& sn = dynamic_cast<SpectralNorm&>(*m.layer(0).weight()->transform());
    const Tensor x = random_tensor({1, 3, 3, 3}, rng);
    for (int i = 0; i < 200; ++i) m.forward(x);
    const float* w = m.params.values().data() + m.params.find("m.0.weight_orig")->offset;
    EXPECT_NEAR(sn.sigma(), largest_singular_value(w, 5, 27), 1e-4 * sn.sigma());
    const std::vector<float> u(m.buffers.values().begin(), m.buffers.values().end());
    m.set_training(false);
    m.forward(x);
    EXPECT_EQ(std::vector<float>(m.buffers.values().begin(), m.buffers.values().end()), u);
}

TEST(SpectralNorm, NamesAndInitialStateAreTorchs) {
    Rng rng(7);
    Sequential m("netD.main");
    m.add<ConvTranspose2d>(ConvTranspose2dOptions{.in = 3, .out = 2, .kernel = 4, .stride = 2, .padding = 1});
    add_spectral_norm(m, 0);
    ASSERT_NE(m.params.find("netD.main.0.weight_orig"), nullptr);
    EXPECT_EQ(m.params.find("netD.main.0.weight"), nullptr);
    ASSERT_NE(m.params.find("netD.main.0.bias"), nullptr);
    const ParamInfo* u = m.buffers.find("netD.main.0.weight_u");
    const ParamInfo* v = m.buffers.find("netD.main.0.weight_v");
    ASSERT_TRUE(u && v);
    EXPECT_EQ(u->shape, std::vector<int64_t>{2});  // the output channels: dim 1 of (in, out, kh, kw)
    EXPECT_EQ(v->shape, std::vector<int64_t>{48});
    m.init(InitScheme::dcgan_normal, rng);
    for (const ParamInfo* p : {u, v}) {
        double sq = 0;
        for (size_t i = 0; i < p->size; ++i) sq += double(m.buffers.values()[p->offset + i]) * m.buffers.values()[p->offset + i];
        EXPECT_NEAR(sq, 1.0, 1e-5) << p->name << " starts as a unit vector";
    }
    EXPECT_THROW(add_spectral_norm(m, 0), gan::Error) << "the weight is already weight_orig";
}
