// The CUDA backend against the CPU backend, op by op on random inputs, and one training step of the
// classic MLP and of the DCGAN on each. Skips (naming why) where this machine has no GPU or driver;
// `ctest -L cuda` selects it. Bounds: relative to the largest magnitude of the CPU's result,
//   - products (GEMM, Linear, convolutions): 1e-5 to 1e-4 (fp32, sums in another order; no TF32);
//   - batch norm, activations, losses: 1e-5 (the same formulas; libm's and CUDA's exp/tanh differ by
//     an ulp or two, and multiply-adds may be fused);
//   - Adam, the EMA, max pooling, copies and the byte conversions: bitwise.
//   - a GanStep's losses and weights after one step: 1e-3 (every product above compounded).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "backend/cpu_backend.h"
#include "core/rng.h"
#include "cuda/cuda_backend.h"
#include "models/gan_model.h"
#include "models/init.h"
#include "train/gan_step.h"

using namespace gan;

namespace {

using Vec = std::vector<float>;

Vec random_vec(size_t n, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
    Vec v(n);
    for (float& x : v) x = rng.uniform(lo, hi);
    return v;
}

// max |a - b| / max |b|: the error relative to the result's scale.
double rel_err(const Vec& a, const Vec& b) {
    double err = 0, scale = 1e-30;
    for (size_t i = 0; i < b.size(); ++i) {
        err = std::max(err, double(std::fabs(a[i] - b[i])));
        scale = std::max(scale, double(std::fabs(b[i])));
    }
    return err / scale;
}

// An array on the GPU with a host copy to start from and to read back into.
class DevVec {
  public:
    DevVec(Backend& be, const Vec& host) : be_(be), n_(host.size()), p_(be.alloc(host.size())) {
        be.upload(p_, host.data(), n_);
    }
    DevVec(const DevVec&) = delete;
    ~DevVec() { be_.release(p_); }
    float* get() { return p_; }
    Vec read() const {
        Vec h(n_);
        be_.download(h.data(), p_, n_);
        return h;
    }

  private:
    Backend& be_;
    size_t n_;
    float* p_;
};

class CudaOps : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::string why = cuda_unavailable();
        if (!why.empty()) GTEST_SKIP() << "no GPU to test the CUDA backend on: " << why;
        gpu = std::make_unique<CudaBackend>();
    }
    CpuBackend cpu{1};
    std::unique_ptr<CudaBackend> gpu;
    Rng rng{7};
};

TEST_F(CudaOps, GemmEveryTransposition) {
    const int M = 37, N = 29, K = 53;
    for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        const int lda = ta ? M : K, ldb = tb ? K : N;
        Vec A = random_vec(size_t(M) * K, rng), B = random_vec(size_t(K) * N, rng), C = random_vec(size_t(M) * N, rng);
        DevVec a(*gpu, A), b(*gpu, B), c(*gpu, C);
        cpu.gemm(ta, tb, M, N, K, 0.7f, A.data(), lda, B.data(), ldb, 0.3f, C.data(), N);
        gpu->gemm(ta, tb, M, N, K, 0.7f, a.get(), lda, b.get(), ldb, 0.3f, c.get(), N);
        EXPECT_LT(rel_err(c.read(), C), 1e-5) << "transposition " << t;
    }
}

TEST_F(CudaOps, LinearForwardAndBackwardWithEachEpilogue) {
    const int N = 9, IN = 31, OUT = 17;
    const std::optional<Epilogue> epis[] = {std::nullopt, Epilogue{Act::leaky_relu, 0.2f}, Epilogue{Act::tanh, 0}};
    for (const auto& epi : epis) {
        Vec x = random_vec(size_t(N) * IN, rng), w = random_vec(size_t(OUT) * IN, rng), b = random_vec(OUT, rng);
        Vec dy = random_vec(size_t(N) * OUT, rng), dw = random_vec(w.size(), rng), db = random_vec(OUT, rng);
        Vec y(size_t(N) * OUT), dx(x.size());
        DevVec gx(*gpu, x), gw(*gpu, w), gb(*gpu, b), gy(*gpu, y), gdy(*gpu, dy), gdw(*gpu, dw), gdb(*gpu, db),
            gdx(*gpu, dx);
        OpStatePtr s1, s2;
        cpu.linear_forward(s1, y.data(), x.data(), w.data(), b.data(), N, IN, OUT, epi, Precision::exact);
        gpu->linear_forward(s2, gy.get(), gx.get(), gw.get(), gb.get(), N, IN, OUT, epi, Precision::exact);
        EXPECT_LT(rel_err(gy.read(), y), 1e-5);
        cpu.linear_backward(s1, dx.data(), dw.data(), false, db.data(), dy.data(), x.data(), y.data(), w.data(), N, IN,
                            OUT, epi);
        gpu->linear_backward(s2, gdx.get(), gdw.get(), false, gdb.get(), gdy.get(), gx.get(), gy.get(), gw.get(), N,
                             IN, OUT, epi);
        EXPECT_LT(rel_err(gdx.read(), dx), 1e-5);
        EXPECT_LT(rel_err(gdw.read(), dw), 1e-5);
        EXPECT_LT(rel_err(gdb.read(), db), 1e-5);
    }
    EXPECT_FALSE(gpu->supports(Precision::bf16));
}

// The DCGAN's shapes: a stride-2 4x4 convolution down and its transpose up, each with a bias.
TEST_F(CudaOps, ConvolutionsAndTransposedConvolutions) {
    const ConvShape down{.transposed = false, .n = 3, .in = 4, .out = 6, .kh = 4, .kw = 4, .stride = 2, .pad = 1,
                         .ih = 8, .iw = 8, .oh = 4, .ow = 4};
    ConvShape up = down;
    up.transposed = true, up.ih = 4, up.iw = 4, up.oh = 8, up.ow = 8;
    for (const ConvShape& s : {down, up}) {
        const size_t nx = size_t(s.n) * s.in * s.ih * s.iw, ny = size_t(s.n) * s.out * s.oh * s.ow;
        const size_t nw = size_t(s.in) * s.out * s.kh * s.kw;
        Vec x = random_vec(nx, rng), w = random_vec(nw, rng), b = random_vec(size_t(s.out), rng);
        Vec dy = random_vec(ny, rng), dw = random_vec(nw, rng), db = random_vec(size_t(s.out), rng), y(ny), dx(nx);
        DevVec gx(*gpu, x), gw(*gpu, w), gb(*gpu, b), gy(*gpu, y), gdy(*gpu, dy), gdw(*gpu, dw), gdb(*gpu, db),
            gdx(*gpu, dx);
        OpStatePtr s1, s2;
        cpu.conv_forward(s1, s, y.data(), x.data(), w.data(), b.data());
        gpu->conv_forward(s2, s, gy.get(), gx.get(), gw.get(), gb.get());
        EXPECT_LT(rel_err(gy.read(), y), 1e-5) << "transposed " << s.transposed;
        cpu.conv_backward(s1, s, dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data());
        gpu->conv_backward(s2, s, gdx.get(), gdw.get(), gdb.get(), gdy.get(), gx.get(), gw.get());
        EXPECT_LT(rel_err(gdx.read(), dx), 1e-5) << "transposed " << s.transposed;
        EXPECT_LT(rel_err(gdw.read(), dw), 1e-4) << "transposed " << s.transposed;
        EXPECT_LT(rel_err(gdb.read(), db), 1e-5) << "transposed " << s.transposed;
        EXPECT_STREQ(gpu->conv_engine(s2), "cudnn");
    }
}

TEST_F(CudaOps, BatchNormTrainEvalAndBackward) {
    const int N = 5, C = 3, HW = 49;
    const size_t n = size_t(N) * C * HW;
    Vec x = random_vec(n, rng, -2.0f, 3.0f), wt = random_vec(C, rng), bs = random_vec(C, rng), dy = random_vec(n, rng);
    Vec rm = random_vec(C, rng), rv = random_vec(C, rng, 0.5f, 2.0f), y(n), mean(C), rstd(C), dx(n), dwt(C), dbs(C);
    DevVec gx(*gpu, x), gwt(*gpu, wt), gbs(*gpu, bs), gdy(*gpu, dy), grm(*gpu, rm), grv(*gpu, rv), gy(*gpu, y),
        gmean(*gpu, mean), grstd(*gpu, rstd), gdx(*gpu, dx), gdwt(*gpu, dwt), gdbs(*gpu, dbs);
    OpStatePtr s1, s2;
    const double m1 = cpu.batchnorm_forward_train(s1, nullptr, y.data(), mean.data(), rstd.data(), x.data(), wt.data(),
                                                  bs.data(), rm.data(), rv.data(), N, C, HW, 1e-5f, 0.1f);
    const double m2 = gpu->batchnorm_forward_train(s2, nullptr, gy.get(), gmean.get(), grstd.get(), gx.get(), gwt.get(),
                                                   gbs.get(), grm.get(), grv.get(), N, C, HW, 1e-5f, 0.1f);
    EXPECT_EQ(m1, m2);
    using Pair = std::pair<DevVec*, Vec*>;
    for (auto [dev, host] : {Pair{&gy, &y}, Pair{&gmean, &mean}, Pair{&grstd, &rstd}, Pair{&grm, &rm}, Pair{&grv, &rv}})
        EXPECT_LT(rel_err(dev->read(), *host), 1e-5);
    for (bool train : {true, false}) {
        if (!train) {
            cpu.batchnorm_forward_eval(y.data(), mean.data(), rstd.data(), x.data(), wt.data(), bs.data(), rm.data(),
                                       rv.data(), N, C, HW, 1e-5f);
            gpu->batchnorm_forward_eval(gy.get(), gmean.get(), grstd.get(), gx.get(), gwt.get(), gbs.get(), grm.get(),
                                        grv.get(), N, C, HW, 1e-5f);
            EXPECT_LT(rel_err(gy.read(), y), 1e-5);
        }
        cpu.batchnorm_backward(s1, nullptr, dx.data(), dwt.data(), dbs.data(), dy.data(), x.data(), mean.data(),
                               rstd.data(), wt.data(), N, C, HW, train, m1);
        gpu->batchnorm_backward(s2, nullptr, gdx.get(), gdwt.get(), gdbs.get(), gdy.get(), gx.get(), gmean.get(),
                                grstd.get(), gwt.get(), N, C, HW, train, m2);
        EXPECT_LT(rel_err(gdx.read(), dx), 1e-5) << "train " << train;
        EXPECT_LT(rel_err(gdwt.read(), dwt), 1e-5) << "train " << train;
        EXPECT_LT(rel_err(gdbs.read(), dbs), 1e-5) << "train " << train;
    }
}

TEST_F(CudaOps, MaxPoolOverlappingWindowsBitwise) {
    const int planes = 6, h = 9, w = 7, k = 3, st = 2, pad = 1, oh = 5, ow = 4;
    Vec x = random_vec(size_t(planes) * h * w, rng), dy = random_vec(size_t(planes) * oh * ow, rng);
    x[3] = x[4];  // a tie: the first maximum wins on both
    Vec y(dy.size()), dx(x.size());
    DevVec gx(*gpu, x), gdy(*gpu, dy), gy(*gpu, y), gdx(*gpu, dx);
    OpStatePtr s1, s2;
    cpu.maxpool_forward(s1, y.data(), x.data(), planes, h, w, oh, ow, k, st, pad);
    gpu->maxpool_forward(s2, gy.get(), gx.get(), planes, h, w, oh, ow, k, st, pad);
    EXPECT_EQ(gy.read(), y);
    cpu.maxpool_backward(s1, dx.data(), dy.data(), planes, h, w, oh, ow);
    gpu->maxpool_backward(s2, gdx.get(), gdy.get(), planes, h, w, oh, ow);
    EXPECT_EQ(gdx.read(), dx);
}

TEST_F(CudaOps, ActivationsForwardAndBackward) {
    const size_t n = 1000;
    Vec x = random_vec(n, rng, -4.0f, 4.0f), dy = random_vec(n, rng), y(n), dx(n);
    DevVec gx(*gpu, x), gdy(*gpu, dy), gy(*gpu, y), gdx(*gpu, dx);
    for (Act a : {Act::leaky_relu, Act::relu, Act::tanh, Act::sigmoid}) {
        cpu.act_forward(a, 0.2f, y.data(), x.data(), n);
        gpu->act_forward(a, 0.2f, gy.get(), gx.get(), n);
        EXPECT_LT(rel_err(gy.read(), y), 1e-5) << int(a);
        cpu.act_backward(a, 0.2f, dx.data(), dy.data(), x.data(), y.data(), n);
        gpu->act_backward(a, 0.2f, gdx.get(), gdy.get(), gx.get(), gy.get(), n);
        EXPECT_LT(rel_err(gdx.read(), dx), 1e-5) << int(a);
    }
}

TEST_F(CudaOps, LossesAndTheirGradients) {
    const size_t n = 77;
    Vec l = random_vec(n, rng, -3.0f, 3.0f), d(n);
    DevVec gl(*gpu, l), gd(*gpu, d);
    for (LossKind k : {LossKind::bce, LossKind::lsgan, LossKind::hinge})
        for (LossTerm t : {LossTerm::d_real, LossTerm::d_fake, LossTerm::g_fake}) {
            const float a = cpu.gan_loss(k, t, l.data(), n, 0.1f, d.data());
            const float b = gpu->gan_loss(k, t, gl.get(), n, 0.1f, gd.get());
            EXPECT_NEAR(b, a, 1e-5 * std::fabs(a) + 1e-7) << int(k) << " " << int(t);
            EXPECT_LT(rel_err(gd.read(), d), 1e-5) << int(k) << " " << int(t);
        }
    const float ms = cpu.mean_sigmoid(l.data(), n);
    EXPECT_NEAR(gpu->mean_sigmoid(gl.get(), n), ms, 1e-6 * ms);
}

TEST_F(CudaOps, SoftmaxCrossEntropy) {
    const size_t n = 13, ld = 12, dld = 11;
    const int K = 10;
    Vec l = random_vec(n * ld, rng, -3.0f, 3.0f), d(n * dld, 0.0f);
    std::vector<int> labels(n);
    for (size_t i = 0; i < n; ++i) labels[i] = int(i * 7 % K);
    DevVec gl(*gpu, l), gd(*gpu, d);
    const double a = cpu.softmax_xent(l.data(), ld, K, labels.data(), n, 0.5f, d.data(), dld);
    const double b = gpu->softmax_xent(gl.get(), ld, K, labels.data(), n, 0.5f, gd.get(), dld);
    EXPECT_NEAR(b, a, 1e-9 * a);
    EXPECT_LT(rel_err(gd.read(), d), 1e-5);
}

TEST_F(CudaOps, AdamAndEmaBitwise) {
    const size_t n = 4099;
    Vec p = random_vec(n, rng), g = random_vec(n, rng), m = random_vec(n, rng, -0.1f, 0.1f),
        v = random_vec(n, rng, 0.0f, 0.01f), e = random_vec(n, rng);
    DevVec gp(*gpu, p), gg(*gpu, g), gm(*gpu, m), gv(*gpu, v), ge(*gpu, e);
    const AdamStep k{.step_size = 2e-4f, .bc2_sqrt = 0.03f, .b1 = 0.5f, .b2 = 0.999f, .a1 = 0.5f, .a2 = 0.001f,
                     .eps = 1e-8f};
    cpu.adam_update(p.data(), g.data(), m.data(), v.data(), n, k);
    gpu->adam_update(gp.get(), gg.get(), gm.get(), gv.get(), n, k);
    EXPECT_EQ(gp.read(), p);
    EXPECT_EQ(gm.read(), m);
    EXPECT_EQ(gv.read(), v);
    cpu.ema_update(e.data(), p.data(), n, 0.999f);
    gpu->ema_update(ge.get(), gp.get(), n, 0.999f);
    EXPECT_EQ(ge.read(), e);
}

// The vectors of spectral norm and the augmentation (nn/augment.h), forward and transposed.
TEST_F(CudaOps, AxpyDotAndAugmentation) {
    const int n = 3, c = 3, h = 9, w = 8;
    const size_t len = size_t(n) * c * h * w;
    Vec x = random_vec(len, rng), y = random_vec(len, rng);
    DevVec gx(*gpu, x), gy(*gpu, y);
    EXPECT_NEAR(gpu->dot(gx.get(), gy.get(), len), cpu.dot(x.data(), y.data(), len), 1e-9 * len);
    cpu.axpy(y.data(), x.data(), len, 0.3f);
    gpu->axpy(gy.get(), gx.get(), len, 0.3f);
    EXPECT_LT(rel_err(gy.read(), y), 1e-6);
    const float colour[3 * n] = {0.2f, 1.5f, 0.7f, -0.4f, 0.3f, 1.2f, 0.0f, 1.0f, 1.0f};
    const int shift[6 * n] = {1, -2, 0, 3, 4, 4, -1, 0, -2, -2, 4, 4, 0, 0, 0, 0, 0, 0};
    for (bool transpose : {false, true}) {
        Vec a(len), b(len);
        DevVec ga(*gpu, a), gb(*gpu, b);
        cpu.augment_colour(a.data(), x.data(), n, c, h * w, colour, transpose);
        gpu->augment_colour(ga.get(), gx.get(), n, c, h * w, colour, transpose);
        EXPECT_LT(rel_err(ga.read(), a), 1e-5) << "colour, transpose " << transpose;
        cpu.augment_shift(b.data(), x.data(), n, c, h, w, shift, transpose);
        gpu->augment_shift(gb.get(), gx.get(), n, c, h, w, shift, transpose);
        EXPECT_EQ(gb.read(), b) << "shift, transpose " << transpose;
    }
}

TEST_F(CudaOps, BytesInAndPixelsOutBitwise) {
    const size_t img = 37, rows = 6;
    std::vector<uint8_t> images(img * rows);
    for (size_t i = 0; i < images.size(); ++i) images[i] = uint8_t(i * 31 % 256);
    const uint32_t idx[3] = {4, 0, 5};
    Vec u(3 * img);
    DevVec gu(*gpu, u);
    cpu.bytes_to_unit(u.data(), images.data(), idx, 3, img);
    gpu->bytes_to_unit(gu.get(), images.data(), idx, 3, img);
    EXPECT_EQ(gu.read(), u);
    Vec y = random_vec(500, rng, -1.2f, 1.2f);
    y[0] = NAN, y[1] = -1.0f, y[2] = 1.0f, y[3] = 0.5f / 127.5f - 1.0f;  // NaN, the ends, a tie
    DevVec gy(*gpu, y);
    std::vector<uint8_t> a(y.size()), b(y.size());
    cpu.unit_to_bytes(a.data(), y.data(), y.size());
    gpu->unit_to_bytes(b.data(), gy.get(), y.size());
    EXPECT_EQ(a, b);
}

TEST_F(CudaOps, FillScaleCopiesAndClassConditioning) {
    const size_t n = 8, head = 5, block = 2, ld = 20, w = 11;
    const int K = 6;
    std::vector<int> labels(n);
    for (size_t i = 0; i < n; ++i) labels[i] = int(i * 5 % K);
    Vec src = random_vec(n * ld, rng), dst(n * ld, 3.0f), out = random_vec(n * w, rng), logit(n), dlogit = random_vec(n, rng);
    DevVec gsrc(*gpu, src), gdst(*gpu, dst), gout(*gpu, out), glogit(*gpu, logit), gdlogit(*gpu, dlogit);
    cpu.concat_one_hot(dst.data(), ld, src.data(), ld, n, head, block, labels.data(), K);
    gpu->concat_one_hot(gdst.get(), ld, gsrc.get(), ld, n, head, block, labels.data(), K);
    EXPECT_EQ(gdst.read(), dst);
    cpu.proj_logits(logit.data(), out.data(), w, labels.data(), n);
    gpu->proj_logits(glogit.get(), gout.get(), w, labels.data(), n);
    EXPECT_EQ(glogit.read(), logit);
    cpu.proj_logits_backward(out.data(), w, dlogit.data(), labels.data(), n);
    gpu->proj_logits_backward(gout.get(), w, gdlogit.get(), labels.data(), n);
    EXPECT_EQ(gout.read(), out);
    cpu.copy_2d(dst.data() + 1, ld, src.data(), ld, n - 1, 7);
    gpu->copy_2d(gdst.get() + 1, ld, gsrc.get(), ld, n - 1, 7);
    cpu.scale(dst.data(), dst.size(), -0.5f);
    gpu->scale(gdst.get(), dst.size(), -0.5f);
    EXPECT_EQ(gdst.read(), dst);
    cpu.fill(dst.data(), 9, 2.5f);
    gpu->fill(gdst.get(), 9, 2.5f);
    gpu->zero(gdst.get() + 9, 3);
    std::fill(dst.begin() + 9, dst.begin() + 12, 0.0f);
    EXPECT_EQ(gdst.read(), dst);
}

TEST_F(CudaOps, MadeByMakeBackend) {
    EXPECT_TRUE(device_built(Device::cuda));
    auto be = make_backend({.device = Device::cuda});
    EXPECT_EQ(be->device(), Device::cuda);
    EXPECT_FALSE(be->is_host());
}

// ---- one training step on each device, from the same weights and the same batch

struct Run {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
};

Run make_run(const ModelConfig& cfg, Backend& be) {
    Run r;
    r.model = gan_build(cfg);
    Rng init(42);
    gan_init(*r.model, init);
    r.opt_g = std::make_unique<Adam>(r.model->g.params, AdamOptions{});
    r.opt_d = std::make_unique<Adam>(r.model->d.params, AdamOptions{});
    RunPolicy p;
    p.backend = &be;
    r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, StepOptions{}, p);
    return r;
}

StepStats one_step(Run& r, const ModelConfig& cfg) {
    Backend& be = r.step->backend();
    Rng data(5, 1), lat(5, 2);
    const int B = 8;
    Tensor real_host({B, cfg.channels, cfg.rows, cfg.cols}), z_host, real, z;
    for (size_t k = 0; k < real_host.size(); ++k) real_host[k] = data.uniform(-1.0f, 1.0f);
    sample_latent(z_host, B, cfg, lat);
    real.on(be);
    z.on(be);
    real.resize(real_host.shape);
    z.resize(z_host.shape);
    be.upload(real.data(), real_host.data(), real_host.size());
    be.upload(z.data(), z_host.data(), z_host.size());
    const StepStats s = r.step->step(real, z);
    r.step->to_host();
    return s;
}

void expect_step_close(CudaBackend& gpu, const ModelConfig& cfg, const char* what) {
    CpuBackend cpu(1);
    Run a = make_run(cfg, cpu), b = make_run(cfg, gpu);
    const StepStats sa = one_step(a, cfg), sb = one_step(b, cfg);
    EXPECT_NEAR(sb.d_loss, sa.d_loss, 1e-3 * std::fabs(sa.d_loss)) << what;
    EXPECT_NEAR(sb.g_loss, sa.g_loss, 1e-3 * std::fabs(sa.g_loss)) << what;
    auto vec = [](const AlignedVec<float>& v) { return Vec(v.begin(), v.end()); };
    EXPECT_LT(rel_err(vec(b.model->g.params.values()), vec(a.model->g.params.values())), 1e-3) << what;
    EXPECT_LT(rel_err(vec(b.model->d.params.values()), vec(a.model->d.params.values())), 1e-3) << what;
}

TEST_F(CudaOps, OneGanStepOfTheClassicMlpAndTheDcgan) {
    ModelConfig mlp;
    expect_step_close(*gpu, mlp, "classic mlp");
    ModelConfig dcgan;
    dcgan.arch = Arch::dcgan;
    expect_step_close(*gpu, dcgan, "dcgan");
}

}  // namespace
