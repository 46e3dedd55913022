// The CUDA backend's Linear layers (cuBLAS and the bias/epilogue kernels), activations and class
// conditioning (cuda_backend.h). Each activation computes the CPU's formula (kernels/activations.h).
#include "cuda/cuda_backend.h"
#include "cuda/cuda_context.cuh"

namespace gan {

namespace {

__device__ inline float act_value(Act a, float alpha, float x) {
    switch (a) {
        case Act::leaky_relu: return fmaxf(x, 0.0f) + alpha * fminf(x, 0.0f);
        case Act::relu: return x > 0.0f ? x : 0.0f;
        case Act::tanh: return tanhf(x);
        case Act::sigmoid: return 1.0f / (1.0f + expf(-x));
    }
    return x;
}

// dy times the activation's derivative, from its input x (leaky ReLU, ReLU) or its output y (tanh,
// sigmoid).
__device__ inline float act_grad(Act a, float alpha, float dy, float x, float y) {
    switch (a) {
        case Act::leaky_relu: return dy * (x > 0.0f ? 1.0f : alpha);
        case Act::relu: return x > 0.0f ? dy : 0.0f;
        case Act::tanh: return dy * (1.0f - y * y);
        case Act::sigmoid: return dy * y * (1.0f - y);
    }
    return dy;
}

__global__ void act_forward_kernel(Act a, float alpha, float* y, const float* x, size_t n) {
    GAN_CUDA_LOOP(i, n) y[i] = act_value(a, alpha, x[i]);
}

__global__ void act_backward_kernel(Act a, float alpha, float* dx, const float* dy, const float* x, const float* y,
                                    size_t n) {
    GAN_CUDA_LOOP(i, n) dx[i] = act_grad(a, alpha, dy[i], x ? x[i] : 0.0f, y ? y[i] : 0.0f);
}

// y (N, OUT) += b, then the epilogue (act < 0: none), in place.
__global__ void bias_epilogue_kernel(float* y, const float* b, size_t N, int OUT, int act, float alpha) {
    GAN_CUDA_LOOP(i, N * size_t(OUT)) {
        float v = y[i] + (b ? b[i % size_t(OUT)] : 0.0f);
        y[i] = act < 0 ? v : act_value(Act(act), alpha, v);
    }
}

// The gradient at the pre-activation from the epilogue's output: leaky ReLU's slope read from the sign
// of y (the same as the input's for alpha > 0), tanh's 1 - y².
__global__ void epilogue_grad_kernel(float* d, const float* dy, const float* y, size_t n, int act, float alpha) {
    GAN_CUDA_LOOP(i, n) {
        d[i] = Act(act) == Act::leaky_relu ? dy[i] * (y[i] > 0.0f ? 1.0f : alpha) : dy[i] * (1.0f - y[i] * y[i]);
    }
}

// db[o] += Σ_i g[i, o]: one thread a column, rows in order (as the CPU's bias_grad_add).
__global__ void bias_grad_kernel(float* db, const float* g, int N, int OUT) {
    const int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= OUT) return;
    float s = db[o];
    for (int i = 0; i < N; ++i) s += g[size_t(i) * OUT + o];
    db[o] = s;
}

__global__ void concat_one_hot_kernel(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t n,
                                      size_t head, size_t block, const int* labels, int K) {
    const size_t width = head + size_t(K) * block;
    GAN_CUDA_LOOP(i, n * width) {
        const size_t r = i / width, c = i % width;
        float v;
        if (c < head)
            v = src[r * src_ld + c];
        else
            v = (c - head) / block == size_t(labels[r]) ? 1.0f : 0.0f;
        dst[r * dst_ld + c] = v;
    }
}

__global__ void proj_logits_kernel(float* logit, const float* out, size_t w, const int* labels, size_t n) {
    GAN_CUDA_LOOP(i, n) logit[i] = out[i * w] + out[i * w + 1 + size_t(labels[i])];
}

__global__ void proj_logits_backward_kernel(float* dout, size_t w, const float* dlogit, const int* labels, size_t n) {
    GAN_CUDA_LOOP(i, n * w) {
        const size_t r = i / w, c = i % w;
        dout[i] = c == 0 || c == 1 + size_t(labels[r]) ? dlogit[r] : 0.0f;
    }
}

// A Linear layer's scratch: the gradient at the pre-activation when an epilogue is absorbed.
struct LinearState final : OpState {
    DeviceBuffer<float> dpre;  // (N, OUT)
};

}  // namespace

// y = x·Wᵀ on cuBLAS (row-major: gemm(false, true)), then bias and epilogue in one pass. The fast
// tanh of Precision::fast is tanhf here too (within 2 ulp of std::tanh).
void CudaBackend::linear_forward(OpStatePtr&, float* y, const float* x, const float* w, const float* b, int N, int IN,
                                 int OUT, std::optional<Epilogue> epi, Precision p) {
    GAN_CHECK(p != Precision::bf16, "--device cuda has no bfloat16 Linear layers (use the default precision)");
    gemm(false, true, N, OUT, IN, 1.0f, x, IN, w, IN, 0.0f, y, OUT);
    if (!b && !epi) return;
    const size_t n = size_t(N) * size_t(OUT);
    bias_epilogue_kernel<<<blocks_for(n), kThreads>>>(y, b, size_t(N), OUT, epi ? int(epi->act) : -1,
                                                      epi ? epi->alpha : 0.0f);
    launch_check("linear bias and epilogue");
}

void CudaBackend::linear_backward(OpStatePtr& st, float* dx, float* dw, bool dw_overwrite, float* db,
                                  const float* dy, const float* x, const float* y, const float* w, int N, int IN,
                                  int OUT, std::optional<Epilogue> epi) {
    const float* g = dy;  // the gradient at x·Wᵀ + b
    if (epi) {
        if (!st) st = std::make_unique<LinearState>();
        const size_t n = size_t(N) * size_t(OUT);
        float* d = static_cast<LinearState&>(*st).dpre.get(n);
        epilogue_grad_kernel<<<blocks_for(n), kThreads>>>(d, dy, y, n, int(epi->act), epi->alpha);
        launch_check("linear epilogue gradient");
        g = d;
    }
    if (dw) gemm(true, false, OUT, IN, N, 1.0f, g, OUT, x, IN, dw_overwrite ? 0.0f : 1.0f, dw, IN);
    if (db) {
        bias_grad_kernel<<<unsigned((OUT + kThreads - 1) / kThreads), kThreads>>>(db, g, N, OUT);
        launch_check("linear bias gradient");
    }
    if (dx) gemm(false, false, N, IN, OUT, 1.0f, g, OUT, w, IN, 0.0f, dx, IN);
}

void CudaBackend::act_forward(Act a, float alpha, float* y, const float* x, size_t n) {
    if (!n) return;
    act_forward_kernel<<<blocks_for(n), kThreads>>>(a, alpha, y, x, n);
    launch_check("activation");
}

void CudaBackend::act_backward(Act a, float alpha, float* dx, const float* dy, const float* x, const float* y,
                               size_t n) {
    if (!n) return;
    act_backward_kernel<<<blocks_for(n), kThreads>>>(a, alpha, dx, dy, x, y, n);
    launch_check("activation gradient");
}

void CudaBackend::concat_one_hot(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t n, size_t head,
                                 size_t block, const int* labels, int K) {
    if (!n) return;
    const int* l = ctx_->labels_on_device(labels, n);
    concat_one_hot_kernel<<<blocks_for(n * (head + size_t(K) * block)), kThreads>>>(dst, dst_ld, src, src_ld, n, head,
                                                                                    block, l, K);
    launch_check("concat_one_hot");
}

void CudaBackend::proj_logits(float* logit, const float* out, size_t w, const int* labels, size_t n) {
    if (!n) return;
    const int* l = ctx_->labels_on_device(labels, n);
    proj_logits_kernel<<<blocks_for(n), kThreads>>>(logit, out, w, l, n);
    launch_check("proj_logits");
}

void CudaBackend::proj_logits_backward(float* dout, size_t w, const float* dlogit, const int* labels, size_t n) {
    if (!n) return;
    const int* l = ctx_->labels_on_device(labels, n);
    proj_logits_backward_kernel<<<blocks_for(n * w), kThreads>>>(dout, w, dlogit, l, n);
    launch_check("proj_logits_backward");
}

}  // namespace gan
