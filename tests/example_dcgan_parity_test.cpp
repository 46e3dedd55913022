// The DCGAN of PyTorch's examples/dcgan/main.py at 64x64 and 32x32, RGB, against PyTorch 1.13
// (tests/golden/make_golden_example.py): the example's weights_init with reproducible draws, one batch,
// then one iteration of the example's loop (Adam 2e-4, betas (0.5, 0.999), BCE, real label 1, fake 0)
// against one gan.cpp step with label smoothing 0: losses, D(x), D(G(z)), G(z), every gradient and every
// weight and running statistic after it. And a netG state dict the example would save, as safetensors,
// loaded by name and drawn from, in the library and through `gan sample`.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "golden/example_dcgan_golden.h"
#include "golden/golden_check.h"
#include "io/npy.h"
#include "models/dcgan.h"
#include "optim/adam.h"
#include "test_util.h"
#include "train/checkpoint.h"
#include "train/gan_step.h"

using namespace gan;
using gan::testing::expect_golden;
using gan::testing::golden_find;

namespace {

// make_golden_example.py's reproducible normal draw: element i of parameter p.
float draw(int p, size_t i, double mean, double std) {
    double s = 0;
    for (size_t j = 0; j < 12; ++j) s += double(((12 * i + j) * 7919 + 31 * size_t(p)) % 1001) / 1000.0;
    return float(mean + std * (s - 6.0));
}

// The example's weights_init with those draws: (de)convolution weights N(0, 0.02), batch-norm weights
// N(1, 0.02), batch-norm biases 0; p counts the parameters from first_p in state_dict order.
void example_init(Arena& arena, int first_p) {
    int p = first_p;
    for (const ParamInfo& info : arena.params()) {
        float* v = arena.value(info.offset);
        const bool bn_bias = info.shape.size() == 1 && info.name.ends_with(".bias");
        const double mean = info.shape.size() == 1 ? 1.0 : 0.0;
        for (size_t i = 0; i < info.size; ++i) v[i] = bn_bias ? 0.0f : draw(p, i, mean, 0.02);
        ++p;
    }
}

Tensor image(Shape s) {
    Tensor t(s);
    for (size_t k = 0; k < t.size(); ++k) t[k] = float((k * 37 + 11) % 256) / 255.0f * 2.0f - 1.0f;
    return t;
}

Tensor noise(Shape s, int p) {
    Tensor t(s);
    for (size_t k = 0; k < t.size(); ++k) t[k] = draw(p, k, 0.0, 1.0);
    return t;
}

// The golden name of one of our tensors: PyTorch's under `tag` ("init.G.", "grad.D.", ...), D's
// without our "netD." prefix.
std::string torch_name(const std::string& tag, const std::string& ours) {
    const std::string d = std::string(kExampleDPrefix).substr(0, 5);  // "netD."
    return tag + (ours.starts_with(d) ? ours.substr(d.size()) : ours);
}

void expect_arena(const std::vector<GoldenTensor>& golden, const std::string& tag, Arena& a, bool grads,
                  double tol) {
    for (const ParamInfo& p : a.params())
        expect_golden(golden_find(golden, torch_name(tag, p.name)), grads ? a.grad(p.offset) : a.value(p.offset),
                      p.size, tol, tag);
}

struct Bounds {
    double loss, output, grad, weight;
};

void run_step_case(const ExampleStepGolden& gc, const std::vector<GoldenTensor>& golden, Bounds b) {
    ModelConfig c = dcgan_config();
    c.channels = gc.nc, c.rows = c.cols = gc.size, c.z_dim = gc.nz, c.ngf = gc.ngf, c.ndf = gc.ndf;
    auto m = gan_build(c);
    example_init(m->g.params, 0);
    example_init(m->d.params, 50);
    expect_arena(golden, "init.G.", m->g.params, false, 0.0);  // the same floats, bit for bit
    expect_arena(golden, "init.D.", m->d.params, false, 0.0);
    const Tensor real = image({gc.batch, gc.nc, gc.size, gc.size}), z = noise({gc.batch, gc.nz, 1, 1}, 99);
    expect_golden(golden_find(golden, "real"), real.data(), real.size(), 0.0, "batch");
    expect_golden(golden_find(golden, "noise"), z.data(), z.size(), 0.0, "batch");

    AdamOptions ao;
    ao.lr = 2e-4f, ao.beta1 = 0.5f, ao.beta2 = 0.999f;
    Adam opt_g(m->g.params, ao), opt_d(m->d.params, ao);
    StepOptions so;
    so.smooth = 0.0f;  // the example's real label is 1
    GanStep step(*m, opt_g, opt_d, so);
    const StepStats st = step.step(real, z);
    EXPECT_NEAR(st.d_loss, gc.err_d, b.loss * gc.err_d) << "errD";
    EXPECT_NEAR(st.g_loss, gc.err_g, b.loss * gc.err_g) << "errG";
    EXPECT_NEAR(st.d_real, gc.d_x, b.loss * gc.d_x) << "D(x)";
    EXPECT_NEAR(st.d_fake, gc.d_g_z, b.loss * gc.d_g_z) << "D(G(z))";
    const Tensor& fake = m->g.output();  // G(z) of the step, computed once
    expect_golden(golden_find(golden, "fake"), fake.data(), fake.size(), b.output, "G(z)");
    expect_arena(golden, "grad.G.", m->g.params, true, b.grad);
    expect_arena(golden, "grad.D.", m->d.params, true, b.grad);  // D's step's, as its Adam used them
    expect_arena(golden, "G.", m->g.params, false, b.weight);
    expect_arena(golden, "G.", m->g.buffers, false, b.weight);
    expect_arena(golden, "D.", m->d.params, false, b.weight);
    expect_arena(golden, "D.", m->d.buffers, false, b.weight);  // three training-mode passes of D
}

// Losses relative to PyTorch's; tensors relative to their largest |value| (golden_check.h).
constexpr Bounds kBounds{.loss = 1e-5, .output = 1e-5, .grad = 5e-5, .weight = 1e-5};

}  // namespace

TEST(ExampleDcganParity, StepAt64x64MatchesPyTorch) {
    run_step_case(golden_example64_step, golden_example64, kBounds);
}

TEST(ExampleDcganParity, StepAt32x32MatchesPyTorch) {
    run_step_case(golden_example32_step, golden_example32, kBounds);
}

const std::string kNetG = std::string(GAN_SOURCE_DIR) + "/tests/data/example_netG_32.safetensors";

// The file holds PyTorch's netG state dict alone: no gan.cpp metadata, I64 num_batches_tracked.
TEST(ExampleDcganParity, LoadsTheExampleNetGStateDictByItsNames) {
    LoadedModel loaded = checkpoint_load_model(kNetG);
    const ModelConfig& c = loaded.model->config;
    EXPECT_EQ(c.rows, 32);
    EXPECT_EQ(c.channels, 3);
    EXPECT_EQ(c.z_dim, 8);
    EXPECT_EQ(c.ngf, 4);
    EXPECT_FALSE(loaded.has_discriminator);
    GanModel& m = *loaded.model;
    m.g.set_training(false);  // netG.eval(): the running statistics the file holds
    const GoldenTensor& zg = golden_find(golden_netg_file, "z");
    Tensor z({2, c.z_dim, 1, 1});
    std::copy(zg.val.begin(), zg.val.end(), z.data());
    const Tensor& y = m.g.forward(z);
    expect_golden(golden_find(golden_netg_file, "y"), y.data(), y.size(), 1e-5, "netG(z)");
}

// `gan sample --z` on the same file and latents: (N, H, W, 3) pixels round((y + 1) * 127.5) of PyTorch's y.
TEST(ExampleDcganParity, GanSampleDrawsWhatTheExampleNetGDraws) {
    gan::testing::TempFolder tmp;
    const GoldenTensor& zg = golden_find(golden_netg_file, "z");
    npy_write_f32(tmp.file("z.npy"), zg.val.data(), {2, 8});
    const auto r = gan::testing::run_gan({"sample", "-c", kNetG, "--z", tmp.file("z.npy"), "--out", tmp.file("x.npy")});
    ASSERT_EQ(r.code, 0) << r.out;
    const NpyU8 x = npy_read_u8(tmp.file("x.npy"));
    ASSERT_EQ(x.shape, (std::vector<int64_t>{2, 32, 32, 3}));
    const GoldenTensor& y = golden_find(golden_netg_file, "y");
    for (size_t j = 0; j < y.idx.size(); ++j) {
        const int k = y.idx[j], n = k / (3 * 32 * 32), ch = k / (32 * 32) % 3, pix = k % (32 * 32);
        const double want = std::round((double(y.val[j]) + 1.0) * 127.5);
        EXPECT_NEAR(double(x.data[size_t((n * 32 * 32 + pix) * 3 + ch)]), std::clamp(want, 0.0, 255.0), 1.0)
            << "image " << n << " channel " << ch << " pixel " << pix;
    }
}

// A state dict that is not the example's netG is refused, saying what is wrong.
TEST(ExampleDcganParity, RefusesAStateDictThatIsNotTheExampleNetG) {
    gan::testing::TempFolder tmp;
    const SafetensorsFile netg = safetensors_read(kNetG);
    int files = 0;
    // The file without tensor `dropped` (and without the I64 counters).
    auto without = [&](const std::string& dropped) {
        std::vector<TensorView> views;
        for (const std::string& name : netg.order) {
            const StoredTensor& t = netg.tensors.at(name);
            if (name != dropped && t.dtype == "F32") views.push_back({name, t.shape, t.data.data()});
        }
        const std::string path = tmp.file(std::to_string(files++) + ".safetensors");
        safetensors_write(path, views, {});
        return path;
    };
    auto error_without = [&](const std::string& dropped) {
        return gan::testing::error_of([&] { checkpoint_load_model(without(dropped)); });
    };
    EXPECT_CONTAINS(error_without("main.9.weight"), "main.0 to main.9 or main.12; this one has 3");
    EXPECT_CONTAINS(error_without("main.4.bias"), "missing tensor 'main.4.bias'");
    EXPECT_CONTAINS(error_without("main.0.weight"), "not a gan.cpp checkpoint");
    EXPECT_EQ(checkpoint_load_model(without("")).model->config.ngf, 4);  // the counters are not needed
}
