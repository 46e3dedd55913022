#include "metrics/prdc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/rng.h"
#include "metrics/memorisation.h"

using namespace gan;

namespace {

std::vector<float> cloud(size_t n, int d, float centre, float spread, Rng& rng) {
    std::vector<float> x(n * d);
    for (float& v : x) v = centre + spread * rng.normal();
    return x;
}

double sq(const float* a, const float* b, int d) {
    double s = 0;
    for (int j = 0; j < d; ++j) s += double(a[j] - b[j]) * (a[j] - b[j]);
    return s;
}

// The definitions, by brute force in double precision.
Prdc prdc_naive(const std::vector<float>& r, size_t m, const std::vector<float>& f, size_t n, int d, int k) {
    auto radii = [&](const std::vector<float>& x, size_t cnt) {
        std::vector<double> out(cnt);
        for (size_t i = 0; i < cnt; ++i) {
            std::vector<double> ds;
            for (size_t j = 0; j < cnt; ++j)
                if (j != i) ds.push_back(sq(&x[i * d], &x[j * d], d));
            std::sort(ds.begin(), ds.end());
            out[i] = ds[k - 1];
        }
        return out;
    };
    auto rr = radii(r, m), fr = radii(f, n);
    Prdc p;
    for (size_t i = 0; i < n; ++i) {
        int c = 0;
        for (size_t j = 0; j < m; ++j) c += sq(&f[i * d], &r[j * d], d) <= rr[j];
        p.precision += c > 0;
        p.density += c;
    }
    for (size_t j = 0; j < m; ++j) {
        bool rec = false, cov = false;
        for (size_t i = 0; i < n; ++i) {
            double v = sq(&f[i * d], &r[j * d], d);
            rec |= v <= fr[i];
            cov |= v <= rr[j];
        }
        p.recall += rec, p.coverage += cov;
    }
    p.precision /= n, p.density /= double(k) * n, p.recall /= m, p.coverage /= m;
    return p;
}

}  // namespace

TEST(Prdc, MatchesTheDefinitions) {
    Rng rng(1);
    const int d = 8, k = 5;
    const size_t m = 300, n = 200;
    auto real = cloud(m, d, 0.0f, 1.0f, rng), fake = cloud(n, d, 0.4f, 0.8f, rng);
    Prdc fast = prdc(real.data(), m, fake.data(), n, d, k), slow = prdc_naive(real, m, fake, n, d, k);
    EXPECT_NEAR(fast.precision, slow.precision, 1.5 / n);  // float vs double distances may flip a tie
    EXPECT_NEAR(fast.recall, slow.recall, 1.5 / m);
    EXPECT_NEAR(fast.density, slow.density, 1e-2);
    EXPECT_NEAR(fast.coverage, slow.coverage, 1.5 / m);
    EXPECT_GT(slow.precision, 0.3);
    EXPECT_LT(slow.precision, 1.0);
}

TEST(Prdc, SameSetIsPerfectFarSetIsZero) {
    Rng rng(2);
    const int d = 4;
    auto real = cloud(100, d, 0.0f, 1.0f, rng);
    Prdc same = prdc(real.data(), 100, real.data(), 100, d, 5);
    EXPECT_EQ(same.precision, 1.0);
    EXPECT_EQ(same.recall, 1.0);
    EXPECT_EQ(same.coverage, 1.0);
    auto far = cloud(100, d, 100.0f, 1.0f, rng);
    Prdc apart = prdc(real.data(), 100, far.data(), 100, d, 5);
    EXPECT_EQ(apart.precision, 0.0);
    EXPECT_EQ(apart.recall, 0.0);
    EXPECT_EQ(apart.density, 0.0);
    EXPECT_EQ(apart.coverage, 0.0);
}

TEST(Prdc, IndependentOfTheDistanceBlockSize) {
    Rng rng(3);
    auto a = cloud(700, 16, 0.0f, 1.0f, rng), b = cloud(300, 16, 0.2f, 1.0f, rng);
    std::vector<float> d1(700 * 300), d2(700 * 300);
    distance_blocks(a.data(), 700, b.data(), 300, 16, [&](size_t i0, size_t rows, const float* d) {
        std::copy(d, d + rows * 300, d1.begin() + i0 * 300);
    }, 256);
    distance_blocks(a.data(), 700, b.data(), 300, 16, [&](size_t i0, size_t rows, const float* d) {
        std::copy(d, d + rows * 300, d2.begin() + i0 * 300);
    }, 13);
    for (size_t i = 0; i < d1.size(); ++i) ASSERT_NEAR(d1[i], d2[i], 1e-4f * (1 + d1[i]));
    for (size_t i = 0; i < 700; i += 97)
        for (size_t j = 0; j < 300; j += 31) EXPECT_NEAR(d1[i * 300 + j], sq(&a[i * 16], &b[j * 16], 16), 1e-3);
}

TEST(Memorisation, CopiesScoreOneHeldOutScoresTheQuantile) {
    Rng rng(4);
    const int d = 8;
    auto train = cloud(2000, d, 0.0f, 1.0f, rng), test = cloud(1000, d, 0.0f, 1.0f, rng);
    auto fresh = cloud(1000, d, 0.0f, 1.0f, rng);
    MemorisationReference ref = memorisation_reference(nearest_sq_dists(test.data(), 1000, train.data(), 2000, d));
    EXPECT_NEAR(memorisation(nearest_sq_dists(test.data(), 1000, train.data(), 2000, d), ref).share, 0.01, 1e-9);
    Memorisation copies = memorisation(nearest_sq_dists(train.data(), 500, train.data(), 2000, d), ref);
    EXPECT_EQ(copies.share, 1.0);
    EXPECT_EQ(copies.median_ratio, 0.0);
    Memorisation other = memorisation(nearest_sq_dists(fresh.data(), 1000, train.data(), 2000, d), ref);
    EXPECT_LT(other.share, 0.04);
    EXPECT_NEAR(other.median_ratio, 1.0, 0.1);
}
