#include "kernels/batchnorm_loops.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "core/cpu.h"

using namespace gan;

namespace {

std::vector<float> randn(size_t n, uint32_t seed) {
    std::mt19937 g(seed);
    std::normal_distribution<float> d(0.3f, 1.7f);
    std::vector<float> v(n);
    for (float& x : v) x = d(g);
    return v;
}

bool same_bits(const void* a, const void* b, size_t bytes) { return std::memcmp(a, b, bytes) == 0; }

}  // namespace

// The AVX2 copy of the loops gives the baseline's bits, on channel sizes with and without a vector tail.
TEST(BatchNormLoops, Avx2GivesTheBaselinesBits) {
#if !defined(__x86_64__)
    GTEST_SKIP() << "no AVX2 copy in this build";
#else
    if (!cpu_avx2()) GTEST_SKIP() << "this CPU (or GAN_CPU) does not allow AVX2";
    const BnLoops& b = baseline::bn_loops;
    const BnLoops& v = avx2::bn_loops;
    for (int HW : {1, 7, 8, 49, 196, 203}) {
        const int N = 5, C = 3;
        const size_t n = size_t(N) * C * HW;
        const std::vector<float> x = randn(n, 1 + HW), dy = randn(n, 100 + HW);
        for (int c = 0; c < C; ++c) {
            const double sb = b.sum(x.data(), c, N, C, HW), sv = v.sum(x.data(), c, N, C, HW);
            EXPECT_TRUE(same_bits(&sb, &sv, sizeof sb)) << "sum HW " << HW;
            const double qb = b.centred_ss(x.data(), c, N, C, HW, 0.25), qv = v.centred_ss(x.data(), c, N, C, HW, 0.25);
            EXPECT_TRUE(same_bits(&qb, &qv, sizeof qb)) << "centred_ss HW " << HW;
            double db[2], dv[2];
            b.dy_sums(db, dy.data(), x.data(), 0.3f, c, N, C, HW);
            v.dy_sums(dv, dy.data(), x.data(), 0.3f, c, N, C, HW);
            EXPECT_TRUE(same_bits(db, dv, sizeof db)) << "dy_sums HW " << HW;
            std::vector<float> yb(n, 9.0f), yv(n, 9.0f);
            b.scale_shift(yb.data(), x.data(), 1.3f, -0.7f, c, N, C, HW);
            v.scale_shift(yv.data(), x.data(), 1.3f, -0.7f, c, N, C, HW);
            EXPECT_TRUE(same_bits(yb.data(), yv.data(), n * sizeof(float))) << "scale_shift HW " << HW;
            b.dx(yb.data(), dy.data(), x.data(), 0.9f, 0.11f, -0.37f, 0.3f, c, N, C, HW);
            v.dx(yv.data(), dy.data(), x.data(), 0.9f, 0.11f, -0.37f, 0.3f, c, N, C, HW);
            EXPECT_TRUE(same_bits(yb.data(), yv.data(), n * sizeof(float))) << "dx HW " << HW;
        }
    }
#endif
}
