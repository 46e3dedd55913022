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

// Pixels of bias + A·Wᵀ, as the sampler stores them: round(127.5 (tanh v + 1)) = round(255 σ(2v)),
// clamped to [0, 255], computed from the accumulators without storing C (px: m rows of w.n, stride ldp).
// Within rounding of pixels_from_logits_naive (a pixel may differ by one on a rounding boundary).
void bf16_gemm_nt_pixels(int m, const uint32_t* a, const Bf16Matrix& w, const float* bias, uint8_t* px, int ldp);
void pixels_from_logits_naive(uint8_t* px, const float* y, size_t n);

// The first layer of the classic G for the bf16 sampler: h = bfloat16 pairs (n/2 words a row, as
// bf16_pack_rows) of LeakyReLU(z·W1ᵀ + b1), computed in float (the sum in another order than the BLAS,
// so a value may round to the neighbouring bfloat16). w1t is W1 transposed (k rows of n floats).
// For n in {32, 64, 96, 128} (bf16_mlp_hidden_fits); requires bf16_supported().
bool bf16_mlp_hidden_fits(int n);
void bf16_mlp_hidden(int m, int k, int n, const float* z, const float* w1t, const float* b1, float alpha, uint32_t* h);

// The oracle: the same bfloat16 operands, products and sums in double, for tests.
void bf16_gemm_nt_naive(int m, const float* A, int lda, const float* W, int n, int k, float* C, int ldc);

}  // namespace gan
