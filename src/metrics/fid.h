// Fréchet distance between Gaussians fitted to two sets of features (Heusel et al. 2017, "GANs
// trained by a two time-scale update rule converge to a local Nash equilibrium"):
//   FID = |μ1 − μ2|² + tr Σ1 + tr Σ2 − 2 tr (Σ1^½ Σ2 Σ1^½)^½
// Everything in double precision. The matrix square roots come from LAPACK's symmetric
// eigen-decomposition (dsyevd, divide and conquer, through LAPACKE on OpenBLAS); tiny negative
// eigenvalues from rounding are clamped to 0.
#pragma once
#include <cstddef>
#include <vector>

namespace gan {

struct Gaussian {
    int d = 0;
    size_t n = 0;                // samples it was fitted to
    std::vector<double> mean;    // (d)
    std::vector<double> cov;     // (d, d), unbiased (n − 1), as numpy.cov
};

// Fits mean and covariance to n rows of d floats (two passes, order-independent up to rounding
// of double sums taken in row order). Needs n >= 2.
Gaussian gaussian_fit(const float* x, size_t n, int d);

double fid(const Gaussian& a, const Gaussian& b);

// Symmetric eigen-decomposition (LAPACK dsyevd): a (n, n) symmetric, row-major; writes eigenvalues (n, ascending) and eigenvectors as the
// columns of vecs (n, n), so a = V diag(vals) Vᵀ. Throws if a is not symmetric.
void sym_eigen(const double* a, int n, double* vals, double* vecs);

// Trace of the square root of Σ1^½ Σ2 Σ1^½ (= Σ √λ(Σ1 Σ2)).
double trace_sqrt_product(const std::vector<double>& s1, const std::vector<double>& s2, int d);

}  // namespace gan
