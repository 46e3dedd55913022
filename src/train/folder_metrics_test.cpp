// The metrics on a user's labelled image folder (issue 16): a classifier of any image shape and
// class count trained on a synthetic folder, its file, the held-out split, the refusal of a
// classifier of another shape, and pixel features for a folder without classes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/check.h"
#include "backend/backend.h"
#include "labelled_folder.h"
#include "train/eval_data.h"
#include "metrics/evaluate.h"
#include "test_util.h"

using namespace gan;

namespace {

// Decoded caches and classifiers go to a folder of this program's own.
std::string cache_folder() {
    static gan::testing::TempFolder dir("folder_metrics_cache");
    setenv("GAN_CACHE", dir.path.c_str(), 1);
    return dir.path;
}

// 3 colour classes of 50 pictures each, decoded at 3x16x16; a classifier trained on 135 of them.
struct Trained {
    gan::testing::TempFolder tmp{"folder_metrics"};
    std::string folder;
    EvalData data;
    ClassifierOptions o{.c1 = 8, .c2 = 16, .epochs = 4, .batch = 16, .lr = 2e-3f, .seed = 3};
    std::unique_ptr<Classifier> c;
    std::vector<double> test_acc;
    Trained() {
        cache_folder();
        set_library_threads(1);
        folder = gan::testing::colour_classes_folder(tmp.file("pictures"), 50);
        data = load_eval_data(folder, 3, 16);
        c = classifier_train(data.train, data.test, o, [&](const ClassifierEpoch& e) {
            test_acc.push_back(e.test_accuracy);
        });
    }
};

Trained& trained() {
    static Trained t;
    return t;
}

// The trained classifier through its file.
std::unique_ptr<Classifier> reloaded(Trained& t, const std::string& name) {
    const std::string path = t.tmp.file(name);
    classifier_save(path, *t.c);
    return classifier_load(path);
}

}  // namespace

TEST(FolderMetrics, LoadsClassesFromSubfoldersAndHoldsOutEveryTenth) {
    const Trained& t = trained();
    EXPECT_EQ(t.data.format, DataFormat::image_folder);
    EXPECT_TRUE(t.data.labelled());
    EXPECT_EQ(t.data.train.class_names, gan::testing::colour_class_names());
    EXPECT_EQ(t.data.train.n, 135);
    EXPECT_EQ(t.data.test.n, 15);
    EXPECT_EQ(t.data.test.channels, 3);
    EXPECT_EQ(t.data.test.rows, 16);
    std::vector<int> per_class(3, 0);
    for (int32_t l : t.data.test.labels) per_class[size_t(l)] += 1;
    EXPECT_EQ(per_class, (std::vector<int>{5, 5, 5}));
    EXPECT_EQ(eval_data_classes(t.folder), 3);
}

TEST(FolderMetrics, SplitTakesEachClassesTenthImages) {
    // labels 0 0 1 0 1 1 0 1: with every = 2, class 0's 2nd and 4th, class 1's 2nd and 4th go to test.
    std::vector<int32_t> labels = {0, 0, 1, 0, 1, 1, 0, 1};
    std::vector<uint8_t> px = {10, 11, 12, 13, 14, 15, 16, 17};
    ImageSet all = make_image_set(8, 1, 1, 1, px, labels, {"a", "b"});
    ImageSet train, test;
    split_held_out(all, 2, train, test);
    EXPECT_EQ(std::vector<uint8_t>(test.pixels(), test.pixels() + test.n), (std::vector<uint8_t>{11, 14, 16, 17}));
    EXPECT_EQ(std::vector<uint8_t>(train.pixels(), train.pixels() + train.n), (std::vector<uint8_t>{10, 12, 13, 15}));
    EXPECT_EQ(test.labels, (std::vector<int32_t>{0, 1, 0, 1}));
    EXPECT_EQ(train.class_names, all.class_names);
}

TEST(FolderMetrics, ClassifierLearnsTheColourClasses) {
    Trained& t = trained();
    ASSERT_EQ(t.test_acc.size(), 4u);
    // Chance is 1/3; the classes differ in colour, so a few short epochs tell them apart.
    EXPECT_GE(t.test_acc.back(), 0.9);
    EXPECT_NEAR(classifier_accuracy(*t.c, t.data.test), t.test_acc.back(), 1e-12);
    EXPECT_EQ(t.c->classes(), 3);
    EXPECT_EQ(t.c->input.channels, 3);
    EXPECT_EQ(t.c->input.size, 16);
    EXPECT_EQ(t.c->metadata.at("data"), dataset_fingerprint(t.data.train));
}

TEST(FolderMetrics, FileKeepsShapeAndClassNames) {
    Trained& t = trained();
    auto back = reloaded(t, "c.safetensors");
    EXPECT_EQ(back->class_names, gan::testing::colour_class_names());
    EXPECT_TRUE(back->input.same_shape(t.c->input));
    EXPECT_EQ(back->input.mean, t.c->input.mean);
    EXPECT_EQ(back->input.stdev, t.c->input.stdev);
    EXPECT_EQ(back->features.params.find("features.0.weight")->shape, (std::vector<int64_t>{8, 3, 5, 5}));
    EXPECT_EQ(back->head.params.find("head.0.weight")->shape, (std::vector<int64_t>{3, 128}));
    EXPECT_EQ(classifier_accuracy(*back, t.data.test), classifier_accuracy(*t.c, t.data.test));
}

TEST(FolderMetrics, MnistClassifierFileRecordsNoShape) {
    auto c = classifier_build(4, 8);
    EXPECT_EQ(c->classes(), 10);
    EXPECT_EQ(to_string(c->input), "1x28x28");
    gan::testing::TempFolder dir;
    classifier_save(dir.file("m.safetensors"), *c);
    auto back = classifier_load(dir.file("m.safetensors"));
    EXPECT_EQ(back->metadata.count("image_size"), 0u);
    EXPECT_EQ(back->metadata.count("classes"), 0u);
    EXPECT_EQ(back->class_names[9], "9");
}

TEST(FolderMetrics, ReferenceOfAnotherShapeIsRefused) {
    Trained& t = trained();
    const EvalData gray = load_eval_data(t.folder, 1, 16);
    auto c = reloaded(t, "c1.safetensors");
    const std::string e = gan::testing::error_of([&] { eval_reference(std::move(c), &gray.train, gray.test); });
    EXPECT_TRUE(gan::testing::contains(e, "3x16x16")) << e;
    EXPECT_TRUE(gan::testing::contains(e, "1x16x16")) << e;
    EXPECT_THROW(classifier_accuracy(*t.c, gray.test), Error);
}

TEST(FolderMetrics, EvaluatesSamplesWithTheFolderClassifier) {
    Trained& t = trained();
    auto c = reloaded(t, "c2.safetensors");
    EvalReference ref = eval_reference(std::move(c), &t.data.train, t.data.test);
    EvalResult same = evaluate(ref, t.data.test.pixels(), size_t(t.data.test.n));
    EXPECT_TRUE(same.has_classes);
    EXPECT_LT(same.fid, 1e-6);
    EXPECT_EQ(same.scores.share.size(), 3u);
    EXPECT_EQ(same.scores.covered, 3);
    EXPECT_EQ(same.prdc.coverage, 1.0);
    // Only red pictures: one class covered, a lower classifier score, a larger FID.
    std::vector<uint8_t> red;
    for (int i = 0; i < t.data.train.n; ++i)
        if (t.data.train.labels[size_t(i)] == 2)
            red.insert(red.end(), t.data.train.image(i), t.data.train.image(i) + t.data.train.image_bytes());
    EvalResult one = evaluate(ref, red.data(), red.size() / t.data.train.image_bytes());
    EXPECT_EQ(one.scores.covered, 1);
    EXPECT_GT(one.scores.share[2], 0.9);
    EXPECT_LT(one.scores.classifier_score, same.scores.classifier_score);
    EXPECT_GT(one.fid, same.fid + 1);
}

TEST(FolderMetrics, FolderWithoutClassesGetsPixelFeatures) {
    cache_folder();
    gan::testing::TempFolder tmp("folder_metrics_flat");
    const std::string folder = gan::testing::colour_classes_folder(tmp.file("flat"), 20, true);
    EXPECT_EQ(eval_data_classes(folder), 1);
    EvalData d = load_eval_data(folder, 3, 16);
    EXPECT_FALSE(d.labelled());
    EXPECT_EQ(d.test.n, 6);
    EvalOptions o;
    o.k = 3;
    EvalReference ref = eval_reference(nullptr, &d.train, d.test, o);
    EXPECT_EQ(ref.dim, 3 * 64);
    EvalResult r = evaluate(ref, d.test.pixels(), size_t(d.test.n));
    EXPECT_FALSE(r.has_classes);
    EXPECT_TRUE(r.scores.share.empty());
    EXPECT_LT(r.fid, 1e-9);
    EXPECT_EQ(r.prdc.coverage, 1.0);
}

TEST(FolderMetrics, PixelFeaturesAreCellMeans) {
    // One 2-channel 16x16 image: channel 0 is 255 in its top-left 2x2 cell and 0 elsewhere, channel 1
    // is 51 everywhere. 8x8 cells of 2x2 pixels each.
    std::vector<uint8_t> px(2 * 256, 0);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x) px[size_t(y * 16 + x)] = 255;
    for (size_t i = 256; i < 512; ++i) px[i] = 51;
    px[0] = 0;  // the first cell's mean is 3/4
    std::vector<float> f;
    pixel_features(px.data(), 1, 2, 16, f);
    ASSERT_EQ(f.size(), 128u);
    EXPECT_FLOAT_EQ(f[0], 0.75f);
    for (int k = 1; k < 64; ++k) EXPECT_EQ(f[size_t(k)], 0.0f);
    for (int k = 64; k < 128; ++k) EXPECT_FLOAT_EQ(f[size_t(k)], 0.2f);
    // 28x28 (not a multiple of 8): cells of 3 or 4 rows and columns; a flat image stays flat.
    std::vector<uint8_t> flat(784, 102);
    pixel_features(flat.data(), 1, 1, 28, f);
    for (float v : f) EXPECT_NEAR(v, 0.4f, 1e-6f);
}
