// The small-data options end to end through the real `gan` program (tests/data/mnist-mini): a DCGAN
// with spectral norm and differentiable augmentation trains, its checkpoints carry PyTorch's spectral
// norm names and no batch norm in D, the augmentation changes the run, and a resumed run ends bit for
// bit where an uninterrupted one does (the augmentation's draws are a function of the seed and step).
#include <gtest/gtest.h>

#include <string>

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

// --recipe small-data: printed at the start with what it set, a flag given keeps its value, and config.json
// holds the result.
TEST(SmallData, RecipeIsPrintedAndWrittenToConfig) {
    TempFolder tmp("gan_small_data_recipe");
    auto r = run(dcgan(tmp.path + "/r", 1, "--recipe small-data --loss bce"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("recipe small-data: --loss bce --spectral-norm --augment color,translation,cutout --ema"),
              std::string::npos)
        << r.out;
    const std::string config = gan::testing::read_file(tmp.path + "/r/config.json");
    for (const char* line : {"\"recipe\": \"small-data\"", "\"spectral_norm\": true", "\"loss\": \"bce\"",
                             "\"augment\": \"color,translation,cutout\""})
        EXPECT_NE(config.find(line), std::string::npos) << line << " not in\n" << config;
}

TEST(SmallData, UnknownAugmentationIsAOneLineError) {
    TempFolder tmp("gan_small_data_err");
    auto r = run(dcgan(tmp.path + "/x", 1, "--augment color,flip"));
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.out.find("unknown augmentation 'flip'"), std::string::npos) << r.out;
}
