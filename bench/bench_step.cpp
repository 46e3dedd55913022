// One full classic training step (D update + G update) at batch 32, 100 and 512, as the trainer runs
// it: gather a shuffled MNIST batch to [-1, 1], draw z, step. Each case first checks its variant
// against the plain step (same losses to rounding) and skips with an error if not.
//   BENCH_THREADS=1 build/bench_step --benchmark_filter='Step|Floor'
// Counters: median_ms per step (what the side-by-side script compares with PyTorch's per-step median)
// and GFLOP/s at the median. BM_GemmFloor runs only the step's GEMMs, at the same shapes, in order.
#include <cmath>
#include <cstring>
#include <numeric>

#include "bench_util.h"

using namespace gan_bench;

namespace {

// 0: the default (D on stacked real and fake, activations absorbed, tanh_fast); 1: the plain step (D on
// each half, every layer on its own, std::tanh, BLAS threads); 2: the default with std::tanh; 3: the
// default with D on each half; 4: the default with every GEMM in OpenBLAS (our kernels off, kernels/gemm.h).
enum Variant { kDefault = 0, kPlain = 1, kStdTanh = 2, kHalves = 3, kBlasOnly = 4 };

StepOptions options_for(int v) {
    StepOptions o;
    o.stack_real_fake = v != kPlain && v != kHalves;
    return o;
}

// As Trainer (train/policy.h): the step splits over its own threads with the BLAS at 1 thread; the
// plain variant runs on one thread and lets the BLAS thread each GEMM.
RunPolicy policy_for(int v, int threads) {
    RunPolicy p = run_policy(threads, v != kPlain, threads);
    if (v == kPlain) p.blas_threads = p.replicas, p.replicas = 1;  // one step, the BLAS threaded
    p.fast_tanh = v == kDefault || v == kBlasOnly || v == kHalves;
    return p;
}

Classic make_classic(int v, int threads = 1) {
    Classic c(options_for(v), policy_for(v, threads));
    c.model->g.set_fusion(v != kPlain);
    c.model->d.set_fusion(v != kPlain);
    return c;
}

// The trainer's batch source: a shuffled order, uint8 -> [-1, 1] (gather_unit_range), z as the trainer draws it.
struct Batches {
    std::vector<uint32_t> perm;
    Rng data{1, 1}, lat{1, 2};
    Tensor real, z;
    size_t next = 0;
    Batches() {
        const IdxImages& im = mnist_images();
        perm.resize(size_t(im.n));
        std::iota(perm.begin(), perm.end(), 0u);
        for (uint32_t i = uint32_t(im.n) - 1; i > 0; --i) std::swap(perm[i], perm[data.below(i + 1)]);
    }
    void load(int B, const ModelConfig& c) {
        const IdxImages& im = mnist_images();
        const size_t img = size_t(im.rows) * im.cols;
        if (next + size_t(B) > perm.size()) next = 0;
        real.resize({B, 1, im.rows, im.cols});
        gather_unit_range(real.data(), im.pixels.data(), perm.data() + next, size_t(B), img);
        next += size_t(B);
        sample_latent(z, B, c, lat);
    }
};

// Three steps of this variant and of the plain step from the same weights and batches.
std::string validate(int B, int variant, int threads) {
    Classic a = make_classic(variant, threads), ref = make_classic(kPlain, threads);
    Batches ba, br;
    for (int s = 0; s < 3; ++s) {
        ba.load(B, a.model->config);
        br.load(B, ref.model->config);
        StepStats x = a.step->step(ba.real, ba.z), y = ref.step->step(br.real, br.z);
        if (!std::isfinite(x.d_loss) || !std::isfinite(x.g_loss)) return "non-finite loss";
        if (std::fabs(x.d_loss - y.d_loss) > 1e-4 || std::fabs(x.g_loss - y.g_loss) > 1e-4)
            return str("losses differ from the plain step: ", x.d_loss, " vs ", y.d_loss, ", ", x.g_loss,
                       " vs ", y.g_loss);
    }
    return "";
}

void BM_Step(benchmark::State& state) {
    const int B = int(state.range(0)), variant = int(state.range(1)), threads = bench_threads();
    OwnKernels own(variant != kBlasOnly);
    if (std::string err = validate(B, variant, threads); !err.empty()) {
        state.SkipWithError(err.c_str());
        return;
    }
    Classic c = make_classic(variant, threads);
    Batches batches;
    for (int i = 0; i < 20; ++i) {  // warm-up: workspaces, caches, BLAS buffers
        batches.load(B, c.model->config);
        c.step->step(batches.real, batches.z);
    }
    timed_loop(
        state,
        [&] {
            batches.load(B, c.model->config);
            benchmark::DoNotOptimize(c.step->step(batches.real, batches.z));
        },
        step_flop(B));
    state.counters["img_per_s"] = B / (state.counters["median_ms"] * 1e-3);
    state.counters["threads"] = threads;
}

void BM_GemmFloor(benchmark::State& state) {
    const int B = int(state.range(0));
    const bool stacked_shapes = state.range(1) != 0;
    // split 0: OpenBLAS's own threads; split 1: each GEMM split over a pool of 1-thread BLAS calls,
    // as the step runs them (the same at 1 thread).
    const bool split = state.range(2) != 0;
    const int threads = bench_threads();
    OwnKernels own(false);  // the floor is OpenBLAS's cblas_sgemm at every shape
    std::unique_ptr<ThreadPool> pool;
    if (split && threads > 1) pool = std::make_unique<ThreadPool>(threads);
    blas_set_threads(pool ? 1 : threads);
    std::vector<GemmShape> shapes = stacked_shapes ? stacked_step_gemms(B) : reference_step_gemms(B);
    std::vector<GemmBuffers> bufs;
    for (const GemmShape& s : shapes) bufs.emplace_back(s);
    for (size_t i = 0; i < shapes.size(); ++i) {  // check each shape against the oracle first
        const GemmShape& s = shapes[i];
        gan::AlignedVec<float> want = bufs[i].c;
        bufs[i].run(s);
        gemm_naive(s.ta, s.tb, s.M, s.N, s.K, 1.0f, bufs[i].a.data(), s.ta ? s.M : s.K, bufs[i].b.data(),
                   s.tb ? s.K : s.N, float(s.beta), want.data(), s.N);
        for (size_t k = 0; k < want.size(); ++k)
            if (std::fabs(want[k] - bufs[i].c[k]) > 1e-3f * (1.0f + std::fabs(want[k]))) {
                state.SkipWithError(str("gemm ", s.what, " disagrees with gemm_naive").c_str());
                return;
            }
        std::fill(bufs[i].c.begin(), bufs[i].c.end(), 0.0f);
    }
    double flop = 0;
    for (const GemmShape& s : shapes) flop += gemm_flop(s);
    timed_loop(
        state,
        [&] {
            // Only the GEMMs are timed: C of the beta = 1 shapes just grows by one product a call
            // (a few hundred calls stay far from overflow, and magnitudes do not change the speed).
            for (size_t i = 0; i < shapes.size(); ++i) bufs[i].run(shapes[i], pool.get());
        },
        flop);
    state.counters["threads"] = threads;
}

}  // namespace

BENCHMARK(BM_Step)
    ->ArgNames({"B", "variant"})
    ->ArgsProduct({{32, 100, 512}, {kDefault, kPlain, kStdTanh, kHalves, kBlasOnly}})
    ->Iterations(300)  // as the reference bench: 300 timed steps after a warm-up
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_GemmFloor)
    ->ArgNames({"B", "stacked_shapes", "split"})
    ->ArgsProduct({{32, 100, 512}, {0, 1}, {0, 1}})
    ->Iterations(300)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
