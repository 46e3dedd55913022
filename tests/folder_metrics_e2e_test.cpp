// End to end: the metrics for a run trained on the user's own images (issue 16), through the real
// program: `gan classifier train` on a labelled folder of synthetic colour pictures, `gan train` on
// that folder, and `gan eval` of the run (FID, classifier score, classes covered, coverage) with that
// classifier; real held-out pictures given as samples; and a folder without classes (pixel features,
// no class scores).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "io/npy.h"
#include "labelled_folder.h"
#include "train/eval_data.h"
#include "test_util.h"

using gan::testing::TempFolder;

namespace {

// `gan args...` with the test's own cache folder (decoded folders, classifiers).
gan::testing::RunResult run(const std::string& args, const std::string& cache) {
    gan::testing::RunOptions ro;
    ro.env = {{"GAN_CACHE", cache}};
    return gan::testing::run_gan(args, ro);
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream f(path);
    return nlohmann::json::parse(f);
}

std::string train_run(const std::string& data, const std::string& out) {
    return "train --data " + data + " --out " + out +
           " --image-size 16 --channels 3 --epochs 1 --batch 8 --threads 1 --seed 5";
}

}  // namespace

TEST(FolderMetricsE2E, LabelledFolderGetsTheMnistReport) {
    TempFolder tmp("gan_folder_metrics_e2e");
    const std::string cache = tmp.file("cache"), run_dir = tmp.file("run"), json = tmp.file("eval.json");
    const std::string data = gan::testing::colour_classes_folder(tmp.file("pictures"), 40);

    gan::testing::RunResult r = run("classifier train --data " + data +
                                        " --image-size 16 --channels 3 --epochs 4 --width 8 --batch 16",
                                    cache);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("on 108 3x16x16 images of " + data + " (image folder, 3 classes; 12 held out)"),
              std::string::npos) << r.out;
    double accuracy = 0;
    const size_t at = r.out.find("Test accuracy ");
    ASSERT_NE(at, std::string::npos) << r.out;
    ASSERT_EQ(std::sscanf(r.out.c_str() + at, "Test accuracy %lf", &accuracy), 1) << r.out;
    EXPECT_GE(accuracy, 90.0) << r.out;  // chance: 33 %

    r = run(train_run(data, run_dir), cache);
    ASSERT_EQ(r.code, 0) << r.out;

    r = run("eval -c " + run_dir + " --data " + data + " --n 60 --json " + json, cache);
    ASSERT_EQ(r.code, 0) << r.out;
    // The classifier trained above is found in the cache, not trained again.
    EXPECT_EQ(r.out.find("training one now"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("classifier: " + cache + "/images_classifier-"), std::string::npos) << r.out;
    for (const char* row : {"FID vs held-out images (128-d classifier features", "classifier score exp(E KL",
                            "classes covered (>= 2 % of samples each)", "coverage (k=5; share of held-out images",
                            "precision (k=5", "memorisation (nearer training than 99 % of held-out)",
                            "class histogram: blue:"})
        EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
    EXPECT_NE(r.out.find("/3\n"), std::string::npos) << r.out;
    const nlohmann::json j = read_json(json);
    EXPECT_EQ(j["features"], "classifier");
    EXPECT_EQ(j["classes"], (std::vector<std::string>{"blue", "green", "red"}));
    EXPECT_GT(j["fid"].get<double>(), 0.0);
    EXPECT_GE(j["classifier_score"].get<double>(), 1.0);
    EXPECT_LE(j["classifier_score"].get<double>(), 3.0 + 1e-9);
    EXPECT_EQ(j["class_histogram"].size(), 3u);
    EXPECT_GE(j["classes_covered"].get<int>(), 1);
    EXPECT_GE(j["coverage"].get<double>(), 0.0);
    EXPECT_LE(j["coverage"].get<double>(), 1.0);

    // The held-out pictures themselves, as `gan sample --out X.npy` lays colour out (N, H, W, 3):
    // FID 0, every class covered, full coverage.
    setenv("GAN_CACHE", cache.c_str(), 1);
    const gan::EvalData d = gan::load_eval_data(data, 3, 16);
    std::vector<uint8_t> hwc(d.test.total_bytes());
    for (int i = 0; i < d.test.n; ++i)
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 256; ++p) hwc[(size_t(i) * 256 + p) * 3 + c] = d.test.image(i)[c * 256 + p];
    gan::npy_write_u8(tmp.file("real.npy"), hwc.data(), {d.test.n, 16, 16, 3});
    r = run("eval --samples " + tmp.file("real.npy") + " --data " + data + " --json " + json, cache);
    ASSERT_EQ(r.code, 0) << r.out;
    const nlohmann::json real = read_json(json);
    EXPECT_LT(real["fid"].get<double>(), 1e-6);
    EXPECT_EQ(real["classes_covered"], 3);
    EXPECT_EQ(real["coverage"], 1.0);
}

TEST(FolderMetricsE2E, FolderWithoutClassesSaysWhatIsNotComputed) {
    TempFolder tmp("gan_folder_metrics_e2e");
    const std::string cache = tmp.file("cache"), run_dir = tmp.file("run"), json = tmp.file("eval.json");
    const std::string data = gan::testing::colour_classes_folder(tmp.file("flat"), 20, true);
    gan::testing::RunResult r = run(train_run(data, run_dir), cache);
    ASSERT_EQ(r.code, 0) << r.out;
    r = run("eval -c " + run_dir + " --data " + data + " --n 30 --k 3 --json " + json, cache);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("features: 192-d pixel means over an 8x8 grid"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("FID vs held-out images (192-d pixel features"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("coverage (k=3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("not computed: classifier score, classes covered, class histogram"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("classifier score exp"), std::string::npos) << r.out;
    const nlohmann::json j = read_json(json);
    EXPECT_EQ(j["features"], "pixels");
    EXPECT_FALSE(j.contains("classifier_score"));
    EXPECT_TRUE(j.contains("fid"));
    EXPECT_TRUE(j.contains("coverage"));

    r = run("eval --help", cache);
    EXPECT_NE(r.out.find("without subfolders, no classifier score"), std::string::npos) << r.out;
}
