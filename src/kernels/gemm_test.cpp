#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"

using namespace gan;

// The BLAS wrapper against the naive loop, for every transposition, with alpha/beta and padded strides.
TEST(Gemm, MatchesNaiveForAllTranspositions) {
    Rng rng(11);
    const int M = 37, N = 29, K = 53, pad = 3;
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            const int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
            std::vector<float> A(size_t(ta ? K : M) * lda), B(size_t(tb ? N : K) * ldb), C(size_t(M) * ldc);
            for (float& v : A) v = rng.uniform(-1, 1);
            for (float& v : B) v = rng.uniform(-1, 1);
            for (float& v : C) v = rng.uniform(-1, 1);
            std::vector<float> C_ref = C;
            gemm(ta, tb, M, N, K, 0.75f, A.data(), lda, B.data(), ldb, 0.5f, C.data(), ldc);
            gemm_naive(ta, tb, M, N, K, 0.75f, A.data(), lda, B.data(), ldb, 0.5f, C_ref.data(), ldc);
            for (int i = 0; i < M; ++i)
                for (int j = 0; j < ldc; ++j) EXPECT_NEAR(C[i * ldc + j], C_ref[i * ldc + j], 1e-4) << ta << tb;
        }
}

TEST(Gemm, ModelShapes) {
    // The classic step's largest GEMM: (100 x 784) x (784 x 128).
    Rng rng(12);
    const int M = 100, N = 128, K = 784;
    std::vector<float> A(M * K), B(N * K), C(M * N), C_ref(M * N);
    for (float& v : A) v = rng.uniform(-1, 1);
    for (float& v : B) v = rng.uniform(-1, 1);
    gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C.data(), N);
    gemm_naive(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C_ref.data(), N);
    for (int i = 0; i < M * N; ++i) EXPECT_NEAR(C[i], C_ref[i], 1e-3);
}
