#include "models/gan_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "core/check.h"
#include "core/rng.h"
#include "backend/backend.h"
#include "nn/linear.h"

using namespace gan;

namespace {

std::unique_ptr<GanModel> classic(float weight_scale) {
    auto model = gan_build(ModelConfig{});
    Rng init(0, 0);
    gan_init(*model, init);
    // Glorot weights give outputs near 0; scaled up (and biases set) they reach tanh's saturated
    // ends too, as a trained G does.
    Rng r(9, 1);
    float* p = model->g.params.value(0);
    for (size_t i = 0; i < model->g.params.size(); ++i) p[i] = p[i] * weight_scale + r.uniform(-0.05f, 0.05f);
    return model;
}

}  // namespace

// The sampler (G's absorbed tanh by tanh_fast) against G's exact forward on the same latents: a pixel
// may differ by one (tanh_fast within 2 ulp of std::tanh meets a rounding boundary), no more.
TEST(Generate, FastTanhMatchesExactForward) {
    auto model = classic(2.0f);
    std::vector<uint8_t> px;
    Rng rng(1, 7), rng2(1, 7);
    gan_generate(*model, 300, rng, px);
    Tensor z;
    sample_latent(z, 300, model->config, rng2);
    const Tensor& y = model->g.forward(z);
    std::vector<uint8_t> want(y.size());
    to_pixels(want.data(), y.data(), y.size());
    int off = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_LE(std::abs(int(want[i]) - int(px[i])), 1) << i;
        off += want[i] != px[i];
    }
    EXPECT_LT(off, int(want.size() / 1000));
}

// bfloat16 sampling draws the same latents as float and each pixel stays within the bound that the
// rounding of h and W2 allows: |Δ pre-activation| <= Σ|h_k w_k|·(2·2^-8 + 2^-16) (+ float sums),
// so |Δ pixel| <= 127.5·that + 1 (tanh' <= 1, and a rounding step).
TEST(Generate, Bf16PixelsWithinTheRoundingBoundOfFloat) {
    if (!host_backend().supports(Precision::bf16)) GTEST_SKIP() << "this CPU lacks AVX512_BF16";
    for (float scale : {1.0f, 3.0f}) {
        auto model = classic(scale);
        const int n = 517;  // two full chunks of 256 and a tail
        std::vector<uint8_t> f32, b16;
        Rng r1(4, 2), r2(4, 2), r3(4, 2);
        gan_generate(*model, n, r1, f32);
        gan_generate(*model, n, r2, b16, nullptr, true, SamplePrecision::bf16);
        EXPECT_EQ(r1.state().counter, r2.state().counter) << "bf16 must draw the same latents";
        // The bound per output from h (layer 1's output) and W2, in double.
        Tensor z;
        sample_latent(z, n, model->config, r3);
        const int Z = 100, H = 128, IMG = 784;
        const auto& l1 = dynamic_cast<const Linear&>(model->g.layer(0));
        const float* w1 = model->g.params.value(l1.weight_offset());
        const float* b1 = model->g.params.value(l1.bias_offset());
        const float* w2 = model->g.params.value(dynamic_cast<const Linear&>(model->g.layer(2)).weight_offset());
        std::vector<float> h(size_t(n) * H);
        for (int i = 0; i < n; ++i)  // h = z·W1ᵀ in double, the oracle
            for (int k = 0; k < H; ++k) {
                double acc = 0;
                for (int j = 0; j < Z; ++j) acc += double(z[size_t(i) * Z + j]) * w1[size_t(k) * Z + j];
                h[size_t(i) * H + k] = float(acc);
            }
        for (int i = 0; i < n; ++i)
            for (int k = 0; k < H; ++k) {
                float& v = h[size_t(i) * H + k];
                v += b1[k];
                v = v > 0.0f ? v : model->config.alpha * v;
            }
        double sum_abs = 0.0;
        int differ = 0, worst = 0;
        for (int i = 0; i < n; ++i)
            for (int o = 0; o < IMG; ++o) {
                double bound = 0.0;
                for (int k = 0; k < H; ++k) bound += std::abs(double(h[size_t(i) * H + k]) * w2[size_t(o) * H + k]);
                bound = bound * (2 * 0x1p-8 + 0x1p-16) + 1e-5;
                const int d = std::abs(int(f32[size_t(i) * IMG + o]) - int(b16[size_t(i) * IMG + o]));
                ASSERT_LE(d, int(std::ceil(127.5 * bound)) + 1) << "image " << i << " pixel " << o;
                sum_abs += d;
                differ += d != 0;
                worst = std::max(worst, d);
            }
        const double mean = sum_abs / (double(n) * IMG);
        RecordProperty("mean_abs_pixel_diff_x1000_scale" + std::to_string(int(scale)), int(mean * 1000));
        std::printf("[ bf16     ] weight scale %.0f: %.2f %% of pixels differ, mean |diff| %.4f, worst %d\n", scale,
                    100.0 * differ / (double(n) * IMG), mean, worst);
        EXPECT_LT(mean, 0.5) << "bfloat16 pixels drift from float far more than rounding explains";
    }
}

TEST(Generate, Bf16RefusesModelsOtherThanTheClassicMlp) {
    if (!host_backend().supports(Precision::bf16)) GTEST_SKIP() << "this CPU lacks AVX512_BF16";
    ModelConfig c;
    c.arch = Arch::dcgan;
    auto model = gan_build(c);
    std::vector<uint8_t> px;
    Rng rng(1, 1);
    try {
        gan_generate(*model, 4, rng, px, nullptr, true, SamplePrecision::bf16);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("classic MLP"), std::string::npos) << e.what();
    }
}

// Streaming in blocks gives the images of one call, byte for byte: the classic MLP (both precisions,
// a tail chunk) and a batch-norm DCGAN (chunks of 100 with batch statistics, two blocks).
TEST(Generate, BlocksEqualOneCall) {
    auto check = [](GanModel& model, int n, int block, SamplePrecision precision, bool bn) {
        std::vector<uint8_t> one, streamed;
        Rng r1(5, 9), r2(5, 9);
        gan_generate(model, n, r1, one, nullptr, bn, precision);
        int blocks = 0;
        gan_generate_blocks(model, n, r2, nullptr, bn, precision, block, [&](const uint8_t* p, int count) {
            streamed.insert(streamed.end(), p, p + size_t(count) * model.config.image_values());
            ++blocks;
        });
        EXPECT_GE(blocks, 2);
        EXPECT_TRUE(one == streamed) << model.config.arch << " n " << n;
        EXPECT_EQ(r1.state().counter, r2.state().counter);
    };
    auto mlp = classic(2.0f);
    check(*mlp, 14001, 1000, SamplePrecision::f32, true);
    if (host_backend().supports(Precision::bf16)) check(*mlp, 14001, 1000, SamplePrecision::bf16, true);
    ModelConfig c;
    c.arch = Arch::dcgan;
    auto dc = gan_build(c);
    Rng init(1, 0);
    gan_init(*dc, init);
    check(*dc, 250, 100, SamplePrecision::f32, true);
}

// `gan sample --save-z` / `--z`: the latents a call draws, seen chunk by chunk through Latents::observe,
// given back as the caller's own, give the same pixels (MLP, MLP with labels, DCGAN in
// eval mode), in one call or streamed in blocks; and they are the latents sample_latent draws in one go.
TEST(Generate, GivenLatentsDrawTheImagesOfTheDrawnOnes) {
    auto check = [](GanModel& model, int n, const int* labels, bool bn) {
        const size_t Z = size_t(model.config.z_dim);
        std::vector<float> seen;
        std::vector<uint8_t> drawn, again, streamed;
        Rng r1(3, 7), r2(3, 7);
        Latents from_rng{.rng = &r1, .given = nullptr, .observe = [&](const float* z, int count) {
                             seen.insert(seen.end(), z, z + size_t(count) * Z);
                         }};
        gan_generate(model, n, from_rng, drawn, labels, bn);
        ASSERT_EQ(seen.size(), size_t(n) * Z);
        Tensor z;
        sample_latent(z, n, model.config, r2);
        EXPECT_TRUE(std::equal(seen.begin(), seen.end(), z.data())) << model.config.arch;

        const Latents given{.rng = nullptr, .given = seen.data(), .observe = {}};
        gan_generate(model, n, given, again, labels, bn);
        EXPECT_TRUE(drawn == again) << model.config.arch;
        gan_generate_blocks(model, n, given, labels, bn, SamplePrecision::f32, 100,
                            [&](const uint8_t* p, int count) {
                                streamed.insert(streamed.end(), p, p + size_t(count) * model.config.image_values());
                            });
        EXPECT_TRUE(drawn == streamed) << model.config.arch;
    };
    auto mlp = classic(2.0f);
    check(*mlp, 700, nullptr, true);  // 256 at a time

    ModelConfig cc;
    cc.conditional = true;
    auto cmlp = gan_build(cc);
    Rng init(2, 0);
    gan_init(*cmlp, init);
    std::vector<int> labels(300);
    for (size_t i = 0; i < labels.size(); ++i) labels[i] = int(i * 7 % 10);
    check(*cmlp, 300, labels.data(), true);

    auto dc = gan_build([] {
        ModelConfig c;
        c.arch = Arch::dcgan;
        c.alpha = 0.2f;
        c.latent = Latent::normal;
        return c;
    }());
    gan_init(*dc, init);
    check(*dc, 150, nullptr, false);  // eval-mode batch norm, as --z uses by default
}

TEST(Generate, GivenLatentsMayNotBeMissing) {
    auto mlp = classic(1.0f);
    std::vector<uint8_t> px;
    EXPECT_THROW(gan_generate(*mlp, 3, Latents{}, px), Error);
}
