#include "kernels/gemm_bf16.h"

#include <algorithm>
#include <cstring>

#include "core/check.h"
#include "core/cpu.h"

namespace gan {

// In gemm_bf16_avx512.cpp, the one file compiled for AVX512_BF16; called only when bf16_supported().
void bf16_gemm_nt_avx512(int m, int kp, const uint32_t* a, const uint32_t* w, int n, float* C, int ldc);
bool bf16_kernel_built();

#ifdef GAN_X86_KERNELS
bool bf16_supported() {
    static const bool ok = cpu_level() == CpuLevel::avx512 && bf16_kernel_built() &&
                           __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw");
    return ok;
}
#else
// Other architectures: no bfloat16 kernel is built, and these are never called.
bool bf16_supported() { return false; }
bool bf16_kernel_built() { return false; }
void bf16_gemm_nt_avx512(int, int, const uint32_t*, const uint32_t*, int, float*, int) {}
#endif

uint16_t bf16_from_float(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);  // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return uint16_t(u >> 16);
}

float bf16_to_float(uint16_t b) {
    const uint32_t u = uint32_t(b) << 16;
    float x;
    std::memcpy(&x, &u, 4);
    return x;
}

namespace {
uint32_t pair(float lo, float hi) { return uint32_t(bf16_from_float(lo)) | uint32_t(bf16_from_float(hi)) << 16; }
}  // namespace

void bf16_pack_weights(Bf16Matrix& w, const float* W, int n, int k) {
    GAN_CHECK(n > 0 && k > 0, "bf16_pack_weights: empty matrix");
    w.n = n;
    w.k = k;
    const int kp = w.kp(), blocks = (n + 15) / 16;
    w.data.assign(size_t(blocks) * 16 * size_t(kp), 0u);
    uint32_t* out = w.data.data();
    for (int c0 = 0; c0 < blocks * 16; c0 += 64) {  // one panel of up to 64 columns
        const int width = std::min(64, blocks * 16 - c0);
        for (int p = 0; p < kp; ++p)
            for (int c = 0; c < width; ++c, ++out) {
                const int col = c0 + c;
                if (col >= n) continue;
                const float* row = W + size_t(col) * size_t(k);
                *out = pair(row[2 * p], 2 * p + 1 < k ? row[2 * p + 1] : 0.0f);
            }
    }
}

void bf16_pack_rows(uint32_t* out, const float* A, int m, int k, int lda) {
    const int kp = (k + 1) / 2;
    for (int i = 0; i < m; ++i) {
        const float* row = A + size_t(i) * size_t(lda);
        for (int p = 0; p < kp; ++p) *out++ = pair(row[2 * p], 2 * p + 1 < k ? row[2 * p + 1] : 0.0f);
    }
}

void bf16_gemm_nt(int m, const uint32_t* a, const Bf16Matrix& w, float* C, int ldc) {
    GAN_CHECK(bf16_supported(), "bfloat16 GEMM: this CPU lacks AVX512_BF16");
    if (m > 0) bf16_gemm_nt_avx512(m, w.kp(), a, w.data.data(), w.n, C, ldc);
}

void bf16_gemm_nt_naive(int m, const float* A, int lda, const float* W, int n, int k, float* C, int ldc) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            double s = 0.0;
            for (int q = 0; q < k; ++q)
                s += double(bf16_to_float(bf16_from_float(A[size_t(i) * lda + q]))) *
                     double(bf16_to_float(bf16_from_float(W[size_t(j) * k + q])));
            C[size_t(i) * ldc + j] = float(s);
        }
}

}  // namespace gan
