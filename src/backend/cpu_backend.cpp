#include "backend/cpu_backend.h"

#include <algorithm>
#include <cmath>

#include "core/aligned.h"
#include "kernels/activations.h"
#include "kernels/adam.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "kernels/losses.h"
#include "kernels/parallel.h"

namespace gan {

namespace {

// Element-wise work below this many elements runs on the calling thread: a split would cost more.
constexpr size_t kSplitElements = size_t(1) << 15;

// A Linear layer's scratch: the gradient at the pre-activation, and the bfloat16 operands.
struct LinearState final : OpState {
    AlignedVec<float> dpre;        // (N, OUT), when an epilogue is absorbed
    Bf16Matrix w_bf16;             // W packed for the bfloat16 kernel
    std::vector<uint32_t> x_bf16;  // x's rows as bfloat16 pairs
};

LinearState& linear_state(OpStatePtr& st) {
    if (!st) st = std::make_unique<LinearState>();
    return static_cast<LinearState&>(*st);
}

// Bias and the epilogue over rows [r0, r1) of y (N, OUT), in place.
void finish_rows(float* y, const float* b, size_t r0, size_t r1, int OUT, const std::optional<Epilogue>& epi,
                 Precision p) {
    float* rows = y + r0 * size_t(OUT);
    const int n = int(r1 - r0);
    const size_t count = size_t(n) * size_t(OUT);
    if (!epi) {
        if (b)
            for (int i = 0; i < n; ++i)
                for (int o = 0; o < OUT; ++o) rows[size_t(i) * OUT + o] += b[o];
    } else if (epi->act == Act::leaky_relu) {
        if (b)
            bias_leaky_relu_forward(rows, b, n, OUT, epi->alpha);
        else
            leaky_relu_forward(rows, rows, count, epi->alpha);
    } else if (b) {
        if (p == Precision::exact)
            bias_tanh_forward(rows, b, n, OUT);
        else
            bias_tanh_forward_fast(rows, b, n, OUT);
    } else if (p == Precision::exact) {
        tanh_forward(rows, rows, count);
    } else {
        tanh_fast(rows, rows, count);
    }
}

}  // namespace

const char* device_name(Device d) { return d == Device::cuda ? "cuda" : "cpu"; }

Backend& host_backend() {
    static CpuBackend host(1);
    return host;
}

CpuBackend::CpuBackend(int threads) {
    if (threads > 1) pool_ = std::make_unique<ThreadPool>(threads);
}

bool CpuBackend::bitwise_across_splits() const { return gemm_exact_is_bitwise(); }

bool CpuBackend::supports(Precision p) const { return p != Precision::bf16 || bf16_supported(); }

// ---- memory: the host's (cpu_backend.h)

void CpuBackend::fill(float* x, size_t n, float value) { std::fill(x, x + n, value); }

void CpuBackend::scale(float* x, size_t n, float a) {
    for (size_t i = 0; i < n; ++i) x[i] *= a;
}

void CpuBackend::copy_2d(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t rows, size_t cols) {
    for (size_t r = 0; r < rows; ++r) std::copy(src + r * src_ld, src + r * src_ld + cols, dst + r * dst_ld);
}

// ---- products

void CpuBackend::gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                      const float* B, int ldb, float beta, float* C, int ldc) {
    gan::gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Split over the pool by blocks of rows of y; every element is one sum in a fixed order whatever the
// split (kernels/gemm.h gemm_exact), so any split gives the same bits. bf16: both operands rounded to
// bfloat16 and summed in float, then bias and epilogue as in float.
void CpuBackend::linear_forward(OpStatePtr& st, float* y, const float* x, const float* w, const float* b, int N,
                                int IN, int OUT, std::optional<Epilogue> epi, Precision p) {
    if (p == Precision::bf16 && bf16_supported()) {
        LinearState& ls = linear_state(st);
        bf16_pack_weights(ls.w_bf16, w, OUT, IN);
        ls.x_bf16.resize(size_t(N) * size_t(ls.w_bf16.kp()));
        bf16_pack_rows(ls.x_bf16.data(), x, N, IN, IN);
        bf16_gemm_nt(N, ls.x_bf16.data(), ls.w_bf16, y, OUT);
        finish_rows(y, b, 0, size_t(N), OUT, epi, p);
        return;
    }
    gemm_rows(pool(), false, true, N, OUT, IN, 1.0f, x, IN, w, IN, 0.0f, y, OUT,
              [&](size_t r0, size_t r1) { finish_rows(y, b, r0, r1, OUT, epi, p); });
}

// dW by blocks of its columns, db by blocks of columns, dx by blocks of rows.
void CpuBackend::linear_backward(OpStatePtr& st, float* dx, float* dw, bool dw_overwrite, float* db, const float* dy,
                                 const float* x, const float* y, const float* w, int N, int IN, int OUT,
                                 std::optional<Epilogue> epi) {
    const float* g = dy;  // the gradient at x·Wᵀ + b
    if (epi) {
        LinearState& ls = linear_state(st);
        if (ls.dpre.size() < size_t(N) * OUT) ls.dpre.resize(size_t(N) * OUT);
        float* d = ls.dpre.data();
        const Epilogue e = *epi;
        parallel_for(pool(), size_t(N), 8, std::max<size_t>(64, kSplitElements / size_t(OUT)), [&](size_t r0, size_t r1) {
            const size_t off = r0 * size_t(OUT), n = (r1 - r0) * size_t(OUT);
            if (e.act == Act::leaky_relu)
                leaky_relu_backward_from_output(d + off, g + off, y + off, n, e.alpha);
            else
                tanh_backward(d + off, g + off, y + off, n);
        });
        g = d;
    }
    if (dw) gemm_split(pool(), true, false, OUT, IN, N, 1.0f, g, OUT, x, IN, dw_overwrite ? 0.0f : 1.0f, dw, IN);
    if (db) {
        const size_t min_cols = size_t(N) * size_t(OUT) >= kSplitElements ? 64 : size_t(OUT) + 1;
        parallel_for(pool(), size_t(OUT), 8, min_cols,
                     [&](size_t c0, size_t c1) { bias_grad_add(db + c0, g + c0, N, int(c1 - c0), OUT); });
    }
    if (dx) gemm_rows(pool(), false, false, N, IN, OUT, 1.0f, g, OUT, w, IN, 0.0f, dx, IN, [](size_t, size_t) {});
}

// ---- activations

void CpuBackend::act_forward(Act a, float alpha, float* y, const float* x, size_t n) {
    switch (a) {
        case Act::leaky_relu: leaky_relu_forward(y, x, n, alpha); break;
        case Act::relu: relu_forward(y, x, n); break;
        case Act::tanh: tanh_forward(y, x, n); break;
        case Act::sigmoid: sigmoid_forward(y, x, n); break;
    }
}

void CpuBackend::act_backward(Act a, float alpha, float* dx, const float* dy, const float* x, const float* y,
                              size_t n) {
    switch (a) {
        case Act::leaky_relu: leaky_relu_backward(dx, dy, x, n, alpha); break;
        case Act::relu: relu_backward(dx, dy, x, n); break;
        case Act::tanh: tanh_backward(dx, dy, y, n); break;
        case Act::sigmoid: sigmoid_backward(dx, dy, y, n); break;
    }
}

// ---- class conditioning

void CpuBackend::concat_one_hot(float* dst, size_t dst_ld, const float* src, size_t src_ld, size_t n, size_t head,
                                size_t block, const int* labels, int K) {
    for (size_t i = 0; i < n; ++i) {
        float* d = dst + i * dst_ld;
        std::copy(src + i * src_ld, src + i * src_ld + head, d);
        std::fill(d + head, d + head + size_t(K) * block, 0.0f);
        std::fill(d + head + size_t(labels[i]) * block, d + head + size_t(labels[i] + 1) * block, 1.0f);
    }
}

void CpuBackend::proj_logits(float* logit, const float* out, size_t w, const int* labels, size_t n) {
    for (size_t i = 0; i < n; ++i) logit[i] = out[i * w] + out[i * w + 1 + size_t(labels[i])];
}

void CpuBackend::proj_logits_backward(float* dout, size_t w, const float* dlogit, const int* labels, size_t n) {
    std::fill(dout, dout + n * w, 0.0f);
    for (size_t i = 0; i < n; ++i) {
        dout[i * w] = dlogit[i];
        dout[i * w + 1 + size_t(labels[i])] = dlogit[i];
    }
}

// ---- losses

float CpuBackend::gan_loss(LossKind kind, LossTerm term, const float* logits, size_t n, float smooth,
                           float* dlogits) {
    return gan_loss_kernel(kind, term, logits, n, smooth, dlogits);
}

float CpuBackend::mean_sigmoid(const float* logits, size_t n) { return gan::mean_sigmoid(logits, n); }

double CpuBackend::softmax_xent(const float* logits, size_t ld, int K, const int* labels, size_t n, float weight,
                                float* dlogits, size_t dld) {
    return gan::softmax_xent(logits, ld, K, labels, n, weight, double(n), dlogits, dld);
}

// ---- optimiser, averaging, data

void CpuBackend::adam_update(float* p, const float* g, float* m, float* v, size_t n, const AdamStep& k) {
    parallel_for(pool(), n, 64, 1 << 14,
                 [&](size_t b, size_t e) { gan::adam_update(p + b, g + b, m + b, v + b, e - b, k); });
}

void CpuBackend::ema_update(float* ema, const float* p, size_t n, float decay) { gan::ema_update(ema, p, n, decay); }

void CpuBackend::bytes_to_unit(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img) {
    gather_unit_range(dst, images, idx, n, img);
}

void CpuBackend::unit_to_bytes(uint8_t* pixels, const float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        float v = std::nearbyint((y[i] + 1.0f) * 127.5f);
        pixels[i] = uint8_t(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);  // NaN -> 0
    }
}

}  // namespace gan
