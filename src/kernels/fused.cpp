#include "kernels/fused.h"

#include <cmath>

#include "core/cpu.h"
#ifdef GAN_X86_KERNELS
#include "kernels/fused_avx2.h"
#endif

namespace gan {

void bias_leaky_relu_forward(float* y, const float* b, int N, int OUT, float alpha) {
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) return bias_leaky_relu_forward_avx2(y, b, N, OUT, alpha);
#endif
    for (int i = 0; i < N; ++i) {
        float* r = y + size_t(i) * OUT;
        for (int o = 0; o < OUT; ++o) {
            float v = r[o] + b[o];
            r[o] = v > 0.0f ? v : alpha * v;
        }
    }
}

void bias_tanh_forward(float* y, const float* b, int N, int OUT) {
    for (int i = 0; i < N; ++i) {
        float* r = y + size_t(i) * OUT;
        for (int o = 0; o < OUT; ++o) r[o] = std::tanh(r[o] + b[o]);
    }
}

void tanh_fast(float* y, const float* x, size_t n) {
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) return tanh_fast_avx2(y, x, n);
#endif
    for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void bias_tanh_forward_fast(float* y, const float* b, int N, int OUT) {
    for (int i = 0; i < N; ++i) {
        float* r = y + size_t(i) * OUT;
        for (int o = 0; o < OUT; ++o) r[o] += b[o];
        tanh_fast(r, r, size_t(OUT));
    }
}

void leaky_relu_backward_from_output(float* dx, const float* dy, const float* y, size_t n, float alpha) {
    size_t i = 0;
#ifdef GAN_X86_KERNELS
    if (cpu_avx2()) i = leaky_relu_backward_from_output_avx2(dx, dy, y, n, alpha);
#endif
    for (; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : alpha * dy[i];
}

void bias_grad_add(float* db, const float* dy, int N, int OUT, int ld) {
    for (int i = 0; i < N; ++i)
        for (int o = 0; o < OUT; ++o) db[o] += dy[size_t(i) * ld + o];
}

void gather_unit_range(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img) {
    for (size_t b = 0; b < n; ++b, dst += img) {
        const uint8_t* src = images + size_t(idx[b]) * img;
        size_t k = 0;
#ifdef GAN_X86_KERNELS
        if (cpu_avx2()) k = bytes_to_unit_avx2(dst, src, img);
#endif
        for (; k < img; ++k) dst[k] = float(src[k]) / 255.0f * 2.0f - 1.0f;
    }
}

}  // namespace gan
