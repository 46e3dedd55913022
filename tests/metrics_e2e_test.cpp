// End to end: `gan classifier train` and `gan eval` on the 1000-image fixture, through the CLI, with
// every sample format; and (only when GAN_FULL_MNIST names a full MNIST folder) the calibration
// table of docs/metrics.md on real data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/rng.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/npy.h"
#include "io/png.h"
#include "kernels/gemm.h"
#include "metrics/evaluate.h"
#include "test_util.h"

using namespace gan;
namespace fs = std::filesystem;

namespace {

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

// One folder for the whole program: the classifier cached in it serves every test.
std::string tmp_dir() {
    static gan::testing::TempFolder dir("metrics_e2e");
    return dir.path;
}

// `gan args...` with the test's own classifier cache; the exit code, and the output in *out.
int run(const std::string& args, std::string* out = nullptr) {
    gan::testing::RunOptions ro;
    ro.env = {{"GAN_CACHE", tmp_dir() + "/cache"}};
    const gan::testing::RunResult r = gan::testing::run_gan(args, ro);
    if (out) *out = r.out;
    if (r.code != 0) std::fprintf(stderr, "gan %s\n%s\n", args.c_str(), r.out.c_str());
    return r.code;
}

nlohmann::json eval_json(const std::string& sample_args) {
    const std::string json = tmp_dir() + "/eval.json";
    std::remove(json.c_str());
    EXPECT_EQ(run("eval " + sample_args + " --data " + kMini + " --json " + json), 0);
    std::ifstream f(json);
    return nlohmann::json::parse(f);
}

// The classifier trained once (small and quick) into the test's own cache folder, where `gan eval`
// finds it by the training set's fingerprint.
void ensure_classifier() {
    static bool done = [] {
        std::string out;
        EXPECT_EQ(run("classifier train --data " + kMini + " --epochs 3 --width 8 --batch 32", &out), 0);
        EXPECT_NE(out.find("Test accuracy"), std::string::npos) << out;
        return true;
    }();
    (void)done;
}

}  // namespace

TEST(MetricsE2E, TestSetAgainstItselfScoresZero) {
    ensure_classifier();
    auto j = eval_json("--samples " + kMini + "/t10k-images-idx3-ubyte.gz");
    EXPECT_EQ(j["n"], 500);
    EXPECT_LT(j["fid"].get<double>(), 1e-6);
    EXPECT_EQ(j["precision"], 1.0);
    EXPECT_EQ(j["recall"], 1.0);
    EXPECT_EQ(j["coverage"], 1.0);
    EXPECT_GE(j["classes_covered"].get<int>(), 9);
    EXPECT_NEAR(j["memorisation"].get<double>(), 0.01, 0.005);
}

TEST(MetricsE2E, BlankNoiseOneDigitAndCopiesAreCaught) {
    ensure_classifier();
    Dataset train = dataset_load(kMini, true);
    const std::string npy = tmp_dir() + "/s.npy";
    // Training images: small FID, every class, all "memorised".
    npy_write_u8(npy, train.images.pixels.data(), {train.images.n, 28, 28});
    auto real = eval_json("--samples " + npy);
    EXPECT_EQ(real["memorisation"], 1.0);
    EXPECT_GE(real["classes_covered"].get<int>(), 9);
    // Blank and uniform noise: FID orders of magnitude above the training images'.
    std::vector<uint8_t> blank(size_t(600) * 784, 0), noise(size_t(600) * 784);
    Rng rng(1);
    for (uint8_t& p : noise) p = uint8_t(rng.below(256));
    npy_write_u8(npy, blank.data(), {600, 28, 28});
    auto b = eval_json("--samples " + npy);
    npy_write_u8(npy, noise.data(), {600, 784});
    auto nz = eval_json("--samples " + npy);
    EXPECT_GT(b["fid"].get<double>(), 10 * real["fid"].get<double>());
    EXPECT_GT(nz["fid"].get<double>(), 10 * real["fid"].get<double>());
    EXPECT_EQ(b["classes_covered"], 1);
    EXPECT_NEAR(b["classifier_score"].get<double>(), 1.0, 1e-6);
    EXPECT_LT(b["precision"].get<double>(), 0.05);
    // One digit, as IDX: one class covered, score near 1.
    std::vector<uint8_t> ones;
    for (int i = 0; i < train.images.n; ++i)
        if (train.labels.labels[i] == 1)
            ones.insert(ones.end(), train.images.pixels.begin() + size_t(i) * 784,
                        train.images.pixels.begin() + size_t(i + 1) * 784);
    const std::string idx = tmp_dir() + "/ones-idx3-ubyte";
    idx_write_images(idx, ones.data(), int(ones.size() / 784), 28, 28);
    auto one = eval_json("--samples " + idx);
    EXPECT_EQ(one["classes_covered"], 1);
    EXPECT_LT(one["classifier_score"].get<double>(), 1.5);
    EXPECT_GT(one["kl_uniform"].get<double>(), 2.0);
}

// Precision 1 from a generator that draws one image over and over is explained where it is printed;
// the test set against itself (precision, recall and coverage 1) gets no such note.
TEST(MetricsE2E, ACollapsedGeneratorsPrecisionIsExplained) {
    ensure_classifier();
    Dataset test = dataset_load(kMini, false);
    std::vector<uint8_t> same;
    for (int i = 0; i < 200; ++i) same.insert(same.end(), test.images.pixels.begin(), test.images.pixels.begin() + 784);
    const std::string npy = tmp_dir() + "/collapsed.npy";
    npy_write_u8(npy, same.data(), {200, 28, 28});
    std::string out;
    ASSERT_EQ(run("eval --samples " + npy + " --data " + kMini, &out), 0);
    EXPECT_NE(out.find("the samples sit on a few modes of the data, as a collapsed generator's do"), std::string::npos)
        << out;
    ASSERT_EQ(run("eval --samples " + kMini + "/t10k-images-idx3-ubyte.gz --data " + kMini, &out), 0);
    EXPECT_EQ(out.find("collapsed"), std::string::npos) << out;
}

// A classifier no better than a coin is said to be so when it is trained and when gan eval uses it.
TEST(MetricsE2E, AClassifierAtChanceIsSaidToBe) {
    const std::string folder = tmp_dir() + "/twins";
    std::vector<uint8_t> px(16 * 16);
    for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i);
    for (const char* c : {"a", "b"}) {  // both classes hold the same picture: nothing tells them apart
        fs::create_directories(folder + "/" + c);
        for (int i = 0; i < 20; ++i) png_write_gray(folder + "/" + c + "/" + std::to_string(i) + ".png", px.data(), 16, 16);
    }
    const std::string c = tmp_dir() + "/twins.safetensors";
    std::string out;
    ASSERT_EQ(run("classifier train --data " + folder + " --image-size 16 --epochs 1 --width 4 --out " + c, &out), 0);
    EXPECT_NE(out.find("Test accuracy 50.00 %"), std::string::npos) << out;
    EXPECT_NE(out.find("Warning: 50.00 % is about chance for 2 classes (50 %)"), std::string::npos) << out;
    std::vector<uint8_t> samples;
    for (int i = 0; i < 10; ++i)
        for (size_t p = 0; p < px.size(); ++p) samples.insert(samples.end(), 3, px[p]);
    const std::string npy = tmp_dir() + "/twins.npy";
    npy_write_u8(npy, samples.data(), {10, 16, 16, 3});
    ASSERT_EQ(run("eval --samples " + npy + " --data " + folder + " --classifier " + c + " --k 2", &out), 0);
    EXPECT_NE(out.find("(test accuracy 50.00 %; about chance for 2 classes"), std::string::npos) << out;
}

TEST(MetricsE2E, PngGridGivesTheSameFiguresAsTheImages) {
    ensure_classifier();
    Dataset test = dataset_load(kMini, false);
    const int n = 64;
    const std::string npy = tmp_dir() + "/g.npy", png = tmp_dir() + "/g.png";
    npy_write_u8(npy, test.images.pixels.data(), {n, 28, 28});
    GrayImage grid = image_grid(test.images.pixels.data(), n, 28, 28, 8, 1, 2);
    png_write_gray(png, grid.pixels.data(), grid.width, grid.height);
    auto a = eval_json("--samples " + npy), b = eval_json("--samples " + png + " --grid 8x8");
    EXPECT_EQ(a["fid"], b["fid"]);
    EXPECT_EQ(a["class_histogram"], b["class_histogram"]);
    std::string out;
    EXPECT_EQ(run("eval --samples " + png + " --data " + kMini, &out), 2);
    EXPECT_NE(out.find("--grid"), std::string::npos) << out;
}

TEST(MetricsE2E, CheckpointIsSampledAndScored) {
    ensure_classifier();
    const std::string rund = tmp_dir() + "/run";
    ASSERT_EQ(run("train --data " + kMini + " --epochs 2 --eval-every 1 --threads 1 --plain --out " + rund), 0);
    std::ifstream csv(rund + "/eval.csv");
    std::string header, row;
    std::getline(csv, header);
    EXPECT_EQ(header, "epoch,fid,classifier_score,classes_covered");
    std::getline(csv, row);
    EXPECT_EQ(row.rfind("1,", 0), 0u) << row;
    auto j = eval_json("--checkpoint " + rund + " --n 300 --seed 3");
    EXPECT_EQ(j["n"], 300);
    EXPECT_GT(j["fid"].get<double>(), 0.0);
    auto again = eval_json("--checkpoint " + rund + " --n 300 --seed 3");
    EXPECT_EQ(j["fid"], again["fid"]);  // deterministic for a seed
}

TEST(MetricsE2E, MetricsDoNotDependOnTheClassifierBatch) {
    ensure_classifier();
    Dataset train = dataset_load(kMini, true), test = dataset_load(kMini, false);
    setenv("GAN_CACHE", (tmp_dir() + "/cache").c_str(), 1);
    EvalOptions o1, o2;
    o2.batch = 37;
    EvalReference r1 = eval_reference(classifier_load(classifier_cache_path(dataset_fingerprint(train))), &train, test, o1);
    EvalReference r2 = eval_reference(classifier_load(classifier_cache_path(dataset_fingerprint(train))), &train, test, o2);
    EvalResult a = evaluate(r1, train.images.pixels.data(), 400), b = evaluate(r2, train.images.pixels.data(), 400);
    EXPECT_NEAR(a.fid, b.fid, 1e-3 * (1 + a.fid));
    EXPECT_NEAR(a.scores.classifier_score, b.scores.classifier_score, 1e-4);
    EXPECT_EQ(a.scores.share, b.scores.share);
    EXPECT_NEAR(a.prdc.precision, b.prdc.precision, 0.006);
    EXPECT_NEAR(a.prdc.coverage, b.prdc.coverage, 0.006);
    unsetenv("GAN_CACHE");
}

TEST(MetricsE2E, FullMnistCalibration) {
    const char* dir = std::getenv("GAN_FULL_MNIST");
    if (!dir) GTEST_SKIP() << "set GAN_FULL_MNIST=/path/to/mnist for the calibration table";
    blas_set_threads(1);
    Dataset train = dataset_load(dir, true), test = dataset_load(dir, false);
    auto c = classifier_find_or_train(train, test, "", [](const std::string& m) { std::printf("%s\n", m.c_str()); });
    EvalReference ref = eval_reference(std::move(c), &train, test);
    const size_t n = 10000;
    const uint8_t* real = train.images.pixels.data();
    std::vector<uint8_t> noise(n * 784), blank(n * 784, 0), blurred(n * 784), noisy(n * 784), one;
    Rng rng(1);
    for (uint8_t& p : noise) p = uint8_t(rng.below(256));
    for (size_t i = 0; i < n; ++i)
        for (int y = 0; y < 28; ++y)
            for (int x = 0; x < 28; ++x) {
                int s = 0, cnt = 0;  // 3x3 box blur
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx)
                        if (y + dy >= 0 && y + dy < 28 && x + dx >= 0 && x + dx < 28)
                            s += real[i * 784 + (y + dy) * 28 + x + dx], ++cnt;
                blurred[i * 784 + y * 28 + x] = uint8_t((s + cnt / 2) / cnt);
                float v = real[i * 784 + y * 28 + x] + 64.0f * rng.normal();  // Gaussian noise, σ = 64
                noisy[i * 784 + y * 28 + x] = uint8_t(std::clamp(std::nearbyint(v), 0.0f, 255.0f));
            }
    for (int i = 0; i < train.images.n && one.size() < n * 784; ++i)
        if (train.labels.labels[i] == 1) one.insert(one.end(), real + size_t(i) * 784, real + size_t(i + 1) * 784);
    struct Row {
        const char* name;
        const uint8_t* px;
        size_t n;
    } rows[] = {{"test set (itself)", test.images.pixels.data(), size_t(test.images.n)},
                {"10,000 training images", real, n},
                {"training images, 3x3 blur", blurred.data(), n},
                {"training images + noise sigma 64", noisy.data(), n},
                {"all training 1s", one.data(), one.size() / 784},
                {"uniform noise", noise.data(), n},
                {"blank (all 0)", blank.data(), n}};
    std::printf("| samples | n | FID | score | classes | KL unif | precision | recall | density | coverage | memorised | s |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const Row& r : rows) {
        EvalResult e = evaluate(ref, r.px, r.n);
        std::printf("| %s | %zu | %.3f | %.2f | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f %% | %.1f |\n", r.name, r.n,
                    e.fid, e.scores.classifier_score, e.scores.covered, e.scores.kl_uniform, e.prdc.precision,
                    e.prdc.recall, e.prdc.density, e.prdc.coverage, 100 * e.memo.share, e.seconds);
        const std::string name = r.name;
        if (name == "test set (itself)") {
            EXPECT_LT(e.fid, 1e-6);
        } else if (name == "10,000 training images") {
            EXPECT_GT(e.scores.classifier_score, 9.5);
        } else if (name == "all training 1s") {
            EXPECT_EQ(e.scores.covered, 1);
        }
    }
}
