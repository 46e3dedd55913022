#include "metrics/classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "core/check.h"
#include "backend/backend.h"
#include "test_util.h"

using namespace gan;

namespace {

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

// One small training on the 1000-image fixture, shared by the tests below.
struct Trained {
    Dataset train = dataset_load(kMini, true), test = dataset_load(kMini, false);
    ClassifierOptions o{.c1 = 8, .c2 = 16, .epochs = 3, .batch = 32, .lr = 2e-3f, .seed = 5};
    std::unique_ptr<Classifier> c;
    std::vector<double> test_acc;
    Trained() {
        set_library_threads(1);
        c = classifier_train(train, test, o, [&](const ClassifierEpoch& e) { test_acc.push_back(e.test_accuracy); });
    }
};

Trained& trained() {
    static Trained t;
    return t;
}

}  // namespace

TEST(Classifier, LearnsTheMiniFixture) {
    Trained& t = trained();
    ASSERT_EQ(t.test_acc.size(), 3u);
    // 1000 training images, 3 short epochs: far from full MNIST's 99 %, far above chance.
    EXPECT_GT(t.test_acc.back(), 0.80);
    EXPECT_NEAR(classifier_accuracy(*t.c, t.test), t.test_acc.back(), 1e-12);
    EXPECT_EQ(t.c->metadata.at("data"), dataset_fingerprint(t.train));
}

TEST(Classifier, TrainingIsDeterministic) {
    Trained& t = trained();
    auto again = classifier_train(t.train, t.test, t.o);
    EXPECT_EQ(again->features.params.values(), t.c->features.params.values());
    EXPECT_EQ(again->head.params.values(), t.c->head.params.values());
}

TEST(Classifier, OutputsDoNotDependOnTheBatch) {
    Trained& t = trained();
    std::vector<float> f1, p1, f2, p2;
    classifier_run(*t.c, t.test.images.pixels.data(), 300, &f1, &p1, 256);
    classifier_run(*t.c, t.test.images.pixels.data(), 300, &f2, &p2, 7);
    ASSERT_EQ(f1.size(), 300u * kClassifierFeatures);
    ASSERT_EQ(p1.size(), 300u * kClassifierClasses);
    for (size_t i = 0; i < f1.size(); ++i) ASSERT_NEAR(f1[i], f2[i], 1e-4f * (1 + std::fabs(f1[i])));
    for (size_t i = 0; i < p1.size(); ++i) ASSERT_NEAR(p1[i], p2[i], 1e-5f);
    for (size_t i = 0; i < 300; ++i) {
        double s = 0;
        for (int j = 0; j < kClassifierClasses; ++j) s += p1[i * kClassifierClasses + j];
        EXPECT_NEAR(s, 1.0, 1e-5);
    }
}

TEST(Classifier, SaveLoadRoundTripWithPyTorchNames) {
    Trained& t = trained();
    gan::testing::TempFolder dir;
    const std::string path = dir.file("classifier.safetensors");
    classifier_save(path, *t.c);
    auto back = classifier_load(path);
    EXPECT_EQ(back->features.params.values(), t.c->features.params.values());
    EXPECT_EQ(back->head.params.values(), t.c->head.params.values());
    EXPECT_EQ(back->metadata.at("test_accuracy"), t.c->metadata.at("test_accuracy"));
    ASSERT_NE(back->features.params.find("features.0.weight"), nullptr);
    EXPECT_EQ(back->features.params.find("features.0.weight")->shape, (std::vector<int64_t>{8, 1, 5, 5}));
    EXPECT_EQ(back->features.params.find("features.3.weight")->shape, (std::vector<int64_t>{16, 8, 5, 5}));
    EXPECT_EQ(back->features.params.find("features.6.weight")->shape, (std::vector<int64_t>{128, 256}));
    EXPECT_EQ(back->head.params.find("head.0.weight")->shape, (std::vector<int64_t>{10, 128}));
}

TEST(Classifier, CachePathFollowsTheEnvironment) {
    setenv("GAN_CACHE", "/some/where", 1);
    EXPECT_EQ(classifier_cache_path("abc"), "/some/where/mnist_classifier-abc.safetensors");
    unsetenv("GAN_CACHE");
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    EXPECT_EQ(cache_dir(), "/xdg/gan.cpp");
    unsetenv("XDG_CACHE_HOME");
}

TEST(Classifier, RejectsOtherImageSizes) {
    Dataset d;
    d.images.n = 1, d.images.rows = 32, d.images.cols = 32;
    d.images.pixels.assign(1024, 0);
    d.labels.labels = {0};
    EXPECT_THROW(classifier_accuracy(*trained().c, d), Error);
}

TEST(Classifier, NearChanceIsWithinATenthOfTheWayFromChanceToCertainty) {
    EXPECT_TRUE(classifier_near_chance(0.50, 2));   // a coin
    EXPECT_TRUE(classifier_near_chance(0.54, 2));
    EXPECT_FALSE(classifier_near_chance(0.56, 2));
    EXPECT_TRUE(classifier_near_chance(0.18, 10));  // chance 0.1, threshold 0.19
    EXPECT_FALSE(classifier_near_chance(0.20, 10));
    EXPECT_FALSE(classifier_near_chance(0.99, 10));
}
