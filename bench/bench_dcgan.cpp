// The DCGAN's networks at batch 64 (issue 5): G forward + backward, D forward + backward, the pass
// pattern of one training step without loss and Adam (G fwd; D fwd+bwd on real and on fake; D fwd+bwd
// on fake for the G update, dx only; G bwd), and the GEMM floor of that pattern: the same GEMMs at the
// same shapes on their own. Each case checks its output is finite before timing.
//   BENCH_THREADS=1 OMP_NUM_THREADS=1 taskset -c 1 build/bench_dcgan     (GAN_CONV_ENGINE=im2col: no oneDNN)
// Counters: median_ms, cpu_median_ms (thread CPU time: robust on a shared machine), GFLOPs at the median.
#include <cmath>

#include "bench_util.h"
#include "models/dcgan.h"
#include "backend/dnnl_conv.h"

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
struct NetShapes {
    std::vector<ConvShape> g, d;
};
// The MNIST DCGAN (28x28, gray).
NetShapes mnist_shapes() {
    return {{{"G.0 convT", true, 100, 256, 4, 1, 1, 4, 4},
             {"G.3 convT", true, 256, 128, 3, 4, 4, 7, 7},
             {"G.6 convT", true, 128, 64, 4, 7, 7, 14, 14},
             {"G.9 convT", true, 64, 1, 4, 14, 14, 28, 28}},
            {{"D.0 conv", false, 1, 64, 4, 28, 28, 14, 14},
             {"D.2 conv", false, 64, 128, 4, 14, 14, 7, 7},
             {"D.5 conv", false, 128, 256, 4, 7, 7, 3, 3},
             {"D.8 conv", false, 256, 1, 3, 3, 3, 1, 1}}};
}
// PyTorch's examples/dcgan at size x size (64 or 32), nc channels, nz = 100, widths ngf = ndf = w.
NetShapes example_shapes(int size, int nc, int w) {
    NetShapes n;
    const int top = size / 8;
    n.g.push_back({"G convT", true, 100, w * top, 4, 1, 1, 4, 4});
    for (int mult = top, s = 4; mult > 1; mult /= 2, s *= 2) n.g.push_back({"G convT", true, w * mult, w * mult / 2, 4, s, s, 2 * s, 2 * s});
    n.g.push_back({"G convT", true, w, nc, 4, size / 2, size / 2, size, size});
    n.d.push_back({"D conv", false, nc, w, 4, size, size, size / 2, size / 2});
    for (int mult = 1, s = size / 2; mult < top; mult *= 2, s /= 2) n.d.push_back({"D conv", false, w * mult, w * mult * 2, 4, s, s, s / 2, s / 2});
    n.d.push_back({"D conv", false, w * top, 1, 4, 4, 4, 1, 1});
    return n;
}

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

std::vector<GemmShape> g_gemms(const NetShapes& n, int B) {
    std::vector<GemmShape> v;
    for (size_t l = 0; l < n.g.size(); ++l) layer_gemms(v, n.g[l], B, 1, 1, l > 0);
    return v;
}
std::vector<GemmShape> d_gemms(const NetShapes& n, int B) {  // one forward and one backward with dW and dx
    std::vector<GemmShape> v;
    for (const ConvShape& s : n.d) layer_gemms(v, s, B, 1, 1, 1);
    return v;
}
// The step: G fwd+bwd; D: 3 forwards, 2 weight gradients, input gradients in all 3 backward passes
// except at layer 0 of the two D-update passes.
std::vector<GemmShape> step_gemms(const NetShapes& n, int B) {
    std::vector<GemmShape> v = g_gemms(n, B);
    for (size_t l = 0; l < n.d.size(); ++l) layer_gemms(v, n.d[l], B, 3, 2, l > 0 ? 3 : 1);
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
    }, flop_of(g_gemms(mnist_shapes(), kBatch)));
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
    }, flop_of(d_gemms(mnist_shapes(), kBatch)));
}

void BM_DcganStepPasses(benchmark::State& state) {
    Dcgan& d = dcgan();
    d.step();
    if (!finite(d.dfake)) return state.SkipWithError("step gradient is not finite");
    timed_loop(state, [&] { d.step(); }, flop_of(step_gemms(mnist_shapes(), kBatch)));
}

// The networks a benchmark's argument names: 28 the MNIST DCGAN; 32 and 64 PyTorch's example in RGB.
NetShapes shapes_of(int size) { return size == 28 ? mnist_shapes() : example_shapes(size, 3, 64); }
ModelConfig config_of(int size) {
    ModelConfig c = dcgan_config();
    if (size != 28) c.channels = 3, c.rows = c.cols = size;
    return c;
}

// The whole training step as `gan train --arch dcgan` runs it (GanStep: passes, BCE, both Adam updates,
// the real batch gathered and z drawn inside the timed region), the counterpart of torch_step.py's step.
// At 28x28 the batch is gathered from MNIST; at 32 and 64 from a fixed set of random RGB images (the
// decoded cache's bytes: reading them is measured on its own, scripts/bench_data_share.sh).
void BM_DcganTrainStep(benchmark::State& state) {
    const int size = int(state.range(0));
    blas_set_threads(bench_threads());
    if (const char* e = std::getenv("GAN_CONV_ENGINE")) conv_engine_use_onednn(std::string(e) != "im2col");
    auto m = gan_build(config_of(size));
    Rng rng(2);
    gan_init(*m, rng);
    AdamOptions ao;
    ao.lr = 2e-4f, ao.beta1 = 0.5f;
    Adam opt_g(m->g.params, ao), opt_d(m->d.params, ao);
    StepOptions so;
    so.smooth = 0.0f;
    GanStep step(*m, opt_g, opt_d, so);
    const size_t img = size_t(m->config.channels) * size_t(size) * size_t(size);
    const int pool = 8 * kBatch;
    std::vector<uint8_t> bytes(size == 28 ? 0 : pool * img);
    for (uint8_t& b : bytes) b = uint8_t(rng.below(256));
    std::vector<uint32_t> idx(kBatch);
    Tensor real({kBatch, m->config.channels, size, size}), z;
    int next = 0;
    auto one = [&] {
        if (size == 28) {
            gather(real, kBatch, size_t(next));
            next = (next + kBatch) % 59968;
        } else {
            for (int i = 0; i < kBatch; ++i) idx[size_t(i)] = uint32_t((next + i * 7) % pool);
            gather_unit_range(real.data(), bytes.data(), idx.data(), idx.size(), img);
            next = (next + 1) % pool;
        }
        sample_latent(z, kBatch, m->config, rng);
        return step.step(real, z);
    };
    for (int i = 0; i < 3; ++i)
        if (!std::isfinite(one().d_loss)) return state.SkipWithError("non-finite loss");
    timed_loop(state, [&] { benchmark::DoNotOptimize(one()); }, flop_of(step_gemms(shapes_of(size), kBatch)));
}

// OpenBLAS's cblas_sgemm at every im2col GEMM shape of a pass pattern (argument: the image size).
enum class Floor { g, d, step };
template <Floor F>
void BM_GemmFloor(benchmark::State& state) {
    OwnKernels own(false);
    blas_set_threads(bench_threads());
    const NetShapes n = shapes_of(int(state.range(0)));
    const std::vector<GemmShape> shapes =
        F == Floor::g ? g_gemms(n, kBatch) : F == Floor::d ? d_gemms(n, kBatch) : step_gemms(n, kBatch);
    std::vector<GemmBuffers> bufs;
    for (const GemmShape& s : shapes) bufs.emplace_back(s);
    timed_loop(state, [&] {
        for (size_t i = 0; i < shapes.size(); ++i) bufs[i].run(shapes[i]);
    }, flop_of(shapes));
}

}  // namespace

BENCHMARK(BM_DcganG)->Name("dcgan/G_fwd_bwd/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GemmFloor<Floor::g>)->Name("dcgan/G_gemm_floor/B64")->Arg(28)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DcganD)->Name("dcgan/D_fwd_bwd/B64")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_GemmFloor<Floor::d>)->Name("dcgan/D_gemm_floor/B64")->Arg(28)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DcganTrainStep)->Name("dcgan/train_step/B64")->Arg(28)->Unit(benchmark::kMillisecond)->MinTime(6.0);
BENCHMARK(BM_DcganStepPasses)->Name("dcgan/step_passes/B64")->Unit(benchmark::kMillisecond)->MinTime(4.0);
BENCHMARK(BM_GemmFloor<Floor::step>)->Name("dcgan/step_gemm_floor/B64")->Arg(28)->Unit(benchmark::kMillisecond)->MinTime(4.0);
// PyTorch's examples/dcgan in RGB at 64x64 and 32x32 (ngf = ndf = 64, nz = 100).
BENCHMARK(BM_DcganTrainStep)->Name("dcgan64/train_step/B64")->Arg(64)->Unit(benchmark::kMillisecond)->MinTime(20.0);
BENCHMARK(BM_GemmFloor<Floor::step>)->Name("dcgan64/step_gemm_floor/B64")->Arg(64)->Unit(benchmark::kMillisecond)->MinTime(10.0);
BENCHMARK(BM_DcganTrainStep)->Name("dcgan32/train_step/B64")->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(10.0);
BENCHMARK(BM_GemmFloor<Floor::step>)->Name("dcgan32/step_gemm_floor/B64")->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(6.0);
BENCHMARK_MAIN();
