// The choice of convolution engine: each convolution of the MNIST DCGAN and of PyTorch's examples/dcgan
// at 64x64 (RGB), at batch 64, forward +
// backward (dx and dW, the work one training pass does), through our layers (im2col/col2im + OpenBLAS
// GEMM) and through Debian's oneDNN 2.6 (direct convolution / deconvolution primitives), 1 thread.
// oneDNN is timed twice: with plain NCHW / OIHW tensors (what it would get inside our NCHW layers) and
// with the layouts it picks itself (tag::any: blocked nChw16c etc., the best case, reorders not counted).
// Built only when libdnnl-dev is installed (CMake looks for it); run with OMP_NUM_THREADS=1:
//   OMP_NUM_THREADS=1 BENCH_THREADS=1 taskset -c 0 build/bench_onednn
#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>

#include "../bench_util.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "backend/dnnl_conv.h"

using namespace gan_bench;
using dnnl::memory;

namespace {

constexpr int kBatch = 64;

struct ConvCase {
    const char* name;
    bool transposed;
    int in, out, k, s, p, ih, oh;
};
// D: Conv(1→64) 28→14, Conv(64→128) 14→7, Conv(128→256) 7→3, Conv(256→1, k3) 3→1.
// G: ConvT(100→256, k4) 1→4, ConvT(256→128, k3 s2 p1) 4→7, ConvT(128→64) 7→14, ConvT(64→1) 14→28.
const ConvCase kCases[] = {
    {"D1", false, 1, 64, 4, 2, 1, 28, 14},     {"D2", false, 64, 128, 4, 2, 1, 14, 7},
    {"D3", false, 128, 256, 4, 2, 1, 7, 3},    {"D4", false, 256, 1, 3, 1, 0, 3, 1},
    {"G1", true, 100, 256, 4, 1, 0, 1, 4},     {"G2", true, 256, 128, 3, 2, 1, 4, 7},
    {"G3", true, 128, 64, 4, 2, 1, 7, 14},     {"G4", true, 64, 1, 4, 2, 1, 14, 28},
    // PyTorch's examples/dcgan at 64x64 in RGB (ngf = ndf = 64).
    {"E.D1", false, 3, 64, 4, 2, 1, 64, 32},   {"E.D2", false, 64, 128, 4, 2, 1, 32, 16},
    {"E.D3", false, 128, 256, 4, 2, 1, 16, 8}, {"E.D4", false, 256, 512, 4, 2, 1, 8, 4},
    {"E.D5", false, 512, 1, 4, 1, 0, 4, 1},    {"E.G1", true, 100, 512, 4, 1, 0, 1, 4},
    {"E.G2", true, 512, 256, 4, 2, 1, 4, 8},   {"E.G3", true, 256, 128, 4, 2, 1, 8, 16},
    {"E.G4", true, 128, 64, 4, 2, 1, 16, 32},  {"E.G5", true, 64, 3, 4, 2, 1, 32, 64},
};
constexpr int kCaseCount = int(sizeof kCases / sizeof kCases[0]);

// Multiply-adds x 2 of forward, backward-data and backward-weights.
double pass_flop(const ConvCase& c) {
    const int small = c.transposed ? c.ih : c.oh;  // the side whose pixels each see a k x k x C window
    const int big_c = c.transposed ? c.out : c.in, small_c = c.transposed ? c.in : c.out;
    return 3.0 * 2.0 * kBatch * double(small) * small * small_c * double(big_c) * c.k * c.k;
}

void fill(Tensor& t, Rng& rng) {
    for (size_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(-1, 1);
}

// engine 0: our layer on im2col + GEMM; 1: our layer as `gan train` runs it (oneDNN inside where it
// pays, reorders to and from NCHW and the dW accumulation included).
void BM_Ours(benchmark::State& state) {
    const ConvCase& c = kCases[state.range(0)];
    blas_set_threads(bench_threads());
    conv_engine_use_onednn(state.range(1) != 0);
    Arena params;
    std::unique_ptr<Layer> layer;
    if (c.transposed)
        layer = std::make_unique<ConvTranspose2d>(
            params, "l", ConvTranspose2dOptions{.in = c.in, .out = c.out, .kernel = c.k, .stride = c.s, .padding = c.p, .bias = false});
    else
        layer = std::make_unique<Conv2d>(params, "l",
                                         Conv2dOptions{.in = c.in, .out = c.out, .kernel = c.k, .stride = c.s, .padding = c.p, .bias = false});
    Rng rng(3);
    for (float& v : params.values()) v = rng.uniform(-0.1f, 0.1f);
    Tensor x({kBatch, c.in, c.ih, c.ih}), y, dy({kBatch, c.out, c.oh, c.oh}), dx;
    fill(x, rng);
    fill(dy, rng);
    layer->forward(x, y);
    if (y.shape != dy.shape) {
        state.SkipWithError("output shape differs from the case");
        return;
    }
    timed_loop(state, [&] {
        params.zero_grad();
        layer->forward(x, y);
        layer->backward(dy, &dx);
    }, pass_flop(c));
    if (!std::isfinite(dx[0])) state.SkipWithError("non-finite gradient");
    conv_engine_use_onednn(true);
}

void BM_OneDnn(benchmark::State& state) {
    const ConvCase& c = kCases[state.range(0)];
    const bool any = state.range(1) != 0;
    using tag = memory::format_tag;
    using dt = memory::data_type;
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream s(eng);
    const memory::dims src{kBatch, c.in, c.ih, c.ih}, dst{kBatch, c.out, c.oh, c.oh};
    const memory::dims wei{c.out, c.in, c.k, c.k}, strides{c.s, c.s}, pad_l{c.p, c.p};
    // The right padding that makes oneDNN's size relation give these output sizes.
    const int big_in = c.transposed ? c.oh : c.ih, small_out = c.transposed ? c.ih : c.oh;
    const int pr = (small_out - 1) * c.s + c.k - big_in - c.p;
    const memory::dims pad_r{pr, pr};
    const auto pick = [&](tag plain) { return any ? tag::any : plain; };
    memory::desc src_md(src, dt::f32, pick(tag::nchw)), dst_md(dst, dt::f32, pick(tag::nchw)),
        wei_md(wei, dt::f32, pick(tag::oihw));
    const auto fwd_kind = dnnl::prop_kind::forward_training;
    dnnl::primitive fwd, bwd_data, bwd_w;
    memory::desc s_md, d_md, w_md, ds_md, dd_md, dw_md, dd_md2, s_md2;
    std::string impl;
    try {
        if (!c.transposed) {
            const auto algo = dnnl::algorithm::convolution_direct;
            dnnl::convolution_forward::primitive_desc fpd(
                dnnl::convolution_forward::desc(fwd_kind, algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng);
            dnnl::convolution_backward_data::primitive_desc bdpd(
                dnnl::convolution_backward_data::desc(algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng, fpd);
            dnnl::convolution_backward_weights::primitive_desc bwpd(
                dnnl::convolution_backward_weights::desc(algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng, fpd);
            fwd = dnnl::convolution_forward(fpd), bwd_data = dnnl::convolution_backward_data(bdpd);
            bwd_w = dnnl::convolution_backward_weights(bwpd);
            s_md = fpd.src_desc(), w_md = fpd.weights_desc(), d_md = fpd.dst_desc();
            ds_md = bdpd.diff_src_desc(), dd_md = bdpd.diff_dst_desc(), dw_md = bwpd.diff_weights_desc();
            dd_md2 = bwpd.diff_dst_desc(), s_md2 = bwpd.src_desc();
            impl = std::string(fpd.impl_info_str()) + " / " + bdpd.impl_info_str() + " / " + bwpd.impl_info_str();
        } else {
            const auto algo = dnnl::algorithm::deconvolution_direct;
            dnnl::deconvolution_forward::primitive_desc fpd(
                dnnl::deconvolution_forward::desc(fwd_kind, algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng);
            dnnl::deconvolution_backward_data::primitive_desc bdpd(
                dnnl::deconvolution_backward_data::desc(algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng, fpd);
            dnnl::deconvolution_backward_weights::primitive_desc bwpd(
                dnnl::deconvolution_backward_weights::desc(algo, src_md, wei_md, dst_md, strides, pad_l, pad_r), eng,
                fpd);
            fwd = dnnl::deconvolution_forward(fpd), bwd_data = dnnl::deconvolution_backward_data(bdpd);
            bwd_w = dnnl::deconvolution_backward_weights(bwpd);
            s_md = fpd.src_desc(), w_md = fpd.weights_desc(), d_md = fpd.dst_desc();
            ds_md = bdpd.diff_src_desc(), dd_md = bdpd.diff_dst_desc(), dw_md = bwpd.diff_weights_desc();
            dd_md2 = bwpd.diff_dst_desc(), s_md2 = bwpd.src_desc();
            impl = std::string(fpd.impl_info_str()) + " / " + bdpd.impl_info_str() + " / " + bwpd.impl_info_str();
        }
    } catch (const dnnl::error& e) {
        state.SkipWithError(e.what());
        return;
    }
    // Buffers in each primitive's own layout, filled with random values (layout does not matter for timing).
    std::vector<memory> mems;
    Rng rng(3);
    auto make = [&](const memory::desc& md) {
        memory m(md, eng);
        float* p = static_cast<float*>(m.get_data_handle());
        for (size_t i = 0; i < md.get_size() / sizeof(float); ++i) p[i] = rng.uniform(-0.1f, 0.1f);
        return m;
    };
    memory msrc = make(s_md), mw = make(w_md), mdst = make(d_md), mdsrc = make(ds_md), mddst = make(dd_md),
           mdw = make(dw_md), mddst2 = dd_md2 == dd_md ? mddst : make(dd_md2), msrc2 = s_md2 == s_md ? msrc : make(s_md2);
    timed_loop(state, [&] {
        fwd.execute(s, {{DNNL_ARG_SRC, msrc}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DST, mdst}});
        bwd_data.execute(s, {{DNNL_ARG_DIFF_DST, mddst}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DIFF_SRC, mdsrc}});
        bwd_w.execute(s, {{DNNL_ARG_SRC, msrc2}, {DNNL_ARG_DIFF_DST, mddst2}, {DNNL_ARG_DIFF_WEIGHTS, mdw}});
        s.wait();
    }, pass_flop(c));
    state.SetLabel(impl);
}

}  // namespace

BENCHMARK(BM_Ours)->ArgNames({"case", "engine"})->ArgsProduct({benchmark::CreateDenseRange(0, kCaseCount - 1, 1), {0, 1}})
    ->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_OneDnn)->ArgNames({"case", "any_layout"})->ArgsProduct({benchmark::CreateDenseRange(0, kCaseCount - 1, 1), {0, 1}})
    ->Unit(benchmark::kMillisecond)->MinTime(0.5);

BENCHMARK_MAIN();
