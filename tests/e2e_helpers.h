// What the end-to-end tests of `gan train` runs share: the mini fixture's training command and the
// comparison of two safetensors files.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "io/safetensors.h"

namespace gan::testing {

// `gan train` on tests/data/mnist-mini, batch 50, one thread, seed 3, for `epochs` epochs into `out`.
inline std::string mini_train_args(const std::string& out, int epochs) {
    return "train --data " + std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini --batch 50 --threads 1 "
           "--seed 3 --epochs " + std::to_string(epochs) + " --out " + out;
}

// Bit for bit, or, with tol > 0, every float within tol.
inline void expect_same_tensors(const std::string& a, const std::string& b, double tol = 0) {
    SafetensorsFile fa = safetensors_read(a), fb = safetensors_read(b);
    ASSERT_EQ(fa.tensors.size(), fb.tensors.size());
    for (auto& [name, t] : fa.tensors) {
        ASSERT_TRUE(fb.tensors.count(name)) << name;
        const auto& u = fb.tensors.at(name);
        EXPECT_EQ(t.shape, u.shape) << name;
        if (tol == 0 || t.data.size() != u.data.size()) {
            EXPECT_TRUE(t.data == u.data) << name << " differs";
            continue;
        }
        double worst = 0;
        for (size_t i = 0; i < t.data.size(); ++i) worst = std::fmax(worst, std::fabs(double(t.data[i]) - u.data[i]));
        EXPECT_LE(worst, tol) << name;
    }
}

}  // namespace gan::testing
