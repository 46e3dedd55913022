#include "kernels/adam.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"

using namespace gan;

// The vectorised kernel is bitwise the plain scalar loop adam_update_naive (same operations, same fused
// multiply-adds), including the tail that does not fill a vector and tiny, huge and zero gradients.
TEST(AdamKernel, FastKernelIsBitwiseTheNaiveLoop) {
    Rng rng(5);
    const size_t n = 1037;
    const AdamStep k{0.002f, 1.0f, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f};  // lr, √(1-β2ᵗ) as at a late step, β, 1-β, ε
    std::vector<float> p(n), g(n), m(n, 0), v(n, 0);
    for (size_t i = 0; i < n; ++i) p[i] = rng.uniform(-1, 1);
    std::vector<float> p2 = p, m2 = m, v2 = v;
    for (int t = 1; t <= 30; ++t) {
        for (size_t i = 0; i < n; ++i) {
            float scale = i % 5 == 0 ? 1e-6f : i % 5 == 1 ? 1e3f : 1.0f;
            g[i] = i % 11 == 0 ? 0.0f : rng.uniform(-1, 1) * scale;
        }
        adam_update(p.data(), g.data(), m.data(), v.data(), n, k);
        adam_update_naive(p2.data(), g.data(), m2.data(), v2.data(), n, k);
    }
    for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(p[i], p2[i]) << i;
        ASSERT_EQ(m[i], m2[i]) << i;
        ASSERT_EQ(v[i], v2[i]) << i;
    }
}
