#include "metrics/scores.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace gan;

namespace {
std::vector<float> one_hot(const std::vector<int>& classes) {
    std::vector<float> p(classes.size() * 10, 0.0f);
    for (size_t i = 0; i < classes.size(); ++i) p[i * 10 + classes[i]] = 1.0f;
    return p;
}
}  // namespace

TEST(ClassScores, ConfidentBalancedPredictionsScoreTen) {
    std::vector<int> c;
    for (int i = 0; i < 1000; ++i) c.push_back(i % 10);
    ClassScores s = class_scores(one_hot(c).data(), c.size());
    EXPECT_NEAR(s.classifier_score, 10.0, 1e-9);
    EXPECT_EQ(s.covered, 10);
    EXPECT_NEAR(s.kl_uniform, 0.0, 1e-12);
    for (double sh : s.share) EXPECT_DOUBLE_EQ(sh, 0.1);
}

TEST(ClassScores, OneDigitCoversOneClass) {
    std::vector<int> c(500, 7);
    ClassScores s = class_scores(one_hot(c).data(), c.size());
    EXPECT_NEAR(s.classifier_score, 1.0, 1e-12);
    EXPECT_EQ(s.covered, 1);
    EXPECT_NEAR(s.kl_uniform, std::log(10.0), 1e-12);
    EXPECT_DOUBLE_EQ(s.share[7], 1.0);
}

TEST(ClassScores, UncertainPredictionsScoreOne) {
    std::vector<float> p(100 * 10, 0.1f);
    ClassScores s = class_scores(p.data(), 100);
    EXPECT_NEAR(s.classifier_score, 1.0, 1e-6);
}

TEST(ClassScores, CoverageThresholdIsTwoPercent) {
    // 97 samples of class 0, 2 of class 1 (2.02 %), 1 of class 2 (1 %).
    std::vector<int> c(97, 0);
    c.push_back(1), c.push_back(1), c.push_back(2);
    ClassScores s = class_scores(one_hot(c).data(), c.size());
    EXPECT_EQ(s.covered, 2);
    // Two equally likely classes, each sample certain: exp(log 2) = 2.
    std::vector<int> two(50, 3);
    two.insert(two.end(), 50, 8);
    EXPECT_NEAR(class_scores(one_hot(two).data(), two.size()).classifier_score, 2.0, 1e-9);
}
