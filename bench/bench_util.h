// Shared by the benchmarks: the classic model set up as the trainer sets it up, MNIST batches
// (or a synthetic stand-in when the data is absent), per-iteration timing with medians, and the
// GEMM shapes of one training step (the floor: those GEMMs each timed alone, medians summed).
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/aligned.h"
#include "core/check.h"
#include "core/rng.h"
#include "io/idx.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "models/gan_model.h"
#include "optim/adam.h"
#include "train/gan_step.h"

namespace gan_bench {

using namespace gan;

// FLOP of one classic step at batch B: 2·M·N·K summed over the step's GEMMs (figures in BENCHMARKS.md).
inline double step_flop(int B, int Z = 100, int H = 128, int IMG = 784) {
    const double b = B;
    return 2 * b * (Z * H + H * IMG)                    // G forward
           + 2 * 2 * b * (IMG * H + H)                   // D forward, real and fake
           + 2 * 2 * b * (H * IMG + H + H)               // D backward: dW1, dW2, dh (both halves)
           + 2 * b * (IMG * H + H) + 2 * b * H           // G update: D forward, dh
           + 2 * b * H * IMG                             // dfake
           + 2 * b * IMG * H * 2 + 2 * b * H * Z;        // G backward: dW2, dh, dW1
}

// MNIST training images as uint8 (MNIST_DIR or data/mnist); synthetic digits-like bytes if absent.
inline const IdxImages& mnist_images() {
    static IdxImages im = [] {
        const char* env = std::getenv("MNIST_DIR");
        std::string dir = env ? env : "data/mnist";
        try {
            return idx_read_images(dir + "/train-images-idx3-ubyte");
        } catch (...) {
            IdxImages s;
            s.n = 6000, s.rows = 28, s.cols = 28;
            s.pixels.resize(size_t(s.n) * 784);
            Rng r(3);
            for (auto& p : s.pixels) p = r.uniform() < 0.8f ? 0 : uint8_t(r.below(256));
            return s;
        }
    }();
    return im;
}

// real (B, 784) in [-1, 1] from images [first, first + B) of the set (wrapping), as the trainer does.
inline void gather(Tensor& real, int B, size_t first) {
    const IdxImages& im = mnist_images();
    const size_t img = size_t(im.rows) * im.cols;
    real.resize({B, 1, im.rows, im.cols});
    std::vector<uint32_t> idx(static_cast<size_t>(B));
    for (int b = 0; b < B; ++b) idx[size_t(b)] = uint32_t((first + size_t(b)) % size_t(im.n));
    gather_unit_range(real.data(), im.pixels.data(), idx.data(), idx.size(), img);
}

struct Classic {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
    explicit Classic(StepOptions so, RunPolicy policy = {}, uint64_t seed = 0) {
        model = gan_build(ModelConfig{});
        Rng init(seed, 0);
        gan_init(*model, init);
        AdamOptions ao;
        ao.lr = 0.001f;  // as the reference bench
        opt_g = std::make_unique<Adam>(model->g.params, ao);
        opt_d = std::make_unique<Adam>(model->d.params, ao);
        step = std::make_unique<GanStep>(*model, *opt_g, *opt_d, so, policy);
    }
};

// CPU time of the calling thread: on a loaded machine it excludes the time other processes held
// the core (BLAS helper threads are not counted, so it is meaningful at 1 thread only).
inline double thread_cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Times each iteration of body() and reports median, p10 and p90 in ms as counters (the reference
// script reports per-step medians, so these are what the side-by-side script compares).
template <typename F>
void timed_loop(benchmark::State& state, F&& body, double flop = 0) {
    using clock = std::chrono::steady_clock;
    std::vector<double> ms, cpu;
    ms.reserve(1 << 16), cpu.reserve(1 << 16);
    for (auto _ : state) {
        const double c0 = thread_cpu_ms();
        auto t0 = clock::now();
        body();
        ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
        cpu.push_back(thread_cpu_ms() - c0);
    }
    std::sort(cpu.begin(), cpu.end());
    state.counters["cpu_median_ms"] = cpu[cpu.size() / 2];
    std::sort(ms.begin(), ms.end());
    auto q = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * double(ms.size())))]; };
    const double med = ms.size() % 2 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    state.counters["median_ms"] = med;
    state.counters["p10_ms"] = q(0.1);
    state.counters["p90_ms"] = q(0.9);
    state.counters["min_ms"] = ms.front();
    if (flop > 0) state.counters["GFLOPs"] = flop / (med * 1e6);
}

struct GemmShape {
    const char* what;
    bool ta, tb;
    int M, N, K;
    double beta;
};

// The GEMMs of the reference (layer-by-layer) step at batch B, in execution order. Their summed
// times are the floor: the time of the step's GEMMs alone, which no implementation of the step beats. (With D's real and fake
// halves stacked, the default, the step runs the same FLOP in fewer GEMMs: see stacked_step_gemms.)
inline std::vector<GemmShape> reference_step_gemms(int B, int Z = 100, int H = 128, int IMG = 784) {
    std::vector<GemmShape> v;
    v.push_back({"G.0 fwd", false, true, B, H, Z, 0});
    v.push_back({"G.2 fwd", false, true, B, IMG, H, 0});
    for (int half = 0; half < 2; ++half) {
        v.push_back({"D.0 fwd", false, true, B, H, IMG, 0});
        v.push_back({"D.2 fwd", false, true, B, 1, H, 0});
        v.push_back({"D.2 dW", true, false, 1, H, B, 1});
        v.push_back({"D.2 dx", false, false, B, H, 1, 0});
        v.push_back({"D.0 dW", true, false, H, IMG, B, 1});
    }
    v.push_back({"D.0 fwd (G upd)", false, true, B, H, IMG, 0});
    v.push_back({"D.2 fwd (G upd)", false, true, B, 1, H, 0});
    v.push_back({"D.2 dx (G upd)", false, false, B, H, 1, 0});
    v.push_back({"D.0 dx (G upd)", false, false, B, IMG, H, 0});
    v.push_back({"G.2 dW", true, false, IMG, H, B, 1});
    v.push_back({"G.2 dx", false, false, B, H, IMG, 0});
    v.push_back({"G.0 dW", true, false, H, Z, B, 1});
    return v;
}

inline std::vector<GemmShape> stacked_step_gemms(int B, int Z = 100, int H = 128, int IMG = 784) {
    return {{"G.0 fwd", false, true, B, H, Z, 0},
            {"G.2 fwd", false, true, B, IMG, H, 0},
            {"D.0 fwd [real;fake]", false, true, 2 * B, H, IMG, 0},
            {"D.2 fwd [real;fake]", false, true, 2 * B, 1, H, 0},
            {"D.2 dW [real;fake]", true, false, 1, H, 2 * B, 1},
            {"D.2 dx [real;fake]", false, false, 2 * B, H, 1, 0},
            {"D.0 dW [real;fake]", true, false, H, IMG, 2 * B, 1},
            {"D.0 fwd (G upd)", false, true, B, H, IMG, 0},
            {"D.2 fwd (G upd)", false, true, B, 1, H, 0},
            {"D.2 dx (G upd)", false, false, B, H, 1, 0},
            {"D.0 dx (G upd)", false, false, B, IMG, H, 0},
            {"G.2 dW", true, false, IMG, H, B, 1},
            {"G.2 dx", false, false, B, H, IMG, 0},
            {"G.0 dW", true, false, H, Z, B, 1}};
}

// Buffers for one GEMM shape, filled with values in [-1, 1].
struct GemmBuffers {
    gan::AlignedVec<float> a, b, c;  // 64-byte aligned, as the step's buffers
    explicit GemmBuffers(const GemmShape& s) {
        Rng r(11);
        a.resize(size_t(s.M) * s.K), b.resize(size_t(s.K) * s.N), c.resize(size_t(s.M) * s.N);
        for (auto& x : a) x = r.uniform(-1, 1);
        for (auto& x : b) x = r.uniform(-1, 1);
    }
    void run(const GemmShape& s, ThreadPool* pool = nullptr) {
        gemm_split(pool, s.ta, s.tb, s.M, s.N, s.K, 1.0f, a.data(), s.ta ? s.M : s.K, b.data(),
                   s.tb ? s.K : s.N, float(s.beta), c.data(), s.N);
    }
};

inline double gemm_flop(const GemmShape& s) { return 2.0 * s.M * s.N * s.K; }

// Our GEMM kernels (kernels/gemm.h) on or off for one benchmark case; the floors switch them off, so a
// floor is OpenBLAS's cblas_sgemm at every shape.
struct OwnKernels {
    bool was;
    explicit OwnKernels(bool on) : was(gan::gemm_use_own_kernels(on)) {}
    ~OwnKernels() { gan::gemm_use_own_kernels(was); }
};

// BLAS threads for a benchmark: BENCH_THREADS if set, else 1.
inline int bench_threads() {
    const char* t = std::getenv("BENCH_THREADS");
    return t ? std::atoi(t) : 1;
}

}  // namespace gan_bench
