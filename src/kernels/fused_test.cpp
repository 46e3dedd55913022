#include "kernels/fused.h"

#include "core/cpu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.h"
#include "kernels/activations.h"

using namespace gan;

namespace {

std::vector<float> random_vec(size_t n, Rng& rng, float lo = -3.0f, float hi = 3.0f) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.uniform(lo, hi);
    return v;
}

// Distance in representable floats between a float and the exact value (rounded to float first).
double ulps(float got, double exact) {
    float want = float(exact);
    if (got == want) return 0;
    double ulp = std::nextafter(std::fabs(want), INFINITY) - std::fabs(want);
    return std::fabs(double(got) - exact) / ulp;
}

}  // namespace

TEST(Fused, BiasLeakyReluIsBitwiseBiasThenActivation) {
    Rng rng(1);
    const int N = 7, OUT = 37;  // vector lanes and a scalar tail
    auto y = random_vec(size_t(N) * OUT, rng), b = random_vec(OUT, rng);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    y[3] = -b[3], y[4] = nan, y[5] = -0.0f, b[5] = -0.0f, y[40] = 1e30f, y[41] = -1e30f;
    std::vector<float> want = y, got = y;
    for (int i = 0; i < N; ++i)
        for (int o = 0; o < OUT; ++o) want[size_t(i) * OUT + o] += b[o];
    leaky_relu_forward(want.data(), want.data(), want.size(), 0.01f);
    bias_leaky_relu_forward(got.data(), b.data(), N, OUT, 0.01f);
    EXPECT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)));
}

TEST(Fused, LeakyBackwardFromOutputIsBitwiseTheLayerKernel) {
    Rng rng(2);
    const size_t n = 101;
    auto x = random_vec(n, rng), dy = random_vec(n, rng);
    x[2] = 0.0f, x[3] = -0.0f, x[9] = std::numeric_limits<float>::quiet_NaN(), dy[10] = -0.0f;
    std::vector<float> y(n), want(n), got(n);
    leaky_relu_forward(y.data(), x.data(), n, 0.2f);
    leaky_relu_backward(want.data(), dy.data(), x.data(), n, 0.2f);
    leaky_relu_backward_from_output(got.data(), dy.data(), y.data(), n, 0.2f);
    EXPECT_EQ(0, std::memcmp(want.data(), got.data(), n * sizeof(float)));
}

TEST(Fused, BiasGradAddSumsRowsInOrder) {
    std::vector<float> dy = {1, 2, 3, 4, 5, 6}, db = {10, 20, 30};
    bias_grad_add(db.data(), dy.data(), 2, 3, 3);
    EXPECT_EQ(db, (std::vector<float>{15, 27, 39}));
    // Columns [1, 3) of the same rows (ld 3), as a split over blocks of columns calls it.
    std::vector<float> block = {0, 0};
    bias_grad_add(block.data(), dy.data() + 1, 2, 2, 3);
    EXPECT_EQ(block, (std::vector<float>{7, 9}));
}

// A dense sweep of the float line: every 1009th float in [-12, 12] plus the neighbourhood of the
// branch point, against tanh in double precision.
TEST(Fused, TanhFastWithinTwoUlp) {
    std::vector<float> xs;
    for (uint32_t bits = 0; bits < 0x41400000u; bits += 1009) {  // 0 .. 12
        float v;
        std::memcpy(&v, &bits, 4);
        xs.push_back(v);
        xs.push_back(-v);
    }
    for (float v = 0.54f; v < 0.56f; v = std::nextafter(v, 1.0f)) xs.push_back(v);
    std::vector<float> ys(xs.size());
    tanh_fast(ys.data(), xs.data(), xs.size());
    double worst = 0;
    float worst_x = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
        double u = ulps(ys[i], std::tanh(double(xs[i])));
        if (u > worst) worst = u, worst_x = xs[i];
    }
    std::printf("tanh_fast: worst %.2f ulp at x = %.9g\n", worst, worst_x);
    // Without AVX2, tanh_fast is the C library's tanhf: glibc documents 2 ulp, and against the
    // double-precision value it can be a little worse (BENCHMARKS.md), hence the wider bound.
    EXPECT_LE(worst, cpu_avx2() ? 2.0 : 2.5) << "at x = " << worst_x;
    float special[5] = {0.0f, -0.0f, 100.0f, -100.0f, std::numeric_limits<float>::quiet_NaN()}, out[5];
    tanh_fast(out, special, 5);
    EXPECT_EQ(out[0], 0.0f);
    EXPECT_TRUE(std::signbit(out[1]));
    EXPECT_EQ(out[2], 1.0f);
    EXPECT_EQ(out[3], -1.0f);
    EXPECT_TRUE(std::isnan(out[4]));
}

// Every byte value, at every position of an 8-lane group and in the scalar tail, gives bitwise the
// tutorial's x/255·2 - 1; rows come in the order of idx.
TEST(Fused, GatherUnitRangeIsTheTutorialsNormalisation) {
    const size_t img = 263;  // 32 groups of 8 and a tail of 7
    std::vector<uint8_t> images(3 * img);
    for (size_t i = 0; i < images.size(); ++i) images[i] = uint8_t((i * 7 + i / 256) % 256);
    const uint32_t idx[4] = {2, 0, 2, 1};
    std::vector<float> out(4 * img);
    gather_unit_range(out.data(), images.data(), idx, 4, img);
    for (size_t b = 0; b < 4; ++b)
        for (size_t k = 0; k < img; ++k) {
            volatile float x = float(images[idx[b] * img + k]);
            volatile float q = x / 255.0f;
            const float want = q * 2.0f - 1.0f;
            ASSERT_EQ(out[b * img + k], want) << b << "," << k;
        }
    std::vector<uint8_t> all(256);
    for (int i = 0; i < 256; ++i) all[size_t(i)] = uint8_t(i);
    const uint32_t zero = 0;
    std::vector<float> v(256);
    gather_unit_range(v.data(), all.data(), &zero, 1, 256);
    EXPECT_EQ(v[0], -1.0f);
    EXPECT_EQ(v[255], 1.0f);
    for (int i = 1; i < 256; ++i) EXPECT_GT(v[size_t(i)], v[size_t(i - 1)]);
}
