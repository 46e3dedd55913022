#include "models/dcgan.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/check.h"

using namespace gan;

namespace {

size_t count(const Arena& a) { return a.size(); }

// Mean and standard deviation of every parameter whose name ends with `suffix` and has `dims` dimensions.
void stats(const Arena& a, const std::string& suffix, size_t dims, double& mean, double& sd) {
    double s = 0, ss = 0, n = 0;
    for (const ParamInfo& p : a.params()) {
        if (p.shape.size() != dims || p.name.size() < suffix.size() ||
            p.name.compare(p.name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        for (size_t i = 0; i < p.size; ++i) s += a.value(p.offset)[i], ss += double(a.value(p.offset)[i]) * a.value(p.offset)[i], ++n;
    }
    mean = s / n, sd = std::sqrt(ss / n - mean * mean);
}

}  // namespace

TEST(Dcgan, ShapesAndParameterCountsMatchTheReference) {
    auto m = gan_build(dcgan_config());
    // Parameter and buffer counts of ref_dcgan.py's Generator and Discriminator, layer by layer.
    EXPECT_EQ(count(m->g.params), size_t(100 * 256 * 16 + 2 * 256 + 256 * 128 * 9 + 2 * 128 + 128 * 64 * 16 + 2 * 64 + 64 * 16));
    EXPECT_EQ(count(m->d.params), size_t(64 * 16 + 64 * 128 * 16 + 2 * 128 + 128 * 256 * 16 + 2 * 256 + 256 * 9));
    EXPECT_EQ(count(m->g.buffers), size_t(2 * (256 + 128 + 64)));
    EXPECT_EQ(count(m->d.buffers), size_t(2 * (128 + 256)));
    EXPECT_NE(m->g.params.find("generator.0.weight"), nullptr);
    EXPECT_EQ(m->g.params.find("generator.0.weight")->shape, (std::vector<int64_t>{100, 256, 4, 4}));
    EXPECT_NE(m->g.buffers.find("generator.7.running_var"), nullptr);
    EXPECT_EQ(m->d.params.find("discriminator.8.weight")->shape, (std::vector<int64_t>{1, 256, 3, 3}));
    EXPECT_EQ(m->g.check_shapes({5, 100, 1, 1}), (Shape{5, 1, 28, 28}));
    EXPECT_EQ(m->d.check_shapes({5, 1, 28, 28}), (Shape{5, 1, 1, 1}));
    ModelConfig bad = dcgan_config();
    bad.rows = 32;  // 32x28
    EXPECT_THROW(gan_build(bad), Error);
    bad.rows = bad.cols = 48;
    EXPECT_THROW(gan_build(bad), Error);
}

// PyTorch's examples/dcgan/main.py at 64x64 (and one stage fewer at 32x32), layer by layer:
// ConvT/Conv weights k4, BN (weight, bias; running mean, var) after every layer but G's last and
// D's first and last.
TEST(Dcgan, ExampleModelAt64And32) {
    ModelConfig c = dcgan_config();
    c.channels = 3, c.rows = c.cols = 64, c.ngf = 8, c.ndf = 6;
    auto m = gan_build(c);
    const int g = 8, d = 6;
    EXPECT_EQ(count(m->g.params), size_t(100 * 8 * g * 16 + 2 * 8 * g + 8 * g * 4 * g * 16 + 2 * 4 * g +
                                         4 * g * 2 * g * 16 + 2 * 2 * g + 2 * g * g * 16 + 2 * g + g * 3 * 16));
    EXPECT_EQ(count(m->d.params), size_t(3 * d * 16 + d * 2 * d * 16 + 2 * 2 * d + 2 * d * 4 * d * 16 + 2 * 4 * d +
                                         4 * d * 8 * d * 16 + 2 * 8 * d + 8 * d * 16));
    EXPECT_EQ(count(m->g.buffers), size_t(2 * (8 + 4 + 2 + 1) * g));
    EXPECT_EQ(count(m->d.buffers), size_t(2 * (2 + 4 + 8) * d));
    EXPECT_EQ(m->g.params.find("generator.0.weight")->shape, (std::vector<int64_t>{100, 8 * g, 4, 4}));
    EXPECT_EQ(m->g.params.find("generator.12.weight")->shape, (std::vector<int64_t>{g, 3, 4, 4}));
    EXPECT_EQ(m->d.params.find("discriminator.11.weight")->shape, (std::vector<int64_t>{1, 8 * d, 4, 4}));
    EXPECT_EQ(m->g.check_shapes({2, 100, 1, 1}), (Shape{2, 3, 64, 64}));
    EXPECT_EQ(m->d.check_shapes({2, 3, 64, 64}), (Shape{2, 1, 1, 1}));
    c.rows = c.cols = 32;
    m = gan_build(c);
    EXPECT_EQ(m->g.params.find("generator.0.weight")->shape, (std::vector<int64_t>{100, 4 * g, 4, 4}));
    EXPECT_EQ(m->d.params.find("discriminator.8.weight")->shape, (std::vector<int64_t>{1, 4 * d, 4, 4}));
    EXPECT_EQ(m->g.check_shapes({2, 100, 1, 1}), (Shape{2, 3, 32, 32}));
    EXPECT_EQ(m->d.check_shapes({2, 3, 32, 32}), (Shape{2, 1, 1, 1}));
    const ModelConfig back = ModelConfig::from_metadata(c.to_metadata(), "test");
    EXPECT_EQ(back.ngf, g);
    EXPECT_EQ(back.ndf, d);
}

TEST(Dcgan, ConditionalVariantsFeedTheLabel) {
    for (const char* cond : {"concat", "proj", "acgan", "proj_ac"}) {
        ModelConfig c = dcgan_config(true);
        c.cond_d = cond_d_from_string(cond);
        auto m = gan_build(c);
        EXPECT_EQ(g_input_shape(c, 3), (Shape{3, 110, 1, 1}));
        const bool concat = std::string(cond) == "concat";
        EXPECT_EQ(d_input_shape(c, 3), (Shape{3, concat ? 11 : 1, 28, 28}));
        const int outs = concat ? 1 : std::string(cond) == "proj_ac" ? 21 : 11;
        EXPECT_EQ(m->d.check_shapes(d_input_shape(c, 3)), (Shape{3, outs, 1, 1}));
        Tensor z({3, 100, 1, 1}), x({3, 1, 28, 28}), gin, din, dimg;
        for (size_t i = 0; i < z.size(); ++i) z[i] = float(i);
        for (size_t i = 0; i < x.size(); ++i) x[i] = -float(i);
        const int labels[3] = {7, 0, 9};
        make_g_input(gin, z, labels, c);
        EXPECT_EQ(gin[110 + 99], z[199]);
        EXPECT_EQ(gin[110 + 100 + 0], 1.0f);
        EXPECT_EQ(gin[100 + 7], 1.0f);
        EXPECT_EQ(gin[100 + 6], 0.0f);
        make_d_input(din, x, labels, c);
        EXPECT_EQ(din.shape, d_input_shape(c, 3));
        if (concat) {
            EXPECT_EQ(din[11 * 784 + 783], x[784 + 783]);
            EXPECT_EQ(din[784 + 7 * 784 + 500], 1.0f);   // sample 0, plane 7
            EXPECT_EQ(din[784 + 6 * 784 + 500], 0.0f);
        }
        d_input_grad_to_image(dimg, din, c);
        for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(dimg[i], x[i]);
        const int wrong[3] = {7, 10, 0};
        EXPECT_THROW(make_g_input(gin, z, wrong, c), Error);
    }
}

TEST(Dcgan, ProjectionHeadPicksTheClassOutput) {
    Tensor out({2, 4, 1, 1}), dout({2, 4, 1, 1});
    for (size_t i = 0; i < out.size(); ++i) out[i] = float(i);
    const int labels[2] = {2, 0};
    float logit[2], dlogit[2] = {0.5f, -1.0f};
    proj_logits(logit, out, labels, 3);
    EXPECT_EQ(logit[0], 0.0f + 3.0f);
    EXPECT_EQ(logit[1], 4.0f + 5.0f);
    proj_logits_backward(dout, dlogit, labels, 3);
    EXPECT_EQ(dout[0], 0.5f);
    EXPECT_EQ(dout[3], 0.5f);
    EXPECT_EQ(dout[1], 0.0f);
    EXPECT_EQ(dout[4], -1.0f);
    EXPECT_EQ(dout[5], -1.0f);
}

TEST(Dcgan, InitFollowsDcgan) {
    auto m = gan_build(dcgan_config());
    Rng rng(5);
    gan_init(*m, rng);
    double mean, sd;
    stats(m->g.params, ".weight", 4, mean, sd);
    EXPECT_NEAR(mean, 0.0, 1e-3);
    EXPECT_NEAR(sd, 0.02, 1e-3);
    stats(m->d.params, ".weight", 4, mean, sd);
    EXPECT_NEAR(sd, 0.02, 1e-3);
    stats(m->g.params, ".weight", 1, mean, sd);  // BN weights
    EXPECT_NEAR(mean, 1.0, 5e-3);
    EXPECT_NEAR(sd, 0.02, 5e-3);
    stats(m->g.params, ".bias", 1, mean, sd);
    EXPECT_EQ(mean, 0.0);
    EXPECT_EQ(m->g.buffers.find("generator.1.running_var")->size, 256u);
    EXPECT_EQ(m->g.buffers.value(m->g.buffers.find("generator.1.running_var")->offset)[3], 1.0f);
}

TEST(Dcgan, GenerateLeavesRunningStatisticsAlone) {
    for (bool batch_stats : {true, false}) {
        ModelConfig c = dcgan_config(true);
        auto m = gan_build(c);
        Rng rng(6);
        gan_init(*m, rng);
        const AlignedVec<float> before = m->g.buffers.values();
        std::vector<uint8_t> px;
        std::vector<int> labels(150, 7);
        gan_generate(*m, 150, rng, px, labels.data(), batch_stats);
        EXPECT_EQ(px.size(), size_t(150 * 784));
        EXPECT_EQ(m->g.buffers.values(), before);
        gan_generate(*m, 3, rng, px);  // labels default to i % 10
        EXPECT_EQ(px.size(), size_t(3 * 784));
    }
}

TEST(Dcgan, MetadataRoundTrips) {
    ModelConfig c = dcgan_config(true);
    c.cond_d = CondD::proj;
    ModelConfig back = ModelConfig::from_metadata(c.to_metadata(), "test");
    EXPECT_EQ(back.arch, Arch::dcgan);
    EXPECT_TRUE(back.conditional);
    EXPECT_EQ(back.num_classes, 10);
    EXPECT_EQ(back.cond_d, CondD::proj);
    EXPECT_FLOAT_EQ(back.alpha, 0.2f);
    auto old = ModelConfig{}.to_metadata();  // a checkpoint from before conditioning existed
    old.erase("conditional"), old.erase("num_classes"), old.erase("cond_d");
    EXPECT_FALSE(ModelConfig::from_metadata(old, "old").conditional);
}
