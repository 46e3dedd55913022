#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu.h"
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

// Our A·Bᵀ kernel (taken for K >= 256 where the CPU has AVX-512) against the naive loop: odd row and
// column counts (edge tiles), K with and without a partial 16-lane tail, padded and unaligned strides,
// alpha and beta; nothing outside the M × N block of C is written.
TEST(Gemm, OwnLongRowKernelMatchesNaive) {
    if (!gemm_takes_own_kernel(false, true, 784, 784)) GTEST_SKIP() << "none of our kernels on this CPU";
    Rng rng(13);
    struct Case { int M, N, K, pad; float alpha, beta; };
    for (const Case& c : {Case{100, 128, 784, 0, 1.0f, 0.0f}, Case{7, 5, 256, 3, 1.0f, 0.0f},
                          Case{13, 30, 301, 1, 0.5f, 1.0f}, Case{1, 1, 1000, 0, -2.0f, 0.25f},
                          Case{9, 131, 799, 5, 1.0f, 1.0f}}) {
        const int lda = c.K + c.pad, ldb = c.K + c.pad, ldc = c.N + c.pad;
        std::vector<float> A(size_t(c.M) * lda + 1), B(size_t(c.N) * ldb + 1), C(size_t(c.M) * ldc);
        for (float& v : A) v = rng.uniform(-1, 1);
        for (float& v : B) v = rng.uniform(-1, 1);
        for (float& v : C) v = rng.uniform(-1, 1);
        std::vector<float> want = C;
        ASSERT_TRUE(gemm_takes_own_kernel(false, true, c.K, ldb));
        // + 1: rows that do not start on a 64-byte line still give the right sums.
        gemm(false, true, c.M, c.N, c.K, c.alpha, A.data() + 1, lda, B.data() + 1, ldb, c.beta, C.data(), ldc);
        gemm_naive(false, true, c.M, c.N, c.K, c.alpha, A.data() + 1, lda, B.data() + 1, ldb, c.beta, want.data(), ldc);
        for (int i = 0; i < c.M; ++i)
            for (int j = 0; j < ldc; ++j)
                if (j < c.N)
                    EXPECT_NEAR(C[size_t(i) * ldc + j], want[size_t(i) * ldc + j], 2e-4 * std::sqrt(double(c.K)))
                        << c.M << "x" << c.N << "x" << c.K << " at " << i << "," << j;
                else
                    EXPECT_EQ(C[size_t(i) * ldc + j], want[size_t(i) * ldc + j]) << "wrote past column N";
    }
}

// An element of C depends only on its rows of A and B: rows in one call, in two calls, or as the last
// rows of an edge tile give the same bits (the training step's bitwise tests rely on it).
TEST(Gemm, OwnLongRowKernelIsIndependentOfTiling) {
    if (!gemm_takes_own_kernel(false, true, 784, 784)) GTEST_SKIP() << "none of our kernels on this CPU";
    Rng rng(14);
    const int M = 23, N = 11, K = 790;
    std::vector<float> A(size_t(M) * K), B(size_t(N) * K), C(size_t(M) * N), D(size_t(M) * N);
    for (float& v : A) v = rng.uniform(-1, 1);
    for (float& v : B) v = rng.uniform(-1, 1);
    gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, C.data(), N);
    gemm(false, true, 10, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, D.data(), N);
    gemm(false, true, M - 10, N, K, 1.0f, A.data() + size_t(10) * K, K, B.data(), K, 0.0f, D.data() + 10 * N, N);
    EXPECT_EQ(0, std::memcmp(C.data(), D.data(), C.size() * sizeof(float)));
    for (int j = 0; j < N; ++j) {  // one column at a time: always an edge tile
        std::vector<float> col(M);
        gemm(false, true, M, 1, K, 1.0f, A.data(), K, B.data() + size_t(j) * K, K, 0.0f, col.data(), 1);
        for (int i = 0; i < M; ++i) EXPECT_EQ(col[i], C[size_t(i) * N + j]) << i << "," << j;
    }
}

// Our A·B and Aᵀ·B kernel (B row-major: the step's other GEMMs) against the naive loop: fewer rows than
// a tile, rows not a multiple of 6 (the last tile overlaps the one before it and must not apply beta
// twice), column blocks of 64 with a partial last vector, a block narrower than 16, padded strides.
TEST(Gemm, OwnBroadcastKernelMatchesNaive) {
    if (!gemm_takes_own_kernel(false, false, 784, 128)) GTEST_SKIP() << "none of our kernels on this CPU";
    Rng rng(15);
    struct Case { int M, N, K, pad; float alpha, beta; };
    for (int ta = 0; ta < 2; ++ta)
        for (const Case& c : {Case{100, 128, 784, 0, 1.0f, 0.0f}, Case{3, 16, 17, 2, 1.0f, 1.0f},
                              Case{13, 70, 100, 1, 0.5f, 1.0f}, Case{128, 100, 100, 0, 1.0f, 0.0f},
                              Case{7, 200, 33, 3, -1.0f, 0.5f}, Case{1, 16, 16, 0, 1.0f, 0.0f}}) {
            const int lda = (ta ? c.M : c.K) + c.pad, ldb = c.N + c.pad, ldc = c.N + c.pad;
            ASSERT_TRUE(gemm_takes_own_kernel(ta, false, c.K, ldb));
            std::vector<float> A(size_t(ta ? c.K : c.M) * lda), B(size_t(c.K) * ldb), C(size_t(c.M) * ldc);
            for (float& v : A) v = rng.uniform(-1, 1);
            for (float& v : B) v = rng.uniform(-1, 1);
            for (float& v : C) v = rng.uniform(-1, 1);
            std::vector<float> want = C;
            gemm(ta, false, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, C.data(), ldc);
            gemm_naive(ta, false, c.M, c.N, c.K, c.alpha, A.data(), lda, B.data(), ldb, c.beta, want.data(), ldc);
            for (int i = 0; i < c.M; ++i)
                for (int j = 0; j < ldc; ++j)
                    if (j < c.N)
                        EXPECT_NEAR(C[size_t(i) * ldc + j], want[size_t(i) * ldc + j], 2e-4 * std::sqrt(double(c.K)))
                            << "ta " << ta << " " << c.M << "x" << c.N << "x" << c.K << " at " << i << "," << j;
                    else
                        EXPECT_EQ(C[size_t(i) * ldc + j], want[size_t(i) * ldc + j]) << "wrote past column N";
        }
}

// Each element is one chain of multiply-adds over k: the rows of C in one call or in two give the same
// bits, whatever tile a row falls in.
TEST(Gemm, OwnBroadcastKernelIsIndependentOfTiling) {
    if (!gemm_takes_own_kernel(true, false, 200, 128)) GTEST_SKIP() << "none of our kernels on this CPU";
    Rng rng(16);
    const int M = 29, N = 90, K = 57;
    for (int ta = 0; ta < 2; ++ta) {
        std::vector<float> A(size_t(M) * K), B(size_t(K) * N), C(size_t(M) * N), D(size_t(M) * N);
        for (float& v : A) v = rng.uniform(-1, 1);
        for (float& v : B) v = rng.uniform(-1, 1);
        const int lda = ta ? M : K;
        gemm(ta, false, M, N, K, 1.0f, A.data(), lda, B.data(), N, 0.0f, C.data(), N);
        gemm(ta, false, 11, N, K, 1.0f, A.data(), lda, B.data(), N, 0.0f, D.data(), N);
        gemm(ta, false, M - 11, N, K, 1.0f, ta ? A.data() + 11 : A.data() + size_t(11) * K, lda, B.data(), N, 0.0f,
             D.data() + size_t(11) * N, N);
        EXPECT_EQ(0, std::memcmp(C.data(), D.data(), C.size() * sizeof(float))) << "ta " << ta;
    }
}

// The switch: off, every shape goes to OpenBLAS; on, only the shapes our kernels are for.
TEST(Gemm, OwnKernelsCanBeSwitchedOff) {
    const bool was = gemm_use_own_kernels(false);
    EXPECT_FALSE(gemm_takes_own_kernel(false, true, 784, 784));
    EXPECT_FALSE(gemm_takes_own_kernel(false, false, 784, 128));
    gemm_use_own_kernels(was);
    if (!gemm_own_kernels()) GTEST_SKIP() << "none of our kernels on this CPU";
    EXPECT_TRUE(gemm_takes_own_kernel(false, true, 784, 784));
    // A·Bᵀ with short rows: OpenBLAS with AVX-512 (ours folds 16 lanes per output), ours with AVX2.
    EXPECT_EQ(gemm_takes_own_kernel(false, true, 128, 128), cpu_level() != CpuLevel::avx512);
    EXPECT_FALSE(gemm_takes_own_kernel(true, true, 784, 784));     // Aᵀ·Bᵀ
    EXPECT_FALSE(gemm_takes_own_kernel(false, false, 4096, 4096));  // B far beyond L2
    EXPECT_TRUE(gemm_takes_own_kernel(true, false, 200, 784));
}

// Blocks: B's rows in blocks that fit L2 (A·Bᵀ with K = 4096: blocks of 32 rows), A in blocks of 96 rows
// with a short last block (A·B), against the naive loop.
TEST(Gemm, OwnKernelsBlockLargeOperands) {
    if (!gemm_own_kernels()) GTEST_SKIP() << "none of our kernels on this CPU";
    Rng rng(17);
    struct Case { bool tb; int M, N, K; };
    for (const Case& c : {Case{true, 9, 70, 4096}, Case{false, 197, 40, 300}, Case{false, 100, 33, 7000 / 33}}) {
        const int lda = c.K, ldb = c.tb ? c.K : c.N;
        ASSERT_TRUE(gemm_takes_own_kernel(false, c.tb, c.K, ldb));
        std::vector<float> A(size_t(c.M) * c.K), B(size_t(c.N) * c.K), C(size_t(c.M) * c.N, 1.0f);
        for (float& v : A) v = rng.uniform(-1, 1);
        for (float& v : B) v = rng.uniform(-1, 1);
        std::vector<float> want = C;
        gemm(false, c.tb, c.M, c.N, c.K, 1.0f, A.data(), lda, B.data(), ldb, 1.0f, C.data(), c.N);
        gemm_naive(false, c.tb, c.M, c.N, c.K, 1.0f, A.data(), lda, B.data(), ldb, 1.0f, want.data(), c.N);
        for (size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], want[i], 2e-4 * std::sqrt(double(c.K))) << i;
    }
}

// gemm_exact, the GEMM of the MLP layers and of the split step: against the naive loop for every
// transposition the step uses and shapes our size rules leave to OpenBLAS in gemm() (short K, one
// column, fewer rows than a tile, B beyond L2); then the same product in blocks of rows and in blocks
// of columns, cut at odd places, gives the same bits where gemm_exact_is_bitwise().
TEST(GemmExact, MatchesNaiveAndIsIndependentOfTheSplit) {
    Rng rng(18);
    struct Case { bool ta, tb; int M, N, K; };
    for (const Case& c : {Case{false, true, 37, 128, 100}, Case{false, true, 37, 784, 128}, Case{false, true, 23, 1, 128},
                          Case{false, true, 5, 19, 7}, Case{true, false, 128, 100, 9}, Case{true, false, 41, 784, 1024},
                          Case{false, false, 37, 784, 128}, Case{false, false, 4, 70, 2000}, Case{true, false, 3, 9, 1}}) {
        const int lda = c.ta ? c.M : c.K, ldb = c.tb ? c.K : c.N;
        std::vector<float> A(size_t(c.M) * c.K), B(size_t(c.N) * c.K), C(size_t(c.M) * c.N, 0.5f);
        for (float& v : A) v = rng.uniform(-1, 1);
        for (float& v : B) v = rng.uniform(-1, 1);
        std::vector<float> want = C, rows = C, cols = C;
        const std::string what = std::to_string(c.ta) + std::to_string(c.tb) + " " + std::to_string(c.M) + "x" +
                                 std::to_string(c.N) + "x" + std::to_string(c.K);
        gemm_exact(c.ta, c.tb, c.M, c.N, c.K, 0.75f, A.data(), lda, B.data(), ldb, 1.0f, C.data(), c.N);
        gemm_naive(c.ta, c.tb, c.M, c.N, c.K, 0.75f, A.data(), lda, B.data(), ldb, 1.0f, want.data(), c.N);
        for (size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], want[i], 2e-4 * std::sqrt(double(c.K))) << what;
        if (!gemm_exact_is_bitwise()) continue;
        for (int i0 = 0, step = 1; i0 < c.M; i0 += step, step += 2) {  // blocks of 1, 3, 5, ... rows
            const int m = std::min(step, c.M - i0);
            const float* a = c.ta ? A.data() + i0 : A.data() + size_t(i0) * lda;
            gemm_exact(c.ta, c.tb, m, c.N, c.K, 0.75f, a, lda, B.data(), ldb, 1.0f, rows.data() + size_t(i0) * c.N, c.N);
        }
        EXPECT_EQ(0, std::memcmp(C.data(), rows.data(), C.size() * sizeof(float))) << what << " by rows";
        for (int j0 = 0, step = 1; j0 < c.N; j0 += step, step += 3) {  // blocks of 1, 4, 7, ... columns
            const int n = std::min(step, c.N - j0);
            const float* b = c.tb ? B.data() + size_t(j0) * ldb : B.data() + j0;
            gemm_exact(c.ta, c.tb, c.M, n, c.K, 0.75f, A.data(), lda, b, ldb, 1.0f, cols.data() + j0, c.N);
        }
        EXPECT_EQ(0, std::memcmp(C.data(), cols.data(), C.size() * sizeof(float))) << what << " by columns";
    }
}
