// C = A·Wᵀ in bfloat16 with float accumulation, for the opt-in fast sampler (`gan sample --precision
// bf16`). Operands are rounded to bfloat16 (8 mantissa bits, round to nearest even); products of pairs
// are summed in float by AVX512_BF16's vdpbf16ps, which does twice the multiply-adds of a float FMA per
// cycle. Training never uses it: its results are not the float ones (the bound is in the tests and
// docs/metrics.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace gan {

// This CPU runs vdpbf16ps (AVX512_BF16) and the build has the kernel.
bool bf16_supported();

uint16_t bf16_from_float(float x);  // round to nearest even; NaN stays NaN
float bf16_to_float(uint16_t b);

// W (n rows of k floats, row-major, as a Linear layer stores it) packed for C = A·Wᵀ: panels of up to
// 64 columns, each [k/2 pairs][columns] of 32-bit words holding the bfloat16 pair (k even, k odd);
// columns and k padded with zeros.
struct Bf16Matrix {
    std::vector<uint32_t> data;
    int n = 0, k = 0;
    int kp() const { return (k + 1) / 2; }
};
void bf16_pack_weights(Bf16Matrix& w, const float* W, int n, int k);

// Rows of A (m × k floats, stride lda) as bfloat16 pairs, kp words a row: the kernel's left operand.
void bf16_pack_rows(uint32_t* out, const float* A, int m, int k, int lda);

// C (m × w.n, stride ldc) = A·Wᵀ, A from bf16_pack_rows (w.kp() words a row). Requires bf16_supported().
void bf16_gemm_nt(int m, const uint32_t* a, const Bf16Matrix& w, float* C, int ldc);

// The oracle: the same bfloat16 operands, products and sums in double, for tests.
void bf16_gemm_nt_naive(int m, const float* A, int lda, const float* W, int n, int k, float* C, int ldc);

}  // namespace gan
