#include "kernels/parallel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"

using namespace gan;

namespace {
std::vector<float> randn(size_t n, Rng& r) {
    std::vector<float> v(n);
    for (auto& x : v) x = r.normal();
    return v;
}
}  // namespace

// gemm_split and gemm_rows against the double-precision oracle, every transpose, shapes that split
// by rows and by columns, with alpha/beta.
TEST(Parallel, SplitGemmMatchesNaive) {
    blas_set_threads(1);
    ThreadPool pool(3);
    Rng rng(5);
    for (auto [M, N, K] : {std::tuple{200, 128, 784}, {128, 784, 200}, {37, 300, 90}, {3, 500, 700}})
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                const int lda = ta ? M : K, ldb = tb ? K : N;
                auto A = randn(size_t(M) * K, rng), B = randn(size_t(K) * N, rng), C0 = randn(size_t(M) * N, rng);
                std::vector<float> ref = C0, c1 = C0, c2 = C0;
                gemm_naive(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, ref.data(), N);
                gemm_split(&pool, ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, c1.data(), N);
                std::vector<int> rows_seen(size_t(M), 0);
                gemm_rows(&pool, ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 2.0f, c2.data(), N,
                          [&](size_t b, size_t e) {
                              for (size_t i = b; i < e; ++i) ++rows_seen[i];
                          });
                for (int i = 0; i < M; ++i) EXPECT_EQ(rows_seen[size_t(i)], 1);
                double e1 = 0, e2 = 0;
                for (size_t i = 0; i < ref.size(); ++i) {
                    e1 = std::fmax(e1, std::fabs(c1[i] - ref[i]) / (1 + std::fabs(ref[i])));
                    e2 = std::fmax(e2, std::fabs(c2[i] - ref[i]) / (1 + std::fabs(ref[i])));
                }
                EXPECT_LT(e1, 1e-4) << M << "x" << N << "x" << K << " " << ta << tb;
                EXPECT_LT(e2, 1e-4) << M << "x" << N << "x" << K << " " << ta << tb;
            }
}

TEST(Parallel, ForCoversEachIndexOnce) {
    ThreadPool pool(2);
    for (size_t n : {0, 5, 63, 64, 1000}) {
        std::vector<int> seen(n, 0);
        parallel_for(&pool, n, 8, 0, [&](size_t b, size_t e) {
            for (size_t i = b; i < e; ++i) ++seen[i];
        });
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << n;
        parallel_for(nullptr, n, 8, 0, [&](size_t b, size_t e) {
            for (size_t i = b; i < e; ++i) ++seen[i];
        });
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 2) << n;
    }
}
