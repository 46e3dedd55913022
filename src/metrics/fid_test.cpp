#include "metrics/fid.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/check.h"
#include "core/rng.h"

using namespace gan;

namespace {

// A random symmetric positive-definite matrix B Bᵀ + eps I.
std::vector<double> random_spd(int d, Rng& rng, double eps = 0.1) {
    std::vector<double> b(size_t(d) * d), a(size_t(d) * d, 0.0);
    for (double& v : b) v = rng.normal();
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j) {
            for (int k = 0; k < d; ++k) a[size_t(i) * d + j] += b[size_t(i) * d + k] * b[size_t(j) * d + k] / d;
            if (i == j) a[size_t(i) * d + j] += eps;
        }
    return a;
}

Gaussian gaussian(std::vector<double> mean, std::vector<double> cov) {
    Gaussian g;
    g.d = int(mean.size()), g.n = 1000, g.mean = std::move(mean), g.cov = std::move(cov);
    return g;
}

}  // namespace

TEST(SymEigen, ReconstructsTheMatrixWithOrthonormalVectors) {
    Rng rng(1);
    for (int d : {1, 2, 5, 40, 128}) {
        auto a = random_spd(d, rng);
        std::vector<double> vals(d), v(size_t(d) * d);
        sym_eigen(a.data(), d, vals.data(), v.data());
        for (int j = 1; j < d; ++j) EXPECT_LE(vals[j - 1], vals[j]);
        double worst = 0, worst_orth = 0;
        for (int i = 0; i < d; ++i)
            for (int j = 0; j < d; ++j) {
                double r = 0, o = 0;
                for (int k = 0; k < d; ++k) {
                    r += v[size_t(i) * d + k] * vals[k] * v[size_t(j) * d + k];
                    o += v[size_t(k) * d + i] * v[size_t(k) * d + j];
                }
                worst = std::max(worst, std::fabs(r - a[size_t(i) * d + j]));
                worst_orth = std::max(worst_orth, std::fabs(o - (i == j)));
            }
        EXPECT_LT(worst, 1e-10) << "d=" << d;
        EXPECT_LT(worst_orth, 1e-10) << "d=" << d;
    }
}

TEST(SymEigen, ClosedForm2x2AndDiagonal) {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    const double a[4] = {2, 1, 1, 2};
    double vals[2], v[4];
    sym_eigen(a, 2, vals, v);
    EXPECT_NEAR(vals[0], 1.0, 1e-14);
    EXPECT_NEAR(vals[1], 3.0, 1e-14);
    EXPECT_NEAR(std::fabs(v[0]), std::sqrt(0.5), 1e-14);
    const double diag[9] = {3, 0, 0, 0, -1, 0, 0, 0, 2};
    double dv[3], dvec[9];
    sym_eigen(diag, 3, dv, dvec);
    EXPECT_EQ(dv[0], -1.0);
    EXPECT_EQ(dv[1], 2.0);
    EXPECT_EQ(dv[2], 3.0);
    const double asym[4] = {1, 2, 3, 4};
    EXPECT_THROW(sym_eigen(asym, 2, vals, v), Error);
}

TEST(Fid, IdenticalGaussiansScoreZero) {
    Rng rng(2);
    auto cov = random_spd(128, rng);
    std::vector<double> mean(128);
    for (double& m : mean) m = rng.normal();
    Gaussian g = gaussian(mean, cov);
    EXPECT_NEAR(fid(g, g), 0.0, 1e-8);
}

TEST(Fid, DiagonalCovariancesMatchTheClosedForm) {
    // Commuting covariances: FID = |μ1 − μ2|² + Σ (√a_i − √b_i)².
    const int d = 6;
    std::vector<double> m1(d), m2(d), c1(d * d, 0.0), c2(d * d, 0.0);
    double expect = 0;
    for (int i = 0; i < d; ++i) {
        m1[i] = 0.5 * i, m2[i] = -0.25 * i;
        double a = 1.0 + i, b = 0.5 + 2.0 * i;
        c1[i * d + i] = a, c2[i * d + i] = b;
        expect += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (std::sqrt(a) - std::sqrt(b)) * (std::sqrt(a) - std::sqrt(b));
    }
    EXPECT_NEAR(fid(gaussian(m1, c1), gaussian(m2, c2)), expect, 1e-10 * expect);
}

TEST(Fid, NonCommuting2x2MatchesTheClosedForm) {
    // For 2x2 PSD M, tr √M = √(tr M + 2 √det M); with M = Σ1^½ Σ2 Σ1^½: tr M = tr Σ1Σ2, det M = det Σ1 det Σ2.
    const std::vector<double> s1 = {2.0, 0.7, 0.7, 1.0}, s2 = {0.5, -0.3, -0.3, 3.0};
    const double tr12 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
    const double det = (s1[0] * s1[3] - s1[1] * s1[2]) * (s2[0] * s2[3] - s2[1] * s2[2]);
    const double trsqrt = std::sqrt(tr12 + 2 * std::sqrt(det));
    EXPECT_NEAR(trace_sqrt_product(s1, s2, 2), trsqrt, 1e-12);
    const double expect = 1.0 * 1.0 + 2.0 * 2.0 + (2.0 + 1.0) + (0.5 + 3.0) - 2 * trsqrt;
    EXPECT_NEAR(fid(gaussian({0, 0}, s1), gaussian({1, 2}, s2)), expect, 1e-12);
    EXPECT_NEAR(fid(gaussian({1, 2}, s2), gaussian({0, 0}, s1)), expect, 1e-12);  // symmetric
}

TEST(Fid, SampledGaussiansApproachTheClosedForm) {
    // Two synthetic Gaussians drawn as x = μ + L z: the FID of the fitted moments converges to the
    // closed form of the true ones.
    Rng rng(3);
    const int d = 3;
    const size_t n = 200000;
    const double L1[9] = {1.0, 0, 0, 0.5, 0.8, 0, -0.3, 0.2, 0.6};
    const double L2[9] = {0.7, 0, 0, -0.4, 1.2, 0, 0.1, 0.5, 0.9};
    const double mu1[3] = {0, 0, 0}, mu2[3] = {0.5, -1.0, 0.25};
    std::vector<float> x1(n * d), x2(n * d);
    for (int s = 0; s < 2; ++s) {
        const double* L = s ? L2 : L1;
        const double* mu = s ? mu2 : mu1;
        std::vector<float>& x = s ? x2 : x1;
        for (size_t i = 0; i < n; ++i) {
            double z[3] = {rng.normal(), rng.normal(), rng.normal()};
            for (int r = 0; r < d; ++r) x[i * d + r] = float(mu[r] + L[r * 3] * z[0] + L[r * 3 + 1] * z[1] + L[r * 3 + 2] * z[2]);
        }
    }
    auto cov_of = [&](const double* L) {
        std::vector<double> c(9, 0.0);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 3; ++k) c[i * 3 + j] += L[i * 3 + k] * L[j * 3 + k];
        return c;
    };
    const double exact = fid(gaussian({mu1[0], mu1[1], mu1[2]}, cov_of(L1)), gaussian({mu2[0], mu2[1], mu2[2]}, cov_of(L2)));
    const double sampled = fid(gaussian_fit(x1.data(), n, d), gaussian_fit(x2.data(), n, d));
    EXPECT_GT(exact, 1.0);
    EXPECT_NEAR(sampled, exact, 0.02 * exact);
}

TEST(Fid, ValuesOfTheEarlierJacobiSolver) {
    // FID of random Gaussians of 4 to 128 dimensions (128: the classifier's feature space), pinned to
    // the values the cyclic Jacobi eigen-solver gave before LAPACK's dsyevd replaced it.
    const struct {
        int d;
        double fid, trace_sqrt;
    } cases[] = {{4, 22.653156538725991, 4.2423932823954047},
                 {16, 41.946608480605747, 14.307609122436768},
                 {64, 164.76921517419413, 57.573037101190806},
                 {128, 361.96684277384031, 113.76999791926691}};
    for (const auto& c : cases) {
        Rng rng(uint64_t(100 + c.d));
        std::vector<double> m1, m2;
        for (int j = 0; j < c.d; ++j) {
            m1.push_back(rng.normal());
            m2.push_back(rng.normal());
        }
        std::vector<double> s1 = random_spd(c.d, rng), s2 = random_spd(c.d, rng);
        EXPECT_NEAR(trace_sqrt_product(s1, s2, c.d), c.trace_sqrt, 1e-6 * c.trace_sqrt) << "d " << c.d;
        EXPECT_NEAR(fid(gaussian(m1, s1), gaussian(m2, s2)), c.fid, 1e-6 * c.fid) << "d " << c.d;
    }
}

TEST(GaussianFit, UnbiasedCovarianceLikeNumpy) {
    // numpy.cov([[1, 2, 3, 4]]) = 1.6667; means of (1, 2, 3, 4) and (2, 4, 6, 9).
    const float x[8] = {1, 2, 2, 4, 3, 6, 4, 9};
    Gaussian g = gaussian_fit(x, 4, 2);
    EXPECT_NEAR(g.mean[0], 2.5, 1e-12);
    EXPECT_NEAR(g.mean[1], 5.25, 1e-12);
    EXPECT_NEAR(g.cov[0], 5.0 / 3.0, 1e-12);
    EXPECT_NEAR(g.cov[1], g.cov[2], 1e-15);
    EXPECT_NEAR(g.cov[1], (-1.5 * -3.25 + -0.5 * -1.25 + 0.5 * 0.75 + 1.5 * 3.75) / 3.0, 1e-12);
    EXPECT_THROW(gaussian_fit(x, 1, 2), Error);
}
