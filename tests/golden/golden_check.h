// Comparing gan.cpp's tensors with stored PyTorch ones (golden/golden_tensor.h), for the parity tests.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "golden/golden_tensor.h"

namespace gan::testing {

inline const GoldenTensor& golden_find(const std::vector<GoldenTensor>& g, const std::string& name) {
    for (const GoldenTensor& t : g)
        if (name == t.name) return t;
    throw std::runtime_error("no golden tensor " + name);
}

// |ours - torch| <= tol·max|torch| at every stored index, and the sums agree to tol·Σ|torch|.
inline void expect_golden(const GoldenTensor& want, const float* v, size_t n, double tol, const std::string& what) {
    ASSERT_EQ(size_t(want.size), n) << what << " " << want.name;
    double sum = 0, worst = 0;
    for (size_t i = 0; i < n; ++i) sum += v[i];
    EXPECT_NEAR(sum, want.sum, tol * want.abs_sum + 1e-6) << what << " " << want.name << " sum";
    for (size_t j = 0; j < want.idx.size(); ++j) {
        const double d = std::fabs(v[want.idx[j]] - double(want.val[j]));
        worst = std::max(worst, d / (want.max_abs + 1e-12));
        EXPECT_LE(d, tol * want.max_abs + 1e-7) << what << " " << want.name << "[" << want.idx[j] << "]: ours "
                                                << v[want.idx[j]] << " torch " << want.val[j];
    }
    std::printf("  %-24s %-28s worst |ours - torch| / max|torch| = %.2e\n", what.c_str(), want.name, worst);
}

}  // namespace gan::testing
