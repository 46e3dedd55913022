#include "kernels/gemm_bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/rng.h"

using namespace gan;

TEST(Bf16, RoundsToNearestEven) {
    EXPECT_EQ(bf16_from_float(1.0f), 0x3f80);
    EXPECT_EQ(bf16_to_float(0x3f80), 1.0f);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to the even mantissa (1).
    EXPECT_EQ(bf16_to_float(bf16_from_float(1.0f + 0x1p-8f)), 1.0f);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to 1 + 2^-6 (even).
    EXPECT_EQ(bf16_to_float(bf16_from_float(1.0f + 3 * 0x1p-8f)), 1.0f + 0x1p-6f);
    EXPECT_EQ(bf16_to_float(bf16_from_float(1.0f + 0x1p-8f + 0x1p-20f)), 1.0f + 0x1p-7f);  // above half: up
    EXPECT_EQ(bf16_to_float(bf16_from_float(-2.5f)), -2.5f);
    EXPECT_TRUE(std::isnan(bf16_to_float(bf16_from_float(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_TRUE(std::isinf(bf16_to_float(bf16_from_float(std::numeric_limits<float>::infinity()))));
    // Relative error at most 2^-8 (half of the 2^-7 spacing above a power of two) for normal numbers.
    Rng rng(3);
    for (int i = 0; i < 10000; ++i) {
        const float x = rng.uniform(-1000, 1000);
        EXPECT_LE(std::abs(bf16_to_float(bf16_from_float(x)) - x), std::abs(x) * 0x1p-8f) << x;
    }
}

// The vdpbf16ps kernel against the double-precision loop on the same bfloat16 operands: odd m (row
// groups of 6 and their tails), n not a multiple of 16 or 64 (masked last vector, narrow last panel),
// odd k (zero-padded last pair), and the sampler's shape. Entries of C outside n stay untouched.
TEST(Bf16, KernelMatchesNaive) {
    if (!bf16_supported()) GTEST_SKIP() << "this CPU lacks AVX512_BF16";
    Rng rng(5);
    const int shapes[][3] = {{1, 16, 2}, {7, 17, 3}, {13, 64, 128}, {6, 70, 33}, {256, 784, 128}, {5, 130, 1}, {19, 200, 100}};
    for (const auto& s : shapes) {
        const int m = s[0], n = s[1], k = s[2], lda = k + 3, ldc = n + 5;
        std::vector<float> A(size_t(m) * lda), W(size_t(n) * k), C(size_t(m) * ldc, 7.0f), R(size_t(m) * ldc, 7.0f);
        for (float& v : A) v = rng.uniform(-1, 1);
        for (float& v : W) v = rng.uniform(-1, 1);
        Bf16Matrix w;
        bf16_pack_weights(w, W.data(), n, k);
        std::vector<uint32_t> a(size_t(m) * w.kp());
        bf16_pack_rows(a.data(), A.data(), m, k, lda);
        bf16_gemm_nt(m, a.data(), w, C.data(), ldc);
        bf16_gemm_nt_naive(m, A.data(), lda, W.data(), n, k, R.data(), ldc);
        for (int i = 0; i < m; ++i)
            for (int j = 0; j < ldc; ++j) {
                const size_t at = size_t(i) * ldc + j;
                if (j >= n) {
                    ASSERT_EQ(C[at], 7.0f) << "wrote past column " << n;
                    continue;
                }
                // Float accumulation in another order: within k·2^-24 of the sum of |products| (<= k).
                ASSERT_NEAR(C[at], R[at], 1e-6 * k + 1e-6) << m << "x" << n << "x" << k << " at " << i << "," << j;
            }
    }
}

// Against float: the bfloat16 product differs by no more than the rounding of both operands allows.
TEST(Bf16, ErrorAgainstFloatIsBoundedByOperandRounding) {
    Rng rng(6);
    const int m = 9, n = 33, k = 128;
    std::vector<float> A(size_t(m) * k), W(size_t(n) * k), R(size_t(m) * n);
    for (float& v : A) v = rng.uniform(-1, 1);
    for (float& v : W) v = rng.uniform(-1, 1);
    bf16_gemm_nt_naive(m, A.data(), k, W.data(), n, k, R.data(), n);
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
            double exact = 0.0, bound = 0.0;
            for (int q = 0; q < k; ++q) {
                exact += double(A[size_t(i) * k + q]) * W[size_t(j) * k + q];
                bound += std::abs(double(A[size_t(i) * k + q]) * W[size_t(j) * k + q]) * (2 * 0x1p-8 + 0x1p-16);
            }
            EXPECT_LE(std::abs(R[size_t(i) * n + j] - exact), bound + 1e-6);
        }
}
