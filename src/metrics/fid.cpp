#include "metrics/fid.h"

#include <lapacke.h>

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace gan {

Gaussian gaussian_fit(const float* x, size_t n, int d) {
    GAN_CHECK(n >= 2 && d >= 1, "a Gaussian needs at least 2 samples of at least 1 dimension");
    Gaussian g;
    g.d = d, g.n = n;
    g.mean.assign(d, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (int j = 0; j < d; ++j) g.mean[j] += x[i * d + j];
    for (double& m : g.mean) m /= double(n);
    g.cov.assign(size_t(d) * d, 0.0);
    std::vector<double> c(d);
    for (size_t i = 0; i < n; ++i) {
        for (int j = 0; j < d; ++j) c[j] = x[i * d + j] - g.mean[j];
        for (int j = 0; j < d; ++j) {
            const double cj = c[j];
            double* row = g.cov.data() + size_t(j) * d;
            for (int k = j; k < d; ++k) row[k] += cj * c[k];  // upper triangle
        }
    }
    for (int j = 0; j < d; ++j)
        for (int k = j; k < d; ++k) {
            double v = g.cov[size_t(j) * d + k] / double(n - 1);
            g.cov[size_t(j) * d + k] = g.cov[size_t(k) * d + j] = v;
        }
    return g;
}

void sym_eigen(const double* in, int n, double* vals, double* vecs) {
    GAN_CHECK(n >= 1, "sym_eigen: the matrix is empty");
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) {
            const double aij = in[size_t(i) * n + j], aji = in[size_t(j) * n + i];
            GAN_CHECK(std::fabs(aij - aji) <= 1e-9 * (std::fabs(aij) + std::fabs(aji)) + 1e-300,
                      "sym_eigen: matrix is not symmetric");
        }
    // dsyevd overwrites the matrix with the eigenvectors (as columns, row-major here) and reads the
    // upper triangle only.
    std::copy(in, in + size_t(n) * n, vecs);
    const lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', n, vecs, n, vals);
    GAN_CHECK(info == 0, "sym_eigen: LAPACK dsyevd failed (info ", info, ")");
}

// a (n, n) · b (n, n), row-major.
static std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b, int n) {
    std::vector<double> c(size_t(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < n; ++k) {
            const double aik = a[size_t(i) * n + k];
            const double* bk = b.data() + size_t(k) * n;
            double* ci = c.data() + size_t(i) * n;
            for (int j = 0; j < n; ++j) ci[j] += aik * bk[j];
        }
    return c;
}

double trace_sqrt_product(const std::vector<double>& s1, const std::vector<double>& s2, int d) {
    std::vector<double> vals(d), vecs(size_t(d) * d);
    sym_eigen(s1.data(), d, vals.data(), vecs.data());
    // root = V diag(√λ) Vᵀ
    std::vector<double> scaled(size_t(d) * d), vt(size_t(d) * d);
    for (int i = 0; i < d; ++i)
        for (int j = 0; j < d; ++j) {
            scaled[size_t(i) * d + j] = vecs[size_t(i) * d + j] * std::sqrt(std::max(vals[j], 0.0));
            vt[size_t(j) * d + i] = vecs[size_t(i) * d + j];
        }
    std::vector<double> root = matmul(scaled, vt, d);
    std::vector<double> m = matmul(matmul(root, s2, d), root, d);
    for (int i = 0; i < d; ++i)  // symmetrise away rounding so sym_eigen sees a symmetric matrix
        for (int j = i + 1; j < d; ++j) {
            double avg = 0.5 * (m[size_t(i) * d + j] + m[size_t(j) * d + i]);
            m[size_t(i) * d + j] = m[size_t(j) * d + i] = avg;
        }
    sym_eigen(m.data(), d, vals.data(), vecs.data());
    double tr = 0;
    for (double l : vals) tr += std::sqrt(std::max(l, 0.0));
    return tr;
}

double fid(const Gaussian& a, const Gaussian& b) {
    GAN_CHECK(a.d == b.d && a.d > 0, "FID needs two Gaussians of the same dimension");
    const int d = a.d;
    double dist = 0, tr = 0;
    for (int j = 0; j < d; ++j) {
        const double diff = a.mean[j] - b.mean[j];
        dist += diff * diff;
        tr += a.cov[size_t(j) * d + j] + b.cov[size_t(j) * d + j];
    }
    return std::max(0.0, dist + tr - 2 * trace_sqrt_product(a.cov, b.cov, d));
}

}  // namespace gan
