// Kernels and layers at the classic model's shapes: every GEMM of the step (GFLOP/s, and the floor:
// the sum of their medians), Linear forward/backward, the activations (std::tanh against tanh_fast),
// Adam over the whole G+D arena (naive loop against the AVX2 kernel), the uint8 -> [-1, 1] batch
// gather, and sampling (gan_generate, images/s). Each case checks its result before timing.
//   build/bench_kernels --benchmark_counters_tabular=true
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "bench_util.h"
#include "core/cpu.h"
#include "kernels/activations.h"
#include "kernels/adam.h"
#include "kernels/fused.h"
#include "kernels/gemm_bf16.h"
#include "nn/linear.h"

using namespace gan_bench;

namespace {

void BM_Gemm(benchmark::State& state) {
    const int B = int(state.range(0)), idx = int(state.range(1));
    OwnKernels own(state.range(2) != 0);  // 0: OpenBLAS; 1: gemm() as the step runs it
    blas_set_threads(bench_threads());
    const auto shapes = reference_step_gemms(B);
    if (idx >= int(shapes.size())) {
        state.SkipWithError("no such shape");
        return;
    }
    const GemmShape s = shapes[size_t(idx)];
    GemmBuffers buf(s);
    gan::AlignedVec<float> want = buf.c;
    buf.run(s);
    gemm_naive(s.ta, s.tb, s.M, s.N, s.K, 1.0f, buf.a.data(), s.ta ? s.M : s.K, buf.b.data(), s.tb ? s.K : s.N,
               float(s.beta), want.data(), s.N);
    for (size_t k = 0; k < want.size(); ++k)
        if (std::fabs(want[k] - buf.c[k]) > 1e-3f * (1 + std::fabs(want[k]))) {
            state.SkipWithError("gemm disagrees with gemm_naive");
            return;
        }
    state.SetLabel(str(s.what, " ", s.ta ? "T" : "N", s.tb ? "T" : "N", " M=", s.M, " N=", s.N, " K=", s.K,
                       gemm_exact_is_bitwise() && !(s.ta && s.tb) ? " (ours)" : ""));
    timed_loop(state, [&] { buf.run(s); }, gemm_flop(s));
}

#if defined(__x86_64__)
// The FMA peak of one core: 12 independent chains of vector FMAs in registers (more than the FMA latency
// times the number of FMA units), no memory traffic. What a GEMM kernel could reach at best.
template <int LANES>
__attribute__((noinline)) float fma_chains(long iters);

template <>
__attribute__((noinline, target("avx2,fma"))) float fma_chains<8>(long iters) {
    __m256 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(float(i));
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
    for (long n = 0; n < iters; ++n)
        for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    __m256 s = acc[0];
    for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
    return _mm256_cvtss_f32(s);
}

template <>
__attribute__((noinline, target("avx512f"))) float fma_chains<16>(long iters) {
    __m512 acc[12];
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(float(i));
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
    for (long n = 0; n < iters; ++n)
        for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    return _mm512_reduce_add_ps(acc[0]) + _mm512_reduce_add_ps(acc[11]);
}

template <int LANES>
void BM_FmaPeak(benchmark::State& state) {
    if (gan::cpu_level() < (LANES == 16 ? gan::CpuLevel::avx512 : gan::CpuLevel::avx2)) {
        state.SkipWithError("this CPU lacks the instructions");
        return;
    }
    const long iters = 1 << 20;
    float sink = 0;
    timed_loop(state, [&] { sink += fma_chains<LANES>(iters); }, 2.0 * LANES * 12 * double(iters));
    benchmark::DoNotOptimize(sink);
}
#endif

// The floor: each GEMM of the step timed alone, medians summed.
void BM_GemmFloorSum(benchmark::State& state) {
    const int B = int(state.range(0));
    OwnKernels own(false);  // OpenBLAS's cblas_sgemm at every shape
    blas_set_threads(bench_threads());
    const auto shapes = reference_step_gemms(B);
    std::vector<GemmBuffers> bufs;
    for (const auto& s : shapes) bufs.emplace_back(s);
    double floor_ms = 0, flop = 0;
    for (auto _ : state) {
        floor_ms = 0;
        for (size_t i = 0; i < shapes.size(); ++i) {
            std::vector<double> t;
            for (int r = 0; r < 21; ++r) {
                const double c0 = thread_cpu_ms();
                bufs[i].run(shapes[i]);
                t.push_back(thread_cpu_ms() - c0);
            }
            std::sort(t.begin(), t.end());
            floor_ms += t[t.size() / 2];
        }
    }
    for (const auto& s : shapes) flop += gemm_flop(s);
    state.counters["floor_ms"] = floor_ms;
    state.counters["GFLOPs"] = flop / (floor_ms * 1e6);
}

void BM_LinearForward(benchmark::State& state) {
    const int N = int(state.range(0)), IN = int(state.range(1)), OUT = int(state.range(2));
    Rng rng(1);
    Arena a;
    Linear l(a, "l", {IN, OUT});
    for (float& v : a.values()) v = rng.uniform(-0.1f, 0.1f);
    Tensor x({N, IN, 1, 1}), y;
    for (size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    l.forward(x, y);
    double acc = a.value(l.bias_offset())[0];
    for (int k = 0; k < IN; ++k) acc += double(x[size_t(k)]) * a.value(l.weight_offset())[k];
    if (std::fabs(acc - y[0]) > 1e-3) state.SkipWithError("linear forward wrong");
    timed_loop(state, [&] { l.forward(x, y); }, 2.0 * N * IN * OUT);
}

void BM_LinearBackward(benchmark::State& state) {
    const int N = int(state.range(0)), IN = int(state.range(1)), OUT = int(state.range(2));
    Rng rng(1);
    Arena a;
    Linear l(a, "l", {IN, OUT});
    for (float& v : a.values()) v = rng.uniform(-0.1f, 0.1f);
    Tensor x({N, IN, 1, 1}), y, dx, dy({N, OUT, 1, 1});
    for (size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(-1, 1);
    for (size_t i = 0; i < dy.size(); ++i) dy[i] = rng.uniform(-1, 1);
    l.forward(x, y);
    timed_loop(
        state,
        [&] {
            a.zero_grad();
            l.backward(dy, &dx);
        },
        2.0 * 2 * N * IN * OUT);
}

void BM_Tanh(benchmark::State& state) {
    const bool fast = state.range(0) != 0;
    const size_t n = 100 * 784;
    Rng rng(2);
    std::vector<float> x(n), y(n), ref(n);
    for (float& v : x) v = rng.uniform(-4, 4);
    tanh_forward(ref.data(), x.data(), n);
    tanh_fast(y.data(), x.data(), n);
    for (size_t i = 0; i < n; ++i)
        if (std::fabs(y[i] - ref[i]) > 3e-7f) state.SkipWithError("tanh_fast off");
    state.SetLabel(fast ? "tanh_fast (100x784)" : "std::tanh (100x784)");
    timed_loop(state, [&] { fast ? tanh_fast(y.data(), x.data(), n) : tanh_forward(y.data(), x.data(), n); });
    state.counters["ns_per_elem"] = state.counters["median_ms"] * 1e6 / double(n);
}

void BM_BiasLeakyRelu(benchmark::State& state) {
    const int N = 200, OUT = 128;
    Rng rng(3);
    std::vector<float> y(size_t(N) * OUT), b(OUT);
    for (float& v : y) v = rng.uniform(-1, 1);
    for (float& v : b) v = rng.uniform(-1, 1);
    timed_loop(state, [&] { bias_leaky_relu_forward(y.data(), b.data(), N, OUT, 0.01f); });
}

void BM_Adam(benchmark::State& state) {
    const bool fast = state.range(0) != 0;
    auto model = gan_build(ModelConfig{});
    const size_t n = model->g.params.size() + model->d.params.size();  // both optimisers' work
    Rng rng(4);
    std::vector<float> p(n), g(n), m(n, 0), v(n, 0);
    for (size_t i = 0; i < n; ++i) p[i] = rng.uniform(-1, 1), g[i] = rng.uniform(-1, 1);
    std::vector<float> p2 = p, m2 = m, v2 = v;
    AdamOptions o;
    adam_update(p.data(), g.data(), m.data(), v.data(), n, adam_scalars(1, o));
    adam_update_naive(p2.data(), g.data(), m2.data(), v2.data(), n, adam_scalars(1, o));
    if (std::memcmp(p.data(), p2.data(), n * sizeof(float)) != 0) state.SkipWithError("adam kernels differ");
    int64_t t = 1;
    state.SetLabel(str(fast ? "avx2" : "naive", " n=", n));
    timed_loop(state, [&] {
        ++t;
        fast ? adam_update(p.data(), g.data(), m.data(), v.data(), n, adam_scalars(t, o))
             : adam_update_naive(p.data(), g.data(), m.data(), v.data(), n, adam_scalars(t, o));
    });
}

void BM_GatherBatch(benchmark::State& state) {
    const int B = int(state.range(0));
    const IdxImages& im = mnist_images();
    std::vector<uint32_t> idx(static_cast<size_t>(B));
    Rng rng(5);
    for (auto& i : idx) i = rng.below(uint32_t(im.n));
    std::vector<float> out(size_t(B) * 784);
    timed_loop(state, [&] { gather_unit_range(out.data(), im.pixels.data(), idx.data(), size_t(B), 784); });
    if (out[0] < -1 || out[0] > 1) state.SkipWithError("gather out of range");
}

void BM_Generate(benchmark::State& state) {
    const int n = int(state.range(0));
    const SamplePrecision precision = state.range(1) ? SamplePrecision::bf16 : SamplePrecision::f32;
    if (precision == SamplePrecision::bf16 && !bf16_supported()) {
        state.SkipWithError("this CPU lacks AVX512_BF16");
        return;
    }
    blas_set_threads(bench_threads());
    auto model = gan_build(ModelConfig{});
    Rng init(0, 0);
    gan_init(*model, init);
    std::vector<uint8_t> px;
    Rng rng(1, 7);
    gan_generate(*model, 64, rng, px, nullptr, true, precision);  // check against the layer-by-layer forward
    Rng rng2(1, 7);
    Tensor z;
    sample_latent(z, 64, model->config, rng2);
    const Tensor& y = model->g.forward(z);
    std::vector<uint8_t> want(y.size());
    to_pixels(want.data(), y.data(), y.size());
    for (size_t i = 0; i < want.size(); ++i)
        if (std::abs(int(want[i]) - int(px[i])) > (precision == SamplePrecision::bf16 ? 3 : 1)) {
            state.SkipWithError("gan_generate differs from G's forward");
            return;
        }
    timed_loop(state, [&] { gan_generate(*model, n, rng, px, nullptr, true, precision); },
               2.0 * n * (100 * 128 + 128 * 784));
    state.counters["img_per_s"] = n / (state.counters["median_ms"] * 1e-3);
    state.counters["cpu_img_per_s"] = n / (state.counters["cpu_median_ms"] * 1e-3);
}

}  // namespace

BENCHMARK(BM_Gemm)
    ->ArgNames({"B", "shape", "own"})
    ->ArgsProduct({{100, 512}, benchmark::CreateDenseRange(0, 18, 1), {0, 1}})
    ->MinTime(0.2);
#if defined(__x86_64__)
BENCHMARK(BM_FmaPeak<8>)->Name("BM_FmaPeak/avx2");
BENCHMARK(BM_FmaPeak<16>)->Name("BM_FmaPeak/avx512");
#endif
BENCHMARK(BM_GemmFloorSum)->ArgName("B")->Arg(32)->Arg(100)->Arg(512)->Iterations(5);
BENCHMARK(BM_LinearForward)->Args({100, 784, 128})->Args({200, 784, 128})->Args({100, 128, 784})->Args({100, 100, 128});
BENCHMARK(BM_LinearBackward)->Args({100, 784, 128})->Args({100, 128, 784});
BENCHMARK(BM_Tanh)->ArgName("fast")->Arg(0)->Arg(1);
BENCHMARK(BM_BiasLeakyRelu);
BENCHMARK(BM_Adam)->ArgName("avx2")->Arg(0)->Arg(1);
BENCHMARK(BM_GatherBatch)->ArgName("B")->Arg(100)->Arg(512);
BENCHMARK(BM_Generate)->ArgNames({"n", "bf16"})->Args({100000, 0})->Args({100000, 1})->MinTime(1.0);

BENCHMARK_MAIN();
