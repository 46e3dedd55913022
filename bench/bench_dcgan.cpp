// The DCGAN's networks at batch 64 (issue 5): G forward + backward, D forward + backward, the pass
// pattern of one training step without loss and Adam (G fwd; D fwd+bwd on real and on fake; D fwd+bwd
// on fake for the G update, dx only; G bwd), and the GEMM floor of that pattern: the same GEMMs at the
// same shapes on their own. Each case checks its output is finite before timing.
//   BENCH_THREADS=1 OMP_NUM_THREADS=1 taskset -c 1 build/bench_dcgan     (GAN_CONV_ENGINE=im2col: no oneDNN)
// Counters: median_ms, cpu_median_ms (thread CPU time: robust on a shared machine), GFLOPs at the median.
#include <cmath>

#include "bench_util.h"
#include "models/dcgan.h"
#include "nn/dnnl_conv.h"

using namespace gan_bench;

namespace {

constexpr int kBatch = 64;

struct Dcgan {
    std::unique_ptr<GanModel> m;
    Tensor z, real, dlogit, dfake;
    Dcgan() {
        blas_set_threads(bench_threads());
        // GAN_CONV_ENGINE=im2col: every convolution through im2col + GEMM (default: oneDNN where it pays).
        if (const char* e = std::getenv("GAN_CONV_ENGINE")) conv_engine_use_onednn(std::string(e) != "im2col");
        m = gan_build(dcgan_config());
        Rng rng(1);
        gan_init(*m, rng);
        sample_latent(z, kBatch, m->config, rng);
        gather(real, kBatch, 0);
        dlogit.resize({kBatch, 1, 1, 1});
        for (size_t i = 0; i < dlogit.size(); ++i) dlogit[i] = rng.uniform(-1, 1) / kBatch;
    }
    // One step's passes in the order of ref_dcgan.py's GAN.step (freeze_d: no D weight grads in the G update).
    void step() {
        const Tensor& fake = m->g.forward(z);
        m->d.set_param_grads(true);
        m->d.forward(real);
        m->d.backward(dlogit, nullptr);
        m->d.forward(fake);
        m->d.backward(dlogit, nullptr);
        m->d.set_param_grads(false);
        m->d.forward(fake);
        m->d.backward(dlogit, &dfake);
        m->g.backward(dfake, nullptr);
    }
};

Dcgan& dcgan() {
    static Dcgan d;
    return d;
}

bool finite(const Tensor& t) {
    for (size_t i = 0; i < t.size(); ++i)
        if (!std::isfinite(t[i])) return false;
    return true;
}

// GEMMs of one layer pass, as ConvTranspose2d / Conv2d issue them with the whole batch in one chunk.
struct ConvShape {
    const char* name;
    bool transposed;
    int in, out, k, ih, iw, oh, ow;  // input and output image sizes
};
const ConvShape kG[] = {{"G.0 convT", true, 100, 256, 4, 1, 1, 4, 4},
                        {"G.3 convT", true, 256, 128, 3, 4, 4, 7, 7},
                        {"G.6 convT", true, 128, 64, 4, 7, 7, 14, 14},
                        {"G.9 convT", true, 64, 1, 4, 14, 14, 28, 28}};
const ConvShape kD[] = {{"D.0 conv", false, 1, 64, 4, 28, 28, 14, 14},
                        {"D.2 conv", false, 64, 128, 4, 14, 14, 7, 7},
                        {"D.5 conv", false, 128, 256, 4, 7, 7, 3, 3},
                        {"D.8 conv", false, 256, 1, 3, 3, 3, 1, 1}};

// forward, weight gradient, input gradient of one layer at batch B.
void layer_gemms(std::vector<GemmShape>& v, const ConvShape& s, int B, int fwd, int dw, int dx) {
    if (s.transposed) {  // col (OUT·k², B·P) = Wᵀ X; dW (IN, OUT·k²) += X dcolᵀ; dX (IN, B·P) = W dcol
        const int K = s.out * s.k * s.k, P = B * s.ih * s.iw;
        for (int i = 0; i < fwd; ++i) v.push_back({s.name, true, false, K, P, s.in, 0});
        for (int i = 0; i < dw; ++i) v.push_back({s.name, false, true, s.in, K, P, 1});
        for (int i = 0; i < dx; ++i) v.push_back({s.name, false, false, s.in, P, K, 0});
    } else {  // y (OUT, B·P) = W col; dW (OUT, K) += dy colᵀ; dcol (K, B·P) = Wᵀ dy
        const int K = s.in * s.k * s.k, P = B * s.oh * s.ow;
        for (int i = 0; i < fwd; ++i) v.push_back({s.name, false, false, s.out, P, K, 0});
        for (int i = 0; i < dw; ++i) v.push_back({s.name, false, true, s.out, K, P, 1});
        for (int i = 0; i < dx; ++i) v.push_back({s.name, true, false, K, P, s.out, 0});
    }
}

std::vector<GemmShape> g_gemms(int B) {
    std::vector<GemmShape> v;
    for (int l = 0; l < 4; ++l) layer_gemms(v, kG[l], B, 1, 1, l > 0);
    return v;
}
std::vector<GemmShape> d_gemms(int B) {  // one forward and one backward with dW and dx
    std::vector<GemmShape> v;
    for (int l = 0; l < 4; ++l) layer_gemms(v, kD[l], B, 1, 1, 1);
    return v;
}
// The step: G fwd+bwd; D: 3 forwards, 2 weight gradients, input gradients in all 3 backward passes
// except at layer 0 of the two D-update passes.
std::vector<GemmShape> step_gemms(int B) {
    std::vector<GemmShape> v = g_gemms(B);
    for (int l = 0; l < 4; ++l) layer_gemms(v, kD[l], B, 3, 2, l > 0 ? 3 : 1);
    return v;
}

double flop_of(const std::vector<GemmShape>& v) {
    double f = 0;
    for (const GemmShape& s : v) f += gemm_flop(s);
    return f;
}

void BM_DcganG(benchmark::State& state) {
    Dcgan& d = dcgan();
    d.m->g.forward(d.z);
    Tensor dy(d.m->g.output().shape);
    for (size_t i = 0; i < dy.size(); ++i) dy[i] = 1e-3f * float(int(i % 7) - 3);
    if (!finite(d.m->g.output())) return state.SkipWithError("G output is not finite");
    timed_loop(state, [&] {
        d.m->g.forward(d.z);
        d.m->g.backward(dy, nullptr);
    }, flop_of(g_gemms(kBatch)));
}

void BM_DcganD(benchmark::State& state) {
    Dcgan& d = dcgan();
    d.m->d.set_param_grads(true);
    Tensor dx;
    d.m->d.forward(d.real);
    d.m->d.backward(d.dlogit, &dx);
    if (!finite(d.m->d.output()) || !finite(dx)) return state.SkipWithError("D output is not finite");
    timed_loop(state, [&] {
        d.m->d.forward(d.real);
        d.m->d.backward(d.dlogit, &dx);
    }, flop_of(d_gemms(kBatch)));
}

void BM_DcganStepPasses(benchmark::State& state) {
    Dcgan& d = dcgan();
    d.step();
    if (!finite(d.dfake)) return state.SkipWithError("step gradient is not finite");
    timed_loop(state, [&] { d.step(); }, flop_of(step_gemms(kBatch)));
}

// The whole training step as `gan train --arch dcgan` runs it (GanStep: passes, BCE, both Adam updates,
// real images gathered from MNIST and z drawn inside the timed region), the counterpart of
// ref_dcgan.py's `bench` step.
void BM_DcganTrainStep(benchmark::State& state) {
    blas_set_threads(bench_threads());
    if (const char* e = std::getenv("GAN_CONV_ENGINE")) conv_engine_use_onednn(std::string(e) != "im2col");
    auto m = gan_build(dcgan_config());
    Rng rng(2);
    gan_init(*m, rng);
    AdamOptions ao;
    ao.lr = 2e-4f, ao.beta1 = 0.5f;
    Adam opt_g(m->g.params, ao), opt_d(m->d.params, ao);
    StepOptions so;
    so.smooth = 0.0f;
    GanStep step(*m, opt_g, opt_d, so);
    Tensor real, z;
    int next = 0;
    auto one = [&] {
        gather(real, kBatch, next);
        next = (next + kBatch) % 59968;
        sample_latent(z, kBatch, m->config, rng);
        return step.step(real, z);
    };
    for (int i = 0; i < 3; ++i)
        if (!std::isfinite(one().d_loss)) return state.SkipWithError("non-finite loss");
    timed_loop(state, [&] { benchmark::DoNotOptimize(one()); }, flop_of(step_gemms(kBatch)));
}

template <std::vector<GemmShape> (*Shapes)(int)>
void BM_GemmFloor(benchmark::State& state) {
    OwnKernels own(false);  // the floor is OpenBLAS's cblas_sgemm at every shape
    blas_set_threads(bench_threads());
    std::vector<GemmShape> shapes = Shapes(kBatch);
    std::vector<GemmBuffers> bufs;
    for (const GemmShape& s : shapes) bufs.emplace_back(s);
    timed_loop(state, [&] {
        for (size_t i = 0; i < shapes.size(); ++i) bufs[i].run(shapes[i]);
    }, flop_of(shapes));
}
std::vector<GemmShape> g_floor(int B) { return g_gemms(B); }
std::vector<GemmShape> d_floor(int B) { return d_gemms(B); }

}  // namespace

BENCHMARK(BM_DcganG)->Name("dcgan/G_fwd_bwd/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GemmFloor<g_floor>)->Name("dcgan/G_gemm_floor/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DcganD)->Name("dcgan/D_fwd_bwd/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GemmFloor<d_floor>)->Name("dcgan/D_gemm_floor/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DcganTrainStep)->Name("dcgan/train_step/B64")->Unit(benchmark::kMillisecond)->MinTime(6.0);
BENCHMARK(BM_DcganStepPasses)->Name("dcgan/step_passes/B64")->Unit(benchmark::kMillisecond)->MinTime(4.0);
BENCHMARK(BM_GemmFloor<step_gemms>)->Name("dcgan/step_gemm_floor/B64")->Unit(benchmark::kMillisecond)->MinTime(4.0);
BENCHMARK_MAIN();
