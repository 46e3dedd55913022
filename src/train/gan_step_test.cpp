// The one training step under the choices it makes from the layers (stacked real and fake batches,
// absorbed activations, the step's own threads), each against the plain way, from identical weights
// and batches, at 1 BLAS thread.
#include "train/gan_step.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "core/cpu.h"
#include "core/rng.h"
#include "nn/linear.h"
#include "train/options.h"

using namespace gan;

namespace {

struct TrainRun {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
    std::vector<StepStats> stats;
};

// threads: as --threads for the run policy (train/policy.h), which gives them to the step only where
// the model splits over them; the BLAS stays at one thread (each test sets it).
TrainRun make_run(const ModelConfig& cfg, StepOptions so, int threads = 1, bool fast_tanh = true) {
    TrainRun r;
    r.model = gan_build(cfg);
    Rng init(42);
    gan_init(*r.model, init);
    AdamOptions ao;
    r.opt_g = std::make_unique<Adam>(r.model->g.params, ao);
    r.opt_d = std::make_unique<Adam>(r.model->d.params, ao);
    RunPolicy p = run_policy(threads, r.model->g.splits_over_pool() && r.model->d.splits_over_pool(), threads);
    p.blas_threads = 0;
    p.fast_tanh = fast_tanh;
    r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, so, p);
    return r;
}

bool bitwise_backend() { return host_backend().bitwise_across_splits(); }

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

template <class V1, class V2>
bool same_bits(const V1& a, const V2& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

template <class V1, class V2>
double max_abs_diff(const V1& a, const V2& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::fmax(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

// Two runs that must agree bit for bit where the GEMMs are our kernels (bitwise_backend()),
// and to rounding where OpenBLAS chooses its own kernel per call (a CPU without AVX2, GAN_GEMM=blas):
// losses within 1e-4, weights within 1e-3 after a few steps (Adam moves a weight by at most lr a step).
void expect_same_or_rounding(TrainRun& a, TrainRun& b, const std::string& what) {
    ASSERT_EQ(a.stats.size(), b.stats.size());
    if (!bitwise_backend()) {
        for (size_t s = 0; s < a.stats.size(); ++s) {
            EXPECT_NEAR(a.stats[s].d_loss, b.stats[s].d_loss, 1e-4) << what << " step " << s;
            EXPECT_NEAR(a.stats[s].g_loss, b.stats[s].g_loss, 1e-4) << what << " step " << s;
        }
        EXPECT_LT(max_abs_diff(a.model->g.params.values(), b.model->g.params.values()), 1e-3) << what;
        EXPECT_LT(max_abs_diff(a.model->d.params.values(), b.model->d.params.values()), 1e-3) << what;
        return;
    }
    for (size_t s = 0; s < a.stats.size(); ++s) {
        EXPECT_EQ(a.stats[s].d_loss, b.stats[s].d_loss) << what << " step " << s;
        EXPECT_EQ(a.stats[s].g_loss, b.stats[s].g_loss) << what << " step " << s;
        EXPECT_EQ(a.stats[s].d_real, b.stats[s].d_real) << what << " step " << s;
        EXPECT_EQ(a.stats[s].d_fake, b.stats[s].d_fake) << what << " step " << s;
    }
    for (Arena* pa : {&a.model->g.params, &a.model->d.params}) {
        Arena* pb = pa == &a.model->g.params ? &b.model->g.params : &b.model->d.params;
        EXPECT_TRUE(same_bits(pa->values(), pb->values())) << what;
        EXPECT_TRUE(same_bits(pa->grads(), pb->grads())) << what;
    }
    EXPECT_TRUE(same_bits(a.opt_g->m, b.opt_g->m)) << what;
    EXPECT_TRUE(same_bits(a.opt_g->v, b.opt_g->v)) << what;
    EXPECT_TRUE(same_bits(a.opt_d->m, b.opt_d->m)) << what;
}

TrainRun make_run_fused(const ModelConfig& cfg, StepOptions so, bool fuse, bool fast_tanh = true) {
    TrainRun r = make_run(cfg, so, 1, fast_tanh);
    r.model->g.set_fusion(fuse);
    r.model->d.set_fusion(fuse);
    return r;
}

}  // namespace

// What the step does follows from the layers: the MLP's activations run inside the Linear layers before
// them and its D (no batch statistics) sees real and fake as one batch; the DCGAN's D has batch norm.
TEST(GanStep, HowItRunsFollowsFromTheLayers) {
    ModelConfig cfg;
    TrainRun mlp = make_run(cfg, {});
    EXPECT_TRUE(mlp.step->stacks_real_fake());
    EXPECT_TRUE(mlp.model->g.absorbed(1) && mlp.model->g.absorbed(3) && mlp.model->d.absorbed(1));
    EXPECT_FALSE(mlp.model->g.absorbed(0) || mlp.model->g.absorbed(2) || mlp.model->d.absorbed(2));
    StepOptions halves;
    halves.stack_real_fake = false;
    EXPECT_FALSE(make_run(cfg, halves).step->stacks_real_fake());
    cfg.arch = Arch::dcgan;
    EXPECT_FALSE(make_run(cfg, {}).step->stacks_real_fake());
}

// An activation absorbed by the Linear layer before it performs the float operations of the two layers
// run one after the other: with std::tanh every weight, gradient, moment and loss is bitwise equal, at
// every batch size, with D on stacked batches and on separate halves.
TEST(GanStep, AbsorbedActivationsAreBitwiseTheSeparateLayers) {
    set_library_threads(1);
    for (bool stack : {true, false}) {
        for (int B : {1, 2, 5, 9, 32, 100}) {
            ModelConfig cfg;
            StepOptions so;
            so.stack_real_fake = stack;
            TrainRun a = make_run_fused(cfg, so, false, false), b = make_run_fused(cfg, so, true, false);
            train(a, B, 4, 7);
            train(b, B, 4, 7);
            expect_same_or_rounding(a, b, "stack " + std::to_string(stack) + " B " + std::to_string(B));
        }
    }
}

// D on [real; fake] stacked gives each row the logit a pass on its half gives: the first step's D(x) and
// D(G(z)) (taken before any update) are bitwise those of the separate passes where the GEMMs are ours.
TEST(GanStep, StackedDSeesEachRowAsItsHalfDoes) {
    set_library_threads(1);
    for (int B : {1, 9, 100}) {
        ModelConfig cfg;
        StepOptions halves;
        halves.stack_real_fake = false;
        TrainRun a = make_run(cfg, {}), b = make_run(cfg, halves);
        train(a, B, 1, 5);
        train(b, B, 1, 5);
        if (bitwise_backend()) {
            EXPECT_EQ(a.stats[0].d_real, b.stats[0].d_real) << "B " << B;
            EXPECT_EQ(a.stats[0].d_fake, b.stats[0].d_fake) << "B " << B;
            EXPECT_EQ(a.stats[0].d_loss, b.stats[0].d_loss) << "B " << B;
        } else {
            EXPECT_NEAR(a.stats[0].d_real, b.stats[0].d_real, 1e-6) << "B " << B;
            EXPECT_NEAR(a.stats[0].d_loss, b.stats[0].d_loss, 1e-5) << "B " << B;
        }
    }
}

// The default step reassociates the weight-gradient sums of D (one sum over 2B rows instead of two over
// B) and may use tanh_fast. Both change results by float rounding only; Adam then moves every weight by
// at most lr per step, so after k steps no weight can differ by more than 2·k·lr, and in practice the
// runs stay far closer: the bounds below are what the difference from the plain step must stay under.
TEST(GanStep, DefaultStaysWithinRoundingOfThePlainStep) {
    set_library_threads(1);
    for (bool fast_tanh : {false, true}) {
        ModelConfig cfg;
        StepOptions plain, fast;
        plain.stack_real_fake = false;
        TrainRun a = make_run_fused(cfg, plain, false, false), b = make_run(cfg, fast, 1, fast_tanh);
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
        EXPECT_LT(loss_diff, 1e-4);
        EXPECT_LT(std::fmax(wg, wd), 2.0 * steps * 0.002);  // the hard bound
        EXPECT_LT(std::fmax(wg, wd), 1e-3);                  // what rounding noise amounts to here
    }
}

// The step split over its own threads (each part one single-threaded GEMM on a block of 16k
// rows or columns; no sum is split) against the same step on one thread: every GEMM is gemm_exact(),
// whose elements do not depend on the block, so the runs agree bit for bit, blocks of a few rows
// included (3 threads at batch 37).
TEST(GanStep, SplitOverThreadsIsBitwiseOneThread) {
    set_library_threads(1);
    for (auto [threads, B] : {std::pair{2, 1}, {2, 32}, {2, 37}, {2, 64}, {2, 100}, {2, 512}, {3, 37}, {3, 100},
                              {4, 512}}) {
        ModelConfig cfg;
        TrainRun a = make_run(cfg, {}), b = make_run(cfg, {}, threads);
        ASSERT_EQ(b.step->split_threads(), threads);
        train(a, B, 3, 11);
        train(b, B, 3, 11);
        expect_same_or_rounding(a, b, "threads " + std::to_string(threads) + " B " + std::to_string(B));
    }
}

// Models whose layers all split over the step's threads get them, conditional ones too; a model with
// convolutions gets replicas of the step instead (on the CPU of one process), each on one thread.
TEST(GanStep, OnlyModelsThatSplitGetTheStepsThreads) {
    ModelConfig cfg;
    cfg.conditional = true;
    EXPECT_EQ(make_run(cfg, {}, 2).step->split_threads(), 2);
    EXPECT_EQ(make_run(cfg, {}, 2).step->replicas(), 1);
    // The policy: split models get the threads, others as many replicas; the BLAS stays at 1 thread;
    // automatic is every usable CPU up to 4, an explicit count at most the usable CPUs.
    EXPECT_EQ(run_policy(0, true, 8).threads, 4);
    EXPECT_EQ(run_policy(0, true, 8).blas_threads, 1);
    EXPECT_EQ(run_policy(0, true, 8).replicas, 1);
    EXPECT_EQ(run_policy(0, false, 2).threads, 1);
    EXPECT_EQ(run_policy(0, false, 2).blas_threads, 1);
    EXPECT_EQ(run_policy(0, false, 2).replicas, 2);
    EXPECT_EQ(run_policy(16, true, 3).threads, 3);
    EXPECT_EQ(run_policy(3, false, 16).replicas, 3);
    // From a run's options: no more replicas than rows; on a GPU the threads go to the BLAS.
    cfg.arch = Arch::dcgan;
    auto m = gan_build(cfg);
    TrainOptions o;
    o.threads = 2;
    o.batch = 1;
    EXPECT_EQ(run_policy(o, m->g, m->d, nullptr).replicas, 1);
    o.batch = 64;
    EXPECT_EQ(run_policy(o, m->g, m->d, nullptr).replicas, std::min(2, usable_cpus()));
    o.device = "cuda";
    EXPECT_EQ(run_policy(o, m->g, m->d, nullptr).replicas, 1);
    EXPECT_EQ(run_policy(o, m->g, m->d, nullptr).blas_threads, std::min(2, usable_cpus()));
}

// The auxiliary classifier heads: after a D update, the gradient of D's class-logit biases is the
// softmax cross-entropy gradient mean_i (p_i - onehot(y_i)) over the real images alone ("proj_ac")
// or over the real and the fake half ("acgan"), computed here from D's outputs before the update.
TEST(GanStep, ClassifierHeadsLearnFromTheRightImages) {
    set_library_threads(1);
    for (const char* cond : {"proj_ac", "acgan"}) {
        ModelConfig cfg;
        cfg.conditional = true;
        cfg.cond_d = cond_d_from_string(cond);
        cfg.hidden = 16;
        const int K = cfg.num_classes, B = 12, first = std::string(cond) == "acgan" ? 1 : 1 + K;
        TrainRun r = make_run(cfg, {});
        Rng rng(3);
        Tensor real({B, 1, 28, 28}), z, gin, din;
        for (size_t k = 0; k < real.size(); ++k) real[k] = rng.uniform(-1, 1);
        sample_latent(z, B, cfg, rng);
        int yr[B], yf[B];
        for (int i = 0; i < B; ++i) yr[i] = i % K, yf[i] = (3 * i + 1) % K;
        // D's outputs on the real batch and on G's fakes, before the step.
        auto class_grad = [&](const Tensor& x, const int* y, std::vector<double>& g) {
            make_d_input(din, x, y, cfg);
            const Tensor& out = r.model->d.forward(din);
            const size_t w = out.shape.per_sample();
            for (int i = 0; i < B; ++i) {
                const float* c = out.data() + i * w + first;
                double mx = c[0], s = 0;
                for (int k = 1; k < K; ++k) mx = std::max(mx, double(c[k]));
                for (int k = 0; k < K; ++k) s += std::exp(c[k] - mx);
                for (int k = 0; k < K; ++k) g[size_t(k)] += (std::exp(c[k] - mx) / s - (k == y[i])) / B;
            }
        };
        std::vector<double> want(size_t(K), 0.0);
        class_grad(real, yr, want);
        if (first == 1) {
            make_g_input(gin, z, yf, cfg);
            Tensor fake = r.model->g.forward(gin);
            class_grad(fake, yf, want);
        }
        r.step->step(real, z, yr, yf);
        const Linear* head = dynamic_cast<const Linear*>(&r.model->d.layer(2));
        ASSERT_NE(head, nullptr);
        const float* gb = r.model->d.params.grad(head->bias_offset());
        for (int k = 0; k < K; ++k) EXPECT_NEAR(gb[first + k], want[size_t(k)], 1e-5) << cond << " class " << k;
        // --class-weight scales that gradient.
        StepOptions heavy;
        heavy.class_weight = 3.0f;
        TrainRun r3 = make_run(cfg, heavy);
        r3.step->step(real, z, yr, yf);
        const float* gb3 = r3.model->d.params.grad(head->bias_offset());
        for (int k = 0; k < K; ++k) EXPECT_NEAR(gb3[first + k], 3 * want[size_t(k)], 3e-5) << cond << " class " << k;
    }
}

// ADA's statistic (train/ada.h): the step reports the mean sign of D's logits on the real rows, those
// D gave before its update, with D on stacked batches and on separate halves.
TEST(GanStep, ReportsTheMeanSignOfDsLogitsOnTheRealRows) {
    set_library_threads(1);
    for (bool stack : {true, false}) {
        ModelConfig cfg;
        StepOptions so;
        so.stack_real_fake = stack;
        TrainRun a = make_run(cfg, so), ref = make_run(cfg, so);
        const int B = 37;
        Rng data(3, 1), lat(3, 2);
        Tensor real({B, 1, cfg.rows, cfg.cols}), z;
        for (size_t k = 0; k < real.size(); ++k) real[k] = data.uniform(-1.0f, 1.0f);
        sample_latent(z, B, cfg, lat);
        const Tensor& out = ref.model->d.forward(real);
        ASSERT_EQ(out.shape.n, B);
        int sum = 0;
        for (int i = 0; i < B; ++i) sum += out[size_t(i)] > 0 ? 1 : out[size_t(i)] < 0 ? -1 : 0;
        ASSERT_LT(std::abs(sum), B) << "the untrained D should give both signs";
        EXPECT_FLOAT_EQ(a.step->step(real, z).d_real_sign, float(sum) / B) << "stack " << stack;
    }
}

// The augmentation's probability set on a step (ADA's p, train/ada.h) reaches every replica of an
// in-process split: the run is bitwise the one given that p in its options from the start.
TEST(GanStep, AugmentProbabilityReachesEveryReplica) {
    set_library_threads(1);
    ModelConfig cfg;
    cfg.arch = Arch::dcgan;
    StepOptions set_later, from_start;
    set_later.augment = from_start.augment = "color,translation,cutout";
    from_start.augment_p = 0.25f;
    const int B = 8;
    auto replicated = [&](StepOptions so) {
        TrainRun r = make_run(cfg, so);  // then its step again, split over 2 replicas of B / 2 rows
        RunPolicy p = run_policy(2, false, 2);
        p.blas_threads = 0;
        p.global_batch = B;
        r.step.reset();
        r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, so, p);
        return r;
    };
    TrainRun a = replicated(set_later), b = replicated(from_start);
    ASSERT_EQ(a.step->replicas(), 2);
    a.step->set_augment_p(0.25f);
    train(a, B, 2, 4);
    train(b, B, 2, 4);
    EXPECT_TRUE(same_bits(a.model->g.params.values(), b.model->g.params.values()));
    EXPECT_TRUE(same_bits(a.model->d.params.values(), b.model->d.params.values()));
}
