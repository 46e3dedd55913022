// Nearest-neighbour metrics in a feature space, all on squared Euclidean distances computed
// blockwise as |a|² + |b|² − 2 a·b with one GEMM per block (memory stays O(block · n)).
//   precision, recall  Kynkäänniemi et al. 2019, "Improved precision and recall metric for assessing
//                      generative models": the share of fakes inside the union of the real k-NN
//                      balls, and of reals inside the union of the fake k-NN balls;
//   density, coverage  Naeem et al. 2020, "Reliable fidelity and diversity metrics for generative
//                      models": (1/kN) Σ_fakes #real balls containing the fake, and the share of reals
//                      whose ball contains at least one fake.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace gan {

// Calls fn(i0, rows, d2) for consecutive blocks of rows of A (na, d): d2 (rows, nb) holds the
// squared distances from A[i0 .. i0+rows) to every row of B (nb, d), clamped at 0.
void distance_blocks(const float* a, size_t na, const float* b, size_t nb, int d,
                     const std::function<void(size_t i0, size_t rows, const float* d2)>& fn, size_t block = 256);

// Squared distance from each row of x (n, d) to its k-th nearest other row (the point itself
// excluded by index, duplicates count). Needs n > k.
std::vector<float> knn_radii(const float* x, size_t n, int d, int k);

// Squared distance from each row of a to its nearest row of b.
std::vector<float> nearest_sq_dists(const float* a, size_t na, const float* b, size_t nb, int d);

struct Prdc {
    double precision = 0, recall = 0, density = 0, coverage = 0;
};

// real (m, d), fake (n, d); real_radii = knn_radii(real, m, d, k) (pass it to reuse across calls).
Prdc prdc(const float* real, size_t m, const float* fake, size_t n, int d, int k,
          const std::vector<float>* real_radii = nullptr);

}  // namespace gan
