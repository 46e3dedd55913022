// Fused epilogues: the element-wise work around a GEMM done in one pass over its output, row-major
// (N, OUT) matrices. Each performs the same float operations, in the same order, as the separate
// kernels it replaces (bias add, then activation; bias gradients summed row by row), so a layer that
// absorbs the activation after it (nn/layer.h) gives bitwise the results of the two layers run apart. The one exception is tanh_fast (see below).
#pragma once
#include <cstddef>
#include <cstdint>

namespace gan {

// y = leaky_relu(y + b, alpha) in place.  y (N, OUT), b (OUT).
void bias_leaky_relu_forward(float* y, const float* b, int N, int OUT, float alpha);
// y = tanh(y + b) in place with std::tanh (the reference).
void bias_tanh_forward(float* y, const float* b, int N, int OUT);
// y = tanh_fast(y + b) in place (AVX2 when compiled for it).
void bias_tanh_forward_fast(float* y, const float* b, int N, int OUT);

// tanh to within 2 ulp of the correctly rounded value (measured over every float in tests), 8 lanes
// at a time: odd polynomial below |x| < 0.55, (1 - e)/(1 + e) with e = exp(-2|x|) above. Without
// AVX2 it is std::tanh.
void tanh_fast(float* y, const float* x, size_t n);

// dx = dy where y > 0 else alpha * dy: the LeakyReLU gradient taken from its OUTPUT y, which has the
// sign of its input for alpha >= 0 (so the pre-activation need not be kept). In place when dx == dy.
void leaky_relu_backward_from_output(float* dx, const float* dy, const float* y, size_t n, float alpha);

// db[o] += sum over rows i (in order) of dy[i, o] for columns [0, OUT) of rows ld apart (ld = OUT: the
// whole of dy (N, OUT); ld > OUT: a block of columns of a wider matrix).
void bias_grad_add(float* db, const float* dy, int N, int OUT, int ld);

// Rows idx[0..n) of an image set (`img` bytes each) to floats x/255·2 - 1 (the tutorial's ToTensor and
// Normalize(0.5, 0.5)), written one after the other: the training batch. Bitwise float(x) / 255.0f *
// 2.0f - 1.0f for every byte (8 at a time: convert, divide, multiply, subtract, the same IEEE operations).
void gather_unit_range(float* dst, const uint8_t* images, const uint32_t* idx, size_t n, size_t img);

}  // namespace gan
