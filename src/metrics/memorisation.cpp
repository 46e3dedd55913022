#include "metrics/memorisation.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace gan {

static double median_sqrt(std::vector<float> v) {
    auto mid = v.begin() + v.size() / 2;
    std::nth_element(v.begin(), mid, v.end());
    return std::sqrt(double(*mid));
}

MemorisationReference memorisation_reference(std::vector<float> d, double quantile) {
    GAN_CHECK(!d.empty() && quantile > 0 && quantile < 1, "memorisation reference needs distances and a quantile in (0, 1)");
    MemorisationReference r;
    r.quantile = quantile;
    r.median_test_distance = median_sqrt(d);
    std::sort(d.begin(), d.end());
    r.threshold = d[std::min(d.size() - 1, size_t(quantile * double(d.size())))];
    return r;
}

Memorisation memorisation(const std::vector<float>& d, const MemorisationReference& ref) {
    GAN_CHECK(!d.empty(), "memorisation needs at least one sample");
    Memorisation m;
    size_t below = 0;
    for (float v : d) below += v < ref.threshold;
    m.share = double(below) / double(d.size());
    m.median_ratio = ref.median_test_distance > 0 ? median_sqrt(d) / ref.median_test_distance : 0.0;
    return m;
}

}  // namespace gan
