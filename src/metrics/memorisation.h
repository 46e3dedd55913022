// Memorisation check: does the generator copy its training set? In the classifier's feature space,
// take each held-out test image's distance to its nearest training image; a sample is "memorised"
// when it is closer to a training image than all but `quantile` of test images are. Real held-out
// data scores `quantile` (1 %) by construction, a generator that copies training images close to
// 100 %. (Meehan et al. 2020 and Alaa et al. 2022 build on the same comparison.)
#pragma once
#include <cstddef>
#include <vector>

namespace gan {

struct MemorisationReference {
    float threshold = 0;             // squared feature distance: the quantile of test→train distances
    double quantile = 0.01;
    double median_test_distance = 0;  // median test→train nearest distance (not squared)
};

// test_to_train: squared nearest-train distances of the test images (nearest_sq_dists).
MemorisationReference memorisation_reference(std::vector<float> test_to_train, double quantile = 0.01);

struct Memorisation {
    double share = 0;         // samples below the threshold
    double median_ratio = 0;  // median sample→train distance / median test→train distance
};

Memorisation memorisation(const std::vector<float>& sample_to_train, const MemorisationReference& ref);

}  // namespace gan
