// The CUDA backend's convolutions on cuDNN (cuda_backend.h). In cuDNN's terms every layer is one
// convolution from a tensor `a` to a tensor `b` with filter (b's channels, a's channels, kh, kw):
//   Conv2d           a = x (n, in, ih, iw),  b = y (n, out, oh, ow), w (out, in, kh, kw)
//   ConvTranspose2d  a = y (n, out, oh, ow), b = x (n, in, ih, iw),  w (in, out, kh, kw)
// (a transposed convolution is the adjoint of the convolution y -> x, its weight stored as PyTorch
// does), so a Conv2d's forward is cuDNN's forward and a transposed one's is cuDNN's backward-data,
// and their backwards swap the same way. The descriptors and the algorithms are chosen once per shape
// and kept in the layer's OpState: deterministic algorithms only, fp32 arithmetic (no TF32), so a run
// repeats its bits on one GPU.
#include "cuda/cuda_backend.h"
#include "cuda/cuda_context.cuh"

namespace gan {

namespace {

constexpr int kAlgos = 16;  // candidates asked of cuDNN's heuristics

struct ConvState final : OpState {
    ConvShape shape;
    bool ready = false;
    cudnnTensorDescriptor_t a = nullptr, b = nullptr, bias = nullptr;  // bias: (1, out, 1, 1)
    cudnnFilterDescriptor_t w = nullptr;
    cudnnConvolutionDescriptor_t conv = nullptr;
    cudnnConvolutionFwdAlgo_t fwd{};
    cudnnConvolutionBwdDataAlgo_t bwd_data{};
    cudnnConvolutionBwdFilterAlgo_t bwd_filter{};
    size_t fwd_bytes = 0, bwd_data_bytes = 0, bwd_filter_bytes = 0;  // each algorithm's workspace

    ~ConvState() override {
        if (conv) cudnnDestroyConvolutionDescriptor(conv);
        if (w) cudnnDestroyFilterDescriptor(w);
        for (cudnnTensorDescriptor_t t : {a, b, bias})
            if (t) cudnnDestroyTensorDescriptor(t);
    }
    // The descriptor of the layer's output y (what the bias is added to, and dy's).
    cudnnTensorDescriptor_t y() const { return shape.transposed ? a : b; }
};

// The first of cuDNN's ranked candidates that ran and is deterministic.
template <class Perf>
const Perf& pick(const Perf* perf, int returned, const char* what) {
    for (int i = 0; i < returned; ++i)
        if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].determinism == CUDNN_DETERMINISTIC) return perf[i];
    throw Error(str("cuDNN: no deterministic ", what, " algorithm for this convolution"));
}

void choose_algorithms(cudnnHandle_t h, ConvState& cs) {
    int returned = 0;
    cudnnConvolutionFwdAlgoPerf_t fwd[kAlgos];
    cudnn_check(cudnnGetConvolutionForwardAlgorithm_v7(h, cs.a, cs.w, cs.conv, cs.b, kAlgos, &returned, fwd),
                "forward heuristics");
    const auto& f = pick(fwd, returned, "forward");
    cs.fwd = f.algo, cs.fwd_bytes = f.memory;
    cudnnConvolutionBwdDataAlgoPerf_t data[kAlgos];
    cudnn_check(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, cs.w, cs.b, cs.conv, cs.a, kAlgos, &returned, data),
                "backward-data heuristics");
    const auto& d = pick(data, returned, "backward-data");
    cs.bwd_data = d.algo, cs.bwd_data_bytes = d.memory;
    cudnnConvolutionBwdFilterAlgoPerf_t filt[kAlgos];
    cudnn_check(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, cs.a, cs.b, cs.conv, cs.w, kAlgos, &returned, filt),
                "backward-filter heuristics");
    const auto& k = pick(filt, returned, "backward-filter");
    cs.bwd_filter = k.algo, cs.bwd_filter_bytes = k.memory;
}

void set_tensor(cudnnTensorDescriptor_t& t, int n, int c, int h, int w) {
    if (!t) cudnn_check(cudnnCreateTensorDescriptor(&t), "cudnnCreateTensorDescriptor");
    cudnn_check(cudnnSetTensor4dDescriptor(t, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w), "tensor descriptor");
}

// The descriptors and algorithms for shape s (again only when the shape changed).
ConvState& conv_state(cudnnHandle_t h, OpStatePtr& st, const ConvShape& s) {
    if (!st) st = std::make_unique<ConvState>();
    ConvState& cs = static_cast<ConvState&>(*st);
    if (cs.ready && cs.shape == s) return cs;
    cs.shape = s;
    cs.ready = false;
    const bool t = s.transposed;
    set_tensor(cs.a, s.n, t ? s.out : s.in, t ? s.oh : s.ih, t ? s.ow : s.iw);
    set_tensor(cs.b, s.n, t ? s.in : s.out, t ? s.ih : s.oh, t ? s.iw : s.ow);
    set_tensor(cs.bias, 1, s.out, 1, 1);
    if (!cs.w) cudnn_check(cudnnCreateFilterDescriptor(&cs.w), "cudnnCreateFilterDescriptor");
    cudnn_check(cudnnSetFilter4dDescriptor(cs.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, t ? s.in : s.out,
                                           t ? s.out : s.in, s.kh, s.kw),
                "filter descriptor");
    if (!cs.conv) cudnn_check(cudnnCreateConvolutionDescriptor(&cs.conv), "cudnnCreateConvolutionDescriptor");
    cudnn_check(cudnnSetConvolution2dDescriptor(cs.conv, s.pad, s.pad, s.stride, s.stride, 1, 1,
                                                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                "convolution descriptor");
    cudnn_check(cudnnSetConvolutionMathType(cs.conv, CUDNN_FMA_MATH), "math type (no TF32)");
    choose_algorithms(h, cs);
    cs.ready = true;
    return cs;
}

}  // namespace

const char* CudaBackend::conv_engine(const OpStatePtr&) const { return "cudnn"; }

void CudaBackend::conv_forward(OpStatePtr& st, const ConvShape& s, float* y, const float* x, const float* w,
                               const float* b) {
    cudnnHandle_t h = ctx_->cudnn;
    ConvState& cs = conv_state(h, st, s);
    const float one = 1.0f, zero = 0.0f;
    if (!s.transposed) {
        void* ws = ctx_->workspace.get(cs.fwd_bytes);
        cudnn_check(cudnnConvolutionForward(h, &one, cs.a, x, cs.w, w, cs.conv, cs.fwd, ws, cs.fwd_bytes, &zero, cs.b,
                                            y),
                    "convolution forward");
    } else {
        void* ws = ctx_->workspace.get(cs.bwd_data_bytes);
        cudnn_check(cudnnConvolutionBackwardData(h, &one, cs.w, w, cs.b, x, cs.conv, cs.bwd_data, ws,
                                                 cs.bwd_data_bytes, &zero, cs.a, y),
                    "transposed convolution forward");
    }
    if (b) cudnn_check(cudnnAddTensor(h, &one, cs.bias, b, &one, cs.y(), y), "convolution bias");
}

// dx overwritten; dw and db added into (beta 1).
void CudaBackend::conv_backward(OpStatePtr& st, const ConvShape& s, float* dx, float* dw, float* db, const float* dy,
                                const float* x, const float* w) {
    if (!dx && !dw && !db) return;
    cudnnHandle_t h = ctx_->cudnn;
    ConvState& cs = conv_state(h, st, s);
    const float one = 1.0f, zero = 0.0f;
    if (db) cudnn_check(cudnnConvolutionBackwardBias(h, &one, cs.y(), dy, &one, cs.bias, db), "bias gradient");
    // The convolution's input and output in cuDNN's terms: (x, dy) for Conv2d, (dy, x) transposed.
    const float* a = s.transposed ? dy : x;
    const float* bt = s.transposed ? x : dy;
    if (dw) {
        void* ws = ctx_->workspace.get(cs.bwd_filter_bytes);
        cudnn_check(cudnnConvolutionBackwardFilter(h, &one, cs.a, a, cs.b, bt, cs.conv, cs.bwd_filter, ws,
                                                   cs.bwd_filter_bytes, &one, cs.w, dw),
                    "weight gradient");
    }
    if (!dx) return;
    if (!s.transposed) {
        void* ws = ctx_->workspace.get(cs.bwd_data_bytes);
        cudnn_check(cudnnConvolutionBackwardData(h, &one, cs.w, w, cs.b, dy, cs.conv, cs.bwd_data, ws,
                                                 cs.bwd_data_bytes, &zero, cs.a, dx),
                    "input gradient");
    } else {
        void* ws = ctx_->workspace.get(cs.fwd_bytes);
        cudnn_check(cudnnConvolutionForward(h, &one, cs.a, dy, cs.w, w, cs.conv, cs.fwd, ws, cs.fwd_bytes, &zero,
                                            cs.b, dx),
                    "transposed input gradient");
    }
}

}  // namespace gan
