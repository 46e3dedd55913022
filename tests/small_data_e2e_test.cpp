// The small-data options end to end through the real `gan` program (tests/data/mnist-mini): a DCGAN
// with spectral norm and differentiable augmentation trains, its checkpoints carry PyTorch's spectral
// norm names and no batch norm in D, the augmentation changes the run, and a resumed run ends bit for
// bit where an uninterrupted one does (the augmentation's draws are a function of the seed and step).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "test_util.h"

using namespace gan;
using gan::testing::TempFolder;

namespace {

const std::string kData = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

gan::testing::RunResult run(const std::string& args) { return gan::testing::run_gan(args); }

std::string dcgan(const std::string& out, int epochs, const std::string& extra) {
    return "train --arch dcgan --data " + kData + " --batch 50 --threads 1 --seed 5 --epochs " +
           std::to_string(epochs) + " --out " + out + " " + extra;
}

bool same_tensors(const std::string& a, const std::string& b) {
    SafetensorsFile fa = safetensors_read(a), fb = safetensors_read(b);
    if (fa.tensors.size() != fb.tensors.size()) return false;
    for (auto& [name, t] : fa.tensors)
        if (!fb.tensors.count(name) || fb.tensors.at(name).data != t.data) return false;
    return true;
}

// The augment_p column of a run's metrics.csv, one value per epoch.
std::vector<double> augment_p_column(const std::string& run_dir) {
    std::istringstream in(gan::testing::read_file(run_dir + "/metrics.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line.substr(line.rfind(',') + 1), "augment_p") << line;
    std::vector<double> p;
    while (std::getline(in, line)) p.push_back(std::stod(line.substr(line.rfind(',') + 1)));
    return p;
}

}  // namespace

TEST(SmallData, SpectralNormAndAugmentationTrainAndResumeBitwise) {
    TempFolder tmp("gan_small_data");
    const std::string base = tmp.path, sn = "--spectral-norm --loss hinge --augment color,translation,cutout";
    auto r = run(dcgan(base + "/straight", 2, sn));
    ASSERT_EQ(r.code, 0) << r.out;
    const std::string last = "/checkpoints/last.safetensors";
    SafetensorsFile state = safetensors_read(base + "/straight" + last);
    for (const char* name : {"discriminator.0.weight_orig", "discriminator.0.weight_u", "discriminator.0.weight_v",
                             "discriminator.6.weight_orig"})
        EXPECT_TRUE(state.tensors.count(name)) << name;
    EXPECT_FALSE(state.tensors.count("discriminator.0.weight"));
    for (auto& [name, t] : state.tensors)
        EXPECT_EQ(name.find("running_mean") != std::string::npos && name.rfind("discriminator.", 0) == 0, false)
            << "D with spectral norm has no batch norm: " << name;

    ASSERT_EQ(run(dcgan(base + "/plain", 2, "--spectral-norm --loss hinge")).code, 0);
    EXPECT_FALSE(same_tensors(base + "/straight" + last, base + "/plain" + last)) << "the augmentation did nothing";

    ASSERT_EQ(run(dcgan(base + "/split", 1, sn)).code, 0);
    r = run("train --resume " + base + "/split --epochs 2");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(same_tensors(base + "/straight" + last, base + "/split" + last)) << "resumed run differs";
    EXPECT_TRUE(same_tensors(base + "/straight/generator.safetensors", base + "/split/generator.safetensors"));
}

// ADA (--augment-target): p moves away from 0 with the batch-norm D that is sure of the real digits, is
// logged per epoch, and a run stopped mid-epoch and between two adjustments of p (step 27; p moves every
// 4th) resumes to the same bits and the same p as the uninterrupted run.
TEST(SmallData, AdaptiveProbabilityMovesAndResumesBitwise) {
    TempFolder tmp("gan_small_data_ada");
    const std::string base = tmp.path,
                      ada = "--augment color,translation,cutout --augment-target 0.6 --augment-kimg 2 --ema 0.999";
    auto r = run(dcgan(base + "/straight", 2, ada));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("augment p "), std::string::npos) << r.out;
    const std::vector<double> p = augment_p_column(base + "/straight");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_GT(p[0], 0.0);
    EXPECT_LE(p[1], 1.0);

    ASSERT_EQ(run(dcgan(base + "/split", 2, ada + " --max-steps 27")).code, 0);
    r = run("train --resume " + base + "/split --max-steps 0");
    ASSERT_EQ(r.code, 0) << r.out;
    const std::string last = "/checkpoints/last.safetensors";
    EXPECT_TRUE(same_tensors(base + "/straight" + last, base + "/split" + last)) << "resumed run differs";
    EXPECT_TRUE(same_tensors(base + "/straight/generator.safetensors", base + "/split/generator.safetensors"));
    EXPECT_EQ(augment_p_column(base + "/split"), p);
    const SafetensorsFile a = safetensors_read(base + "/straight" + last), b = safetensors_read(base + "/split" + last);
    EXPECT_EQ(a.metadata.at("ada_p"), b.metadata.at("ada_p"));
}

TEST(SmallData, AdaptiveProbabilityNeedsAnAugmentation) {
    TempFolder tmp("gan_small_data_ada_err");
    auto r = run(dcgan(tmp.path + "/x", 1, "--augment-target 0.6"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("--augment-target 0.6 adapts the augmentation's probability, but there is no augmentation"),
              std::string::npos)
        << r.out;
}

// --recipe small-data: printed at the start with what it set, a flag given keeps its value, and config.json
// holds the result.
TEST(SmallData, RecipeIsPrintedAndWrittenToConfig) {
    TempFolder tmp("gan_small_data_recipe");
    auto r = run(dcgan(tmp.path + "/r", 1, "--recipe small-data --ema 0.99"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("recipe small-data: --lr 0.0008 --ema 0.99\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("lr=0.0008"), std::string::npos) << r.out;
    const std::string config = gan::testing::read_file(tmp.path + "/r/config.json");
    for (const char* line : {"\"recipe\": \"small-data\"", "\"ema\": 0.99", "\"lr\": 0.00079999",
                             "\"spectral_norm\": false", "\"augment\": \"none\""})
        EXPECT_NE(config.find(line), std::string::npos) << line << " not in\n" << config;
}

TEST(SmallData, UnknownAugmentationIsAOneLineError) {
    TempFolder tmp("gan_small_data_err");
    auto r = run(dcgan(tmp.path + "/x", 1, "--augment color,flip"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("unknown augmentation 'flip'"), std::string::npos) << r.out;
}
