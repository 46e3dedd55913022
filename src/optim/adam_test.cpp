#include "optim/adam.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"

using namespace gan;

// The backend's update against a plain double-precision transcription of Kingma & Ba / torch.optim.Adam.
TEST(Adam, MatchesDoublePrecisionReferenceOverSteps) {
    Rng rng(21);
    const size_t n = 1000;
    AdamOptions o{0.01f, 0.9f, 0.999f, 1e-8f};
    std::vector<float> p(n), g(n), m(n, 0), v(n, 0);
    std::vector<double> pd(n), md(n, 0), vd(n, 0);
    for (size_t i = 0; i < n; ++i) pd[i] = p[i] = rng.uniform(-1, 1);
    for (int t = 1; t <= 20; ++t) {
        for (size_t i = 0; i < n; ++i) g[i] = rng.uniform(-1, 1) * (i % 7 == 0 ? 1e-3f : 1.0f);
        host_backend().adam_update(p.data(), g.data(), m.data(), v.data(), n, adam_scalars(t, o));
        for (size_t i = 0; i < n; ++i) {
            md[i] = 0.9 * md[i] + 0.1 * g[i];
            vd[i] = 0.999 * vd[i] + 0.001 * double(g[i]) * g[i];
            double mhat = md[i] / (1 - std::pow(0.9, t)), vhat = vd[i] / (1 - std::pow(0.999, t));
            pd[i] -= 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
        }
    }
    for (size_t i = 0; i < n; ++i) EXPECT_NEAR(p[i], pd[i], 2e-5) << i;
}

TEST(Adam, StepsTheWholeArenaAndCountsSteps) {
    Arena a;
    a.add("w", {3, 2});
    a.add("b", {3});
    for (float& g : a.grads()) g = 1.0f;
    Adam opt(a, {0.1f});
    opt.step();
    EXPECT_EQ(opt.t, 1);
    // First Adam step moves every parameter by -lr * g/|g| (up to eps).
    for (float v : a.values()) EXPECT_NEAR(v, -0.1f, 1e-6);
}
