// The data-parallel step (threads standing in for MPI ranks, core/thread_comm.h): N ranks, each on
// its contiguous share of a global batch of B rows, against one process stepping on all B rows:
//  - the summed gradients of the first step are the one process's to float rounding;
//  - after a few Adam steps the weights differ from one process's by no more than (kReorder times)
//    one process's differ from themselves when the rows of each batch come in reverse order (the
//    same sums in another order: the DCGAN's batch norm and Adam's division by sqrt(v) amplify such
//    rounding far more than the MLP does), every rank with the same bits; ranks that do not sum
//    (each on its own rows) are far outside that;
//  - the reported statistics are the global batch's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/rng.h"
#include "core/thread_comm.h"
#include "train/gan_step.h"

using namespace gan;

namespace {

constexpr int kSteps = 3;
bool g_reverse = false;  // one process takes each batch's rows in reverse order
// docs/distributed.md: summed gradients within kGradBound of the largest |g| of their arena; the mean
// |w_ranks - w_one| over every parameter at most kReorder times one process's reordered-rows mean.
constexpr double kGradBound = 3e-4, kReorder = 4;

struct Result {
    std::vector<float> g, d;            // weights after kSteps
    std::vector<float> dgrad1, ggrad1;  // the (summed) gradients of the first step
    std::vector<StepStats> stats;
};

void swap_rows(Tensor& t, int i, int j) {
    const size_t w = t.shape.per_sample();
    std::swap_ranges(t.data() + size_t(i) * w, t.data() + size_t(i + 1) * w, t.data() + size_t(j) * w);
}

// kSteps steps on rows [first, first + rows) of global batches of B rows; comm (may be null) sums;
// replicas > 1: the whole batch to a step split over that many in-process replicas (train/replicas.h).
Result train(const ModelConfig& cfg, int B, Comm* comm, int first, int rows, int replicas = 1) {
    auto model = gan_build(cfg);
    Rng init(42);
    gan_init(*model, init);
    Adam opt_g(model->g.params, AdamOptions{}), opt_d(model->d.params, AdamOptions{});
    RunPolicy policy;  // the BLAS at 1 thread: set once by each test, not by each rank's thread
    policy.comm = comm;
    policy.global_batch = B;
    policy.replicas = replicas;
    GanStep step(*model, opt_g, opt_d, StepOptions{}, policy);
    Rng data(5, 1), lat(5, 2);
    Tensor real_all({B, 1, cfg.rows, cfg.cols}), z_all, real, z;
    std::vector<int> real_labels(static_cast<size_t>(B)), fake_labels(static_cast<size_t>(B));
    Result r;
    for (int s = 0; s < kSteps; ++s) {
        for (size_t k = 0; k < real_all.size(); ++k) real_all[k] = data.uniform(-1.0f, 1.0f);
        for (int i = 0; i < B; ++i) {
            real_labels[size_t(i)] = int(data.below(uint32_t(cfg.num_classes)));
            fake_labels[size_t(i)] = int(data.below(uint32_t(cfg.num_classes)));
        }
        sample_latent(z_all, B, cfg, lat);
        real.resize({rows, 1, cfg.rows, cfg.cols});
        z.resize({rows, z_all.shape.c, 1, 1});
        std::copy(real_all.data() + size_t(first) * real.shape.per_sample(),
                  real_all.data() + size_t(first + rows) * real.shape.per_sample(), real.data());
        std::copy(z_all.data() + size_t(first) * z.shape.per_sample(),
                  z_all.data() + size_t(first + rows) * z.shape.per_sample(), z.data());
        if (g_reverse) {
            for (int i = 0; i < B / 2; ++i) {
                swap_rows(real, i, B - 1 - i);
                swap_rows(z, i, B - 1 - i);
            }
            std::reverse(real_labels.begin(), real_labels.end());
            std::reverse(fake_labels.begin(), fake_labels.end());
        }
        const bool labelled = cfg.conditional;
        r.stats.push_back(step.step(real, z, labelled ? real_labels.data() + first : nullptr,
                                    labelled ? fake_labels.data() + first : nullptr));
        if (s == 0) {
            r.dgrad1.assign(model->d.params.grads().begin(), model->d.params.grads().end());
            r.ggrad1.assign(model->g.params.grads().begin(), model->g.params.grads().end());
        }
    }
    r.g.assign(model->g.params.values().begin(), model->g.params.values().end());
    r.d.assign(model->d.params.values().begin(), model->d.params.values().end());
    return r;
}

double max_abs(const std::vector<float>& a) {
    double m = 0;
    for (float v : a) m = std::max(m, double(std::fabs(v)));
    return m;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

double mean_diff(const Result& a, const Result& b) {
    double s = 0;
    for (size_t i = 0; i < a.g.size(); ++i) s += std::fabs(double(a.g[i]) - b.g[i]);
    for (size_t i = 0; i < a.d.size(); ++i) s += std::fabs(double(a.d[i]) - b.d[i]);
    return s / double(a.g.size() + a.d.size());
}

void check_ranks_match_one_process(const ModelConfig& cfg, int B) {
    const Result one = train(cfg, B, nullptr, 0, B);
    g_reverse = true;
    const double reordered = mean_diff(train(cfg, B, nullptr, 0, B), one);
    g_reverse = false;
    EXPECT_GT(reordered, 0.0) << "reversing the rows changes no rounding: the comparison below tests nothing";
    for (int ranks : {2, 3}) {
        std::vector<Result> got(static_cast<size_t>(ranks));
        gan::ThreadGroup group(ranks);
        group.run([&](Comm& comm) {
            got[size_t(comm.rank())] = train(cfg, B, &comm, comm.first_row(B), comm.rows(B));
        });
        for (int r = 1; r < ranks; ++r) {
            EXPECT_EQ(got[size_t(r)].g, got[0].g) << ranks << " ranks: rank " << r << " differs from rank 0";
            EXPECT_EQ(got[size_t(r)].d, got[0].d) << ranks << " ranks: rank " << r << " differs from rank 0";
        }
        EXPECT_LE(max_diff(got[0].dgrad1, one.dgrad1), kGradBound * max_abs(one.dgrad1)) << ranks << " ranks";
        EXPECT_LE(max_diff(got[0].ggrad1, one.ggrad1), kGradBound * max_abs(one.ggrad1)) << ranks << " ranks";
        EXPECT_LE(mean_diff(got[0], one), kReorder * reordered) << ranks << " ranks";
        // The same ranks as in-process replicas of one step, given the whole batch: the same bits.
        const Result replicas = train(cfg, B, nullptr, 0, B, ranks);
        EXPECT_EQ(replicas.g, got[0].g) << ranks << " replicas";
        EXPECT_EQ(replicas.d, got[0].d) << ranks << " replicas";
        EXPECT_EQ(replicas.dgrad1, got[0].dgrad1) << ranks << " replicas";
        EXPECT_EQ(replicas.ggrad1, got[0].ggrad1) << ranks << " replicas";
        for (int s = 0; s < kSteps; ++s)
            EXPECT_EQ(replicas.stats[size_t(s)].d_loss, got[0].stats[size_t(s)].d_loss) << ranks << " replicas";
        // Step 0's statistics come before any update: the global batch's to rounding.
        EXPECT_NEAR(got[0].stats[0].d_loss, one.stats[0].d_loss, 1e-5);
        EXPECT_NEAR(got[0].stats[0].d_real, one.stats[0].d_real, 1e-6);
        EXPECT_NEAR(got[0].stats[0].d_fake, one.stats[0].d_fake, 1e-6);
        EXPECT_NEAR(got[0].stats[0].g_loss, one.stats[0].g_loss, 1e-2);  // after D's first Adam step
    }
    // Two halves trained apart (no sums) are far outside the bound: the bound tests the sums.
    const Result half = train(cfg, B, nullptr, 0, B / 2);
    EXPECT_GT(mean_diff(half, one), 5 * kReorder * reordered);
    EXPECT_GT(max_diff(half.dgrad1, one.dgrad1), 100 * kGradBound * max_abs(one.dgrad1));
}

}  // namespace

TEST(GanStepDist, ClassicMlpOnRanksIsOneProcessWithinRounding) {
    set_library_threads(1);
    check_ranks_match_one_process(ModelConfig{}, 7);  // 7 rows: shares 3 + 4 and 2 + 2 + 3
}

TEST(GanStepDist, DcganWithSyncedBatchNormOnRanksIsOneProcessWithinRounding) {
    set_library_threads(1);
    ModelConfig cfg;
    cfg.arch = Arch::dcgan;
    check_ranks_match_one_process(cfg, 6);
}

TEST(GanStepDist, ConditionalDcganOnReplicasIsTheRanksBitwise) {
    set_library_threads(1);
    ModelConfig cfg;
    cfg.arch = Arch::dcgan;
    cfg.conditional = true;
    check_ranks_match_one_process(cfg, 6);
}

// A state loaded into rank 0 after the step was made (a resumed run's checkpoint) reaches every replica
// at to_device(): two steps, the state moved into a fresh model, and a third step give the bits of three
// steps straight. (Without the copy rank 1 would step from its own weights.)
TEST(GanStepDist, ReplicasTakeTheStateLoadedIntoRankZero) {
    set_library_threads(1);
    ModelConfig cfg;
    cfg.arch = Arch::dcgan;
    constexpr int B = 6;
    struct Run {
        std::unique_ptr<GanModel> model;
        std::unique_ptr<Adam> opt_g, opt_d;
        std::unique_ptr<GanStep> step;
    };
    auto make = [&](uint64_t seed) {
        Run r;
        r.model = gan_build(cfg);
        Rng init(seed);
        gan_init(*r.model, init);
        r.opt_g = std::make_unique<Adam>(r.model->g.params, AdamOptions{});
        r.opt_d = std::make_unique<Adam>(r.model->d.params, AdamOptions{});
        RunPolicy p;
        p.global_batch = B;
        p.replicas = 2;
        r.step = std::make_unique<GanStep>(*r.model, *r.opt_g, *r.opt_d, StepOptions{}, p);
        return r;
    };
    std::vector<Tensor> reals, zs;
    Rng data(5, 1), lat(5, 2);
    for (int s = 0; s < 3; ++s) {
        reals.emplace_back(Shape{B, 1, cfg.rows, cfg.cols});
        for (size_t k = 0; k < reals.back().size(); ++k) reals.back()[k] = data.uniform(-1.0f, 1.0f);
        zs.emplace_back();
        sample_latent(zs.back(), B, cfg, lat);
    }
    Run straight = make(42), split = make(42);
    for (int s = 0; s < 3; ++s) straight.step->step(reals[size_t(s)], zs[size_t(s)]);
    for (int s = 0; s < 2; ++s) split.step->step(reals[size_t(s)], zs[size_t(s)]);
    Run resumed = make(7);
    for (auto [to, from] : {std::pair{&resumed.model->g, &split.model->g}, std::pair{&resumed.model->d, &split.model->d}}) {
        to->params.values() = from->params.values();
        to->buffers.values() = from->buffers.values();
    }
    for (auto [to, from] : {std::pair{resumed.opt_g.get(), split.opt_g.get()}, std::pair{resumed.opt_d.get(), split.opt_d.get()}}) {
        to->m.host() = from->m.host(), to->v.host() = from->v.host(), to->t = from->t;
    }
    resumed.step->to_device();
    resumed.step->step(reals[2], zs[2]);
    EXPECT_EQ(resumed.model->g.params.values(), straight.model->g.params.values());
    EXPECT_EQ(resumed.model->d.params.values(), straight.model->d.params.values());
    EXPECT_EQ(resumed.model->d.buffers.values(), straight.model->d.buffers.values());
}
