// The fused classic-MLP step against the layer-by-layer reference step (StepOptions.fused = false,
// the original code path), from identical weights and batches, at 1 BLAS thread.
#include "train/gan_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "core/rng.h"
#include "kernels/gemm.h"

using namespace gan;

namespace {

struct TrainRun {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
    std::vector<StepStats> stats;
};

TrainRun make_run(const ModelConfig& cfg, StepOptions so) {
    TrainRun r;
    r.model = gan_build(cfg);
    Rng init(42);
    gan_init(*r.model, init);
    AdamOptions ao;
    r.opt_g = std::make_unique<Adam>(r.model->g.params, ao);
    r.opt_d = std::make_unique<Adam>(r.model->d.params, ao);
    r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, so);
    return r;
}

void train(TrainRun& r, int B, int steps, uint64_t seed) {
    const ModelConfig& c = r.model->config;
    Rng data(seed, 1), lat(seed, 2);
    Tensor real({B, 1, c.rows, c.cols}), z;
    for (int s = 0; s < steps; ++s) {
        for (size_t k = 0; k < real.size(); ++k) real[k] = data.uniform(-1.0f, 1.0f) * (k % 3 ? 1.0f : 0.2f);
        sample_latent(z, B, c, lat);
        r.stats.push_back(r.step->step(real, z));
    }
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::fmax(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

}  // namespace

TEST(GanStep, ClassicMlpTakesTheFusedPath) {
    ModelConfig cfg;
    TrainRun fused = make_run(cfg, {});
    EXPECT_TRUE(fused.step->fused());
    StepOptions ref;
    ref.fused = false;
    EXPECT_FALSE(make_run(cfg, ref).step->fused());
}

// With D's weight gradient split as the reference splits it and std::tanh, the fused step performs
// the same float operations in the same order: every weight, gradient, moment and loss is bitwise equal.
TEST(GanStep, FusedWithoutReassociationIsBitwiseTheReference) {
    blas_set_threads(1);
    for (int B : {1, 32, 100}) {  // not 2..9: see gan_step.h
        ModelConfig cfg;
        StepOptions ref, fused;
        ref.fused = false;
        fused.stack_dw = false;
        fused.fast_tanh = false;
        TrainRun a = make_run(cfg, ref), b = make_run(cfg, fused);
        train(a, B, 4, 7);
        train(b, B, 4, 7);
        for (size_t s = 0; s < a.stats.size(); ++s) {
            EXPECT_EQ(a.stats[s].d_loss, b.stats[s].d_loss) << "B " << B << " step " << s;
            EXPECT_EQ(a.stats[s].g_loss, b.stats[s].g_loss) << "B " << B << " step " << s;
            EXPECT_EQ(a.stats[s].d_real, b.stats[s].d_real) << "B " << B << " step " << s;
            EXPECT_EQ(a.stats[s].d_fake, b.stats[s].d_fake) << "B " << B << " step " << s;
        }
        for (Arena* pa : {&a.model->g.params, &a.model->d.params}) {
            Arena* pb = pa == &a.model->g.params ? &b.model->g.params : &b.model->d.params;
            EXPECT_TRUE(same_bits(pa->values(), pb->values())) << "B " << B;
            EXPECT_TRUE(same_bits(pa->grads(), pb->grads())) << "B " << B;
        }
        EXPECT_TRUE(same_bits(a.opt_g->v, b.opt_g->v)) << "B " << B;
        EXPECT_TRUE(same_bits(a.opt_d->m, b.opt_d->m)) << "B " << B;
    }
}

// The default fused step reassociates one sum (D's first weight gradient over 2B rows at once) and
// may use tanh_fast. Both change results by float rounding only; Adam then moves every weight by at
// most lr per step, so after k steps no weight can differ by more than 2·k·lr, and in practice the
// runs stay far closer: the bounds below are what the reference-vs-fused difference must stay under.
TEST(GanStep, DefaultFusedStaysWithinRoundingOfTheReference) {
    blas_set_threads(1);
    for (bool fast_tanh : {false, true}) {
        ModelConfig cfg;
        StepOptions ref, fused;
        ref.fused = false;
        fused.fast_tanh = fast_tanh;
        TrainRun a = make_run(cfg, ref), b = make_run(cfg, fused);
        const int steps = 20;
        train(a, 100, steps, 9);
        train(b, 100, steps, 9);
        double loss_diff = 0;
        for (size_t s = 0; s < a.stats.size(); ++s)
            loss_diff = std::fmax(loss_diff, std::fmax(std::fabs(a.stats[s].d_loss - b.stats[s].d_loss),
                                                       std::fabs(a.stats[s].g_loss - b.stats[s].g_loss)));
        const double wg = max_abs_diff(a.model->g.params.values(), b.model->g.params.values());
        const double wd = max_abs_diff(a.model->d.params.values(), b.model->d.params.values());
        RecordProperty(fast_tanh ? "fast_tanh_weight_diff" : "std_tanh_weight_diff", std::to_string(std::fmax(wg, wd)));
        std::printf("fast_tanh=%d: max |loss diff| %.3g, max |weight diff| G %.3g D %.3g over %d steps\n",
                    int(fast_tanh), loss_diff, wg, wd, steps);
        EXPECT_LT(loss_diff, 1e-4);
        EXPECT_LT(std::fmax(wg, wd), 2.0 * steps * 0.002);  // the hard bound
        EXPECT_LT(std::fmax(wg, wd), 1e-3);                  // what rounding noise amounts to here
    }
}
