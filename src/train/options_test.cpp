#include "train/options.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "backend/backend.h"
#include "core/check.h"
#include "test_util.h"

using gan::testing::error_of;

using namespace gan;

namespace {

// A value other than `o`'s for the option (any: validity is not asked of to_json/from_json).
void change(const TrainOption& t, TrainOptions& o) {
    std::visit(
        [](auto p) {
            using P = decltype(p);
            if constexpr (std::is_same_v<P, ImageField>) *p.channels = 3, *p.rows = 5, *p.cols = 7;
            else if constexpr (std::is_same_v<P, bool*>) *p = !*p;
            else if constexpr (std::is_same_v<P, std::string*>) *p += "/other";
            else if constexpr (std::is_same_v<P, uint64_t*>) *p = (uint64_t(1) << 63) + 5;
            else if constexpr (std::is_same_v<P, float*>) *p = *p * 0.5f + 0.125f;
            else if constexpr (std::is_same_v<P, int*>) *p = *p + 3;
            else if constexpr (std::is_same_v<P, std::vector<std::string>*>) p->push_back("cat"), p->push_back("dog");
            else *p = std::remove_pointer_t<P>(int(*p) == 0 ? 1 : 0);  // another enum value
        },
        t.field(o));
}

}  // namespace

// Each option, changed alone, shows in config.json and comes back from it; the others stay.
TEST(TrainOptionTable, EveryOptionRoundTripsThroughJson) {
    const TrainOptions base;
    const std::string base_json = base.to_json();
    for (const TrainOption& t : train_option_table()) {
        TrainOptions o = base;
        change(t, o);
        ASSERT_NE(t.show(o), t.show(base)) << t.key;
        const std::string text = o.to_json();
        EXPECT_NE(text, base_json) << t.key << " is not written";
        EXPECT_NE(text.find(std::string("\"") + t.key + "\""), std::string::npos) << t.key;
        const TrainOptions back = TrainOptions::from_json(text, "test");
        for (const TrainOption& u : train_option_table()) EXPECT_EQ(u.show(back), u.show(o)) << t.key << " " << u.key;
    }
}

TEST(TrainOptionTable, KeysAndFlagsAreUniqueAndFlagsHaveHelp) {
    std::set<std::string> keys, flags;
    for (const TrainOption& t : train_option_table()) {
        EXPECT_TRUE(keys.insert(t.key).second) << t.key;
        if (!t.has_flag()) continue;
        EXPECT_TRUE(flags.insert(t.flag).second) << t.flag;
        EXPECT_EQ(std::string(t.flag).rfind("--", 0), 0u) << t.flag;
        EXPECT_GT(std::string(t.help).size(), 8u) << t.flag;
        EXPECT_EQ(train_option_by_flag(t.flag), &t);
    }
    EXPECT_EQ(train_option_by_flag("--bogus"), nullptr);
}

// Each range refuses the value just outside it, with a message naming the option.
TEST(TrainOptionTable, RangesRefuseValuesJustOutside) {
    EXPECT_NO_THROW(TrainOptions{}.validate());
    for (const TrainOption& t : train_option_table()) {
        if (!t.range) continue;
        const OptionRange& r = *t.range;
        const std::string name = r.name ? r.name : t.flag;
        for (double bad : {r.lo_open ? r.lo : r.lo - 1, r.hi_open ? r.hi : r.hi + 1}) {
            if (std::fabs(bad) > 1e9) continue;  // no bound above: nothing lies beyond
            TrainOptions o;
            t.parse(o, str(bad));
            const std::string e = error_of([&] { o.validate(); });
            EXPECT_EQ(e.rfind(name + " " + r.must, 0), 0u) << t.key << " " << bad << ": " << e;
        }
    }
    TrainOptions o;
    o.adam.lr = std::nanf("");
    EXPECT_NE(error_of([&] { o.validate(); }).find("--lr must be a positive number"), std::string::npos);
}

// What a resumed run may not change: what fixes the model, the data order and the saved state.
TEST(TrainOptionTable, ResumeMayChangeOnlyTheTrainingSchedule) {
    std::set<std::string> fixed;
    for (const TrainOption& t : train_option_table())
        if (t.has_flag() && t.on_resume == OnResume::fixed) fixed.insert(t.flag);
    EXPECT_EQ(fixed, (std::set<std::string>{"--arch", "--z-dim", "--hidden", "--alpha", "--conditional", "--cond-d",
                                            "--seed", "--batch", "--loss", "--samples-per-epoch", "--ema",
                                            "--image-size", "--channels", "--ngf", "--ndf", "--init-generator",
                                            "--init-discriminator", "--spectral-norm", "--recipe"}));
    EXPECT_EQ(train_option_by_flag("--out")->on_resume, OnResume::ignored);
}

// The checks beyond the ranges: channels 2 lies inside [0, 3]; the bad-image policy is a name.
TEST(TrainOptionTable, ChannelsAndBadImagePolicy) {
    TrainOptions o;
    o.channels = 2;
    EXPECT_NE(error_of([&] { o.validate(); }).find("--channels must be 0, 1 or 3"), std::string::npos);
    o.channels = 3;
    o.bad_images = "skip";
    EXPECT_NO_THROW(o.validate());
    o.bad_images = "ignore";
    EXPECT_NE(error_of([&] { o.validate(); }).find("--bad-images must be skip or refuse"), std::string::npos);
}

TEST(TrainOptionTable, EnumsAreNamesAtTheEdges) {
    TrainOptions o;
    train_option_by_flag("--arch")->parse(o, "dcgan");
    train_option_by_flag("--cond-d")->parse(o, "proj_ac");
    train_option_by_flag("--loss")->parse(o, "hinge");
    EXPECT_EQ(o.model.arch, Arch::dcgan);
    EXPECT_EQ(o.model.cond_d, CondD::proj_ac);
    EXPECT_EQ(o.step.loss, LossKind::hinge);
    const std::string text = o.to_json();
    EXPECT_NE(text.find("\"arch\": \"dcgan\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"loss\": \"hinge\""), std::string::npos) << text;
    EXPECT_THROW(train_option_by_flag("--arch")->parse(o, "gpt"), Error);
    std::string bad = text;
    bad.replace(bad.find("\"hinge\""), 7, "\"wgan\"");
    try {
        TrainOptions::from_json(bad, "run/config.json");
        ADD_FAILURE() << "an unknown loss was read";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "run/config.json: unknown --loss 'wgan' (known: bce, lsgan, hinge)");
    }
}

TEST(TrainOptionTable, DefaultsOfTheCliAndOfDcgan) {
    TrainOptions o;
    apply_cli_defaults(o);
    EXPECT_EQ(o.model.cond_d, CondD::proj_ac);
    EXPECT_EQ(o.step.class_weight, 3.0f);
    apply_dcgan_defaults(o, [](const std::string& flag) { return flag == "--batch"; });
    EXPECT_EQ(o.adam.lr, 2e-4f);
    EXPECT_EQ(o.adam.beta1, 0.5f);
    EXPECT_EQ(o.model.alpha, 0.2f);
    EXPECT_EQ(o.step.smooth, 0.0f);
    EXPECT_EQ(o.epochs, 5);
    EXPECT_EQ(o.batch, 100);  // given: kept
    EXPECT_EQ(o.model.latent, Latent::normal);
    EXPECT_EQ(o.out_dir, "runs/dcgan");
}

// --recipe small-data sets what it names unless a flag was given, and round-trips through config.json.
TEST(TrainOptionTable, RecipeSetsItsOptionsExceptThoseGiven) {
    TrainOptions o;
    apply_recipe(o, [](const std::string&) { return false; });
    EXPECT_EQ(o.ema, 0.0f) << "the recipe none sets nothing";
    o.recipe = "small-data";
    apply_recipe(o, [](const std::string& flag) { return flag == "--lr"; });
    EXPECT_EQ(o.adam.lr, TrainOptions{}.adam.lr) << "given: kept";
    EXPECT_EQ(o.ema, 0.999f);
    EXPECT_EQ(recipe_summary(o), "--lr 0.002 --ema 0.999");
    apply_recipe(o, [](const std::string&) { return false; });
    EXPECT_EQ(o.adam.lr, 8e-4f);
    EXPECT_FALSE(o.model.spectral_norm) << "measured: spectral norm lost (docs/small_data.md)";
    EXPECT_EQ(o.step.augment, "none") << "measured: the augmentation lost at these lengths";
    EXPECT_EQ(recipe_summary(o), "--lr 0.0008 --ema 0.999");
    const TrainOptions back = TrainOptions::from_json(o.to_json(), "config.json");
    EXPECT_EQ(back.recipe, "small-data");
    EXPECT_EQ(back.adam.lr, 8e-4f);
    EXPECT_EQ(back.ema, 0.999f);
    o.recipe = "tiny-data";
    EXPECT_EQ(error_of([&] { apply_recipe(o, [](const std::string&) { return false; }); }),
              "unknown --recipe 'tiny-data' (known: small-data, none)");
    o.recipe = "none";
    o.step.augment = "color,blur";
    EXPECT_EQ(error_of([&] { o.validate(); }),
              "--augment: unknown augmentation 'blur' (known: color, translation, cutout, none)");
}

// config.json of runs written before class_weight existed still load, with its default.
TEST(TrainOptionTable, OlderConfigWithoutClassWeightLoads) {
    TrainOptions o;
    std::string text = o.to_json();
    const size_t at = text.find("  \"class_weight\"");
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find('\n', at) + 1 - at);
    EXPECT_EQ(TrainOptions::from_json(text, "old").step.class_weight, TrainOptions{}.step.class_weight);
    text.erase(text.find("  \"batch\""), text.find('\n', text.find("  \"batch\"")) + 1 - text.find("  \"batch\""));
    EXPECT_THROW(TrainOptions::from_json(text, "old"), Error);
}

TEST(TrainOptionTable, DeeplyNestedConfigIsRefusedBeforeParsing) {
    EXPECT_EQ(error_of([] { TrainOptions::from_json("{\"x\": " + std::string(1000000, '['), "config.json"); }),
              "config.json: bad training options: arrays and objects nested more than 64 deep at byte 69");
}

// --device cuda is refused at once, saying why, by a build without the CUDA device; a CUDA build
// takes it here (a missing GPU is told when the backend is made).
TEST(TrainOptionTable, DeviceCudaNeedsACudaBuild) {
    TrainOptions o;
    o.device = "cuda";
    if (device_built(Device::cuda)) {
        EXPECT_NO_THROW(o.validate());
        return;
    }
    const std::string e = error_of([&] { o.validate(); });
    EXPECT_NE(e.find("--device cuda: this build of gan has no CUDA"), std::string::npos) << e;
}
