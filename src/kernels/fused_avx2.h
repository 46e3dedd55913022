// The AVX2 + FMA halves of kernels/fused.h (fused_avx2.cpp), for fused.cpp to call where cpu_level()
// allows; x86-64 builds only. Those returning a count do the leading multiple of 8 elements and return
// it; the caller finishes the rest with its portable loop, which computes the same values.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gan {

void bias_leaky_relu_forward_avx2(float* y, const float* b, int N, int OUT, float alpha);
void tanh_fast_avx2(float* y, const float* x, size_t n);
size_t leaky_relu_backward_from_output_avx2(float* dx, const float* dy, const float* y, size_t n, float alpha);
// dst[k] = float(src[k]) / 255 * 2 - 1.
size_t bytes_to_unit_avx2(float* dst, const uint8_t* src, size_t img);

}  // namespace gan
