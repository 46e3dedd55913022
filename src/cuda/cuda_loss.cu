// The CUDA backend's losses, Adam, the EMA and the data conversions (cuda_backend.h), each the CPU's
// formula (kernels/losses.h, kernels/activations.h, kernels/adam.h). A loss is a sum in double over
// one block, read back to the host. Adam and the EMA round as the CPU does (the multiply-adds the CPU
// fuses are fused here and those it keeps apart are kept apart), so they give the CPU's bits.
#include <cstring>

#include "cuda/cuda_backend.h"
#include "cuda/cuda_context.cuh"

namespace gan {

namespace {

// One element's loss; its gradient (already divided by n) into *d.
__device__ inline double loss_term(LossKind kind, LossTerm term, float l, float smooth, float inv_n, float n,
                                   float* d) {
    const float target = term == LossTerm::d_real ? 1.0f - smooth : term == LossTerm::d_fake ? 0.0f : 1.0f;
    if (kind == LossKind::bce) {
        *d = (1.0f / (1.0f + expf(-l)) - target) / n;
        return fmaxf(l, 0.0f) - l * target + log1pf(expf(-fabsf(l)));
    }
    if (kind == LossKind::lsgan) {
        const float e = l - target;
        *d = e * inv_n;
        return 0.5 * double(e) * e;
    }
    if (term == LossTerm::g_fake) {
        *d = -inv_n;
        return -double(l);
    }
    const float m = term == LossTerm::d_real ? 1.0f - l : 1.0f + l;  // hinge
    *d = m > 0 ? (term == LossTerm::d_real ? -inv_n : inv_n) : 0.0f;
    return m > 0 ? m : 0.0f;
}

// One block: sums[0] = Σ loss terms; dlogits written when not null.
__global__ void gan_loss_kernel(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth,
                                float* dlogits, double* sums) {
    const float inv_n = 1.0f / float(n);
    double s = 0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) {
        float d;
        s += loss_term(kind, term, logits[i], smooth, inv_n, float(n), &d);
        if (dlogits) dlogits[i] = d;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) sums[0] = s;
}

__global__ void mean_sigmoid_kernel(const float* logits, size_t n, double* sums) {
    double s = 0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) s += 1.0 / (1.0 + exp(-double(logits[i])));
    s = block_sum(s);
    if (threadIdx.x == 0) sums[0] = s;
}

// One thread a row: -log softmax at the label, in double as the CPU's.
__global__ void softmax_xent_kernel(const float* logits, size_t ld, int K, const int* labels, size_t n,
                                    double weight, float* dlogits, size_t dld, double* sums) {
    double s = 0;
    for (size_t i = threadIdx.x; i < n; i += blockDim.x) {
        const float* l = logits + i * ld;
        float mx = l[0];
        for (int k = 1; k < K; ++k) mx = l[k] > mx ? l[k] : mx;
        double z = 0;
        for (int k = 0; k < K; ++k) z += exp(double(l[k]) - mx);
        s += log(z) - (double(l[labels[i]]) - mx);
        if (!dlogits) continue;
        float* d = dlogits + i * dld;
        for (int k = 0; k < K; ++k) d[k] = float((exp(double(l[k]) - mx) / z - (k == labels[i])) * weight / double(n));
    }
    s = block_sum(s);
    if (threadIdx.x == 0) sums[0] = s;
}

__global__ void adam_kernel(float* p, const float* g, float* m, float* v, size_t n, AdamStep k) {
    GAN_CUDA_LOOP(i, n) {
        const float gi = g[i];
        const float mi = fmaf(k.b1, m[i], __fmul_rn(k.a1, gi));
        const float vi = fmaf(k.b2, v[i], __fmul_rn(__fmul_rn(k.a2, gi), gi));
        m[i] = mi;
        v[i] = vi;
        p[i] = __fsub_rn(p[i], __fdiv_rn(__fmul_rn(k.step_size, mi), __fadd_rn(__fdiv_rn(sqrtf(vi), k.bc2_sqrt), k.eps)));
    }
}

__global__ void ema_kernel(float* ema, const float* p, size_t n, float keep, float take) {
    GAN_CUDA_LOOP(i, n) ema[i] = __fadd_rn(__fmul_rn(keep, ema[i]), __fmul_rn(take, p[i]));
}

// x/255·2 - 1 (the product by 2 is exact, so a fused multiply-add rounds as the CPU's two steps).
__global__ void bytes_to_unit_kernel(float* dst, const uint8_t* bytes, size_t n) {
    GAN_CUDA_LOOP(i, n) dst[i] = __fdiv_rn(float(bytes[i]), 255.0f) * 2.0f - 1.0f;
}

// round((y + 1)·127.5) to nearest even, clamped to [0, 255]; NaN -> 0.
__global__ void unit_to_bytes_kernel(uint8_t* px, const float* y, size_t n) {
    GAN_CUDA_LOOP(i, n) {
        const float v = rintf(__fmul_rn(__fadd_rn(y[i], 1.0f), 127.5f));
        px[i] = uint8_t(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);
    }
}

}  // namespace

float CudaBackend::gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth,
                            float* dlogits) {
    gan_loss_kernel<<<1, kThreads>>>(kind, term, logits, n, smooth, dlogits, ctx_->sums.get(1));
    launch_check("gan loss");
    return float(ctx_->read_sums(1)[0] / double(n));
}

float CudaBackend::mean_sigmoid(const float* logits, size_t n) {
    mean_sigmoid_kernel<<<1, kThreads>>>(logits, n, ctx_->sums.get(1));
    launch_check("mean sigmoid");
    return float(ctx_->read_sums(1)[0] / double(n));
}

double CudaBackend::softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight,
                                 float* dlogits, size_t dld) {
    if (!n) return 0.0;
    const int* l = ctx_->labels_on_device(labels, n);
    softmax_xent_kernel<<<1, kThreads>>>(logits, ld, K, l, n, double(weight), dlogits, dld, ctx_->sums.get(1));
    launch_check("softmax cross-entropy");
    return ctx_->read_sums(1)[0];
}

void CudaBackend::adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) {
    if (!n) return;
    adam_kernel<<<blocks_for(n), kThreads>>>(p, g, m, v, n, k);
    launch_check("adam");
}

void CudaBackend::ema_update(float* ema, const float* p, size_t n, float decay) {
    if (!n) return;
    ema_kernel<<<blocks_for(n), kThreads>>>(ema, p, n, decay, 1.0f - decay);
    launch_check("ema");
}

// The rows are gathered on the host and cross as bytes (a quarter of the floats they become).
void CudaBackend::bytes_to_unit(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img) {
    const size_t total = n * img;
    if (!total) return;
    // Gathered into page-locked memory and sent asynchronously: the host goes on queueing the step.
    uint8_t* rows = ctx_->staging.get(total);
    for (size_t b = 0; b < n; ++b) std::memcpy(rows + b * img, images + size_t(idx[b]) * img, img);
    uint8_t* d = ctx_->bytes.get(total);
    ctx_->staging.copy_to_device(d, total);
    bytes_to_unit_kernel<<<blocks_for(total), kThreads>>>(dst, d, total);
    launch_check("bytes_to_unit");
}

void CudaBackend::unit_to_bytes(uint8_t* pixels, const float* y, size_t n) {
    if (!n) return;
    uint8_t* d = ctx_->bytes.get(n);
    unit_to_bytes_kernel<<<blocks_for(n), kThreads>>>(d, y, n);
    launch_check("unit_to_bytes");
    cuda_check(cudaMemcpy(pixels, d, n, cudaMemcpyDeviceToHost), "pixels to the host");
}

}  // namespace gan
