// The device seam's memory discipline, checked without a device: a CPU backend whose memory says it is
// not the host's (so tensors, arenas, moments and the EMA get copies of their own, and the host copies
// go stale unless the step downloads them) must train exactly as the host backend does. A host read of
// device memory, a missing upload after the host wrote, or a missing download before the host reads
// would each show as a difference here. Every model family: the classic MLP, the DCGAN (batch norm),
// and conditional models of each head.
#include <gtest/gtest.h>

#include <memory>

#include "backend/cpu_backend.h"
#include "core/rng.h"
#include "models/gan_model.h"
#include "models/init.h"
#include "train/gan_step.h"

using namespace gan;

namespace {

// The CPU's operations on memory that is not the host's: allocations apart from the host's copies.
class OffHostCpu final : public CpuBackend {
  public:
    bool is_host() const override { return false; }
};

struct Run {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
};

Run make(const ModelConfig& cfg, Backend* be) {
    Run r;
    r.model = gan_build(cfg);
    Rng init(42);
    gan_init(*r.model, init);
    r.opt_g = std::make_unique<Adam>(r.model->g.params, AdamOptions{});
    r.opt_d = std::make_unique<Adam>(r.model->d.params, AdamOptions{});
    RunPolicy p;
    p.backend = be;
    r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, StepOptions{}, p);
    return r;
}

// Three steps; the batch and latents are made on the host and sent to the run's device, as the
// trainer does.
void train(Run& r, const ModelConfig& cfg, std::vector<StepStats>& stats) {
    Backend& be = r.step->backend();
    Rng data(5, 1), lat(5, 2);
    const int B = 8;
    Tensor real_host({B, cfg.channels, cfg.rows, cfg.cols}), z_host, real, z;
    real.on(be);
    z.on(be);
    std::vector<int> yr(B), yf(B);
    for (int s = 0; s < 3; ++s) {
        for (size_t k = 0; k < real_host.size(); ++k) real_host[k] = data.uniform(-1.0f, 1.0f);
        sample_latent(z_host, B, cfg, lat);
        real.resize(real_host.shape);
        z.resize(z_host.shape);
        be.upload(real.data(), real_host.data(), real_host.size());
        be.upload(z.data(), z_host.data(), z_host.size());
        for (int i = 0; i < B; ++i) yr[size_t(i)] = (i + s) % cfg.num_classes, yf[size_t(i)] = (3 * i) % cfg.num_classes;
        stats.push_back(cfg.conditional ? r.step->step(real, z, yr.data(), yf.data()) : r.step->step(real, z));
    }
    r.step->to_host();
}

void expect_same(const ModelConfig& cfg, const std::string& what) {
    OffHostCpu device;
    Run host = make(cfg, nullptr), off = make(cfg, &device);
    std::vector<StepStats> a, b;
    train(host, cfg, a);
    train(off, cfg, b);
    for (size_t s = 0; s < a.size(); ++s) {
        EXPECT_EQ(a[s].d_loss, b[s].d_loss) << what << " step " << s;
        EXPECT_EQ(a[s].g_loss, b[s].g_loss) << what << " step " << s;
    }
    EXPECT_TRUE(host.model->g.params.values() == off.model->g.params.values()) << what;
    EXPECT_TRUE(host.model->d.params.values() == off.model->d.params.values()) << what;
    EXPECT_TRUE(host.model->g.buffers.values() == off.model->g.buffers.values()) << what;
    EXPECT_TRUE(host.opt_d->v == off.opt_d->v) << what;
    // G on the device samples what G on the host samples, and the step's end brings everything home.
    off.step.reset();
    host.step.reset();
    std::vector<uint8_t> px_host, px_off;
    Rng r1(9), r2(9);
    gan_generate(*host.model, 5, r1, px_host);
    gan_generate(*off.model, 5, r2, px_off);
    EXPECT_EQ(px_host, px_off) << what;
}

}  // namespace

TEST(GanStepOnADevice, TrainsAsTheHostDoesForEveryModel) {
    set_library_threads(1);
    ModelConfig mlp;
    expect_same(mlp, "mlp");
    ModelConfig dcgan;
    dcgan.arch = Arch::dcgan;
    expect_same(dcgan, "dcgan");
    for (const char* cond : {"concat", "proj", "acgan", "proj_ac"}) {
        ModelConfig c;
        c.conditional = true;
        c.cond_d = cond_d_from_string(cond);
        c.hidden = 16;
        expect_same(c, std::string("mlp ") + cond);
    }
    ModelConfig cd;
    cd.arch = Arch::dcgan;
    cd.conditional = true;
    expect_same(cd, "dcgan conditional");
}

TEST(GanStepOnADevice, TensorsCrossOnlyByUploadAndDownload) {
    OffHostCpu device;
    Tensor t({2, 3, 1, 1});
    for (size_t i = 0; i < t.size(); ++i) t[i] = float(i) + 0.5f;
    t.on(device);
    EXPECT_FALSE(t.memory().is_host());
    Tensor back = t;  // a copy stays on the device
    back.on(host_memory());
    ASSERT_TRUE(back.memory().is_host());
    for (size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i], float(i) + 0.5f);
    DeviceArray a(4, 1.0f);
    a.place(device);
    device.fill(a.device(), 4, 7.0f);
    EXPECT_EQ(a[0], 1.0f) << "the host copy changes only on download";
    a.download();
    EXPECT_EQ(a[3], 7.0f);
}
