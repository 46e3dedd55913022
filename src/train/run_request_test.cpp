#include "train/run_request.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/check.h"
#include "io/file.h"
#include "test_util.h"
#include "train/trainer.h"

using gan::testing::error_of;

using namespace gan;

namespace {

// A request as `gan train` makes it: its defaults, then each flag's text parsed and recorded as given.
RunRequest request(const std::vector<std::pair<std::string, std::string>>& flags) {
    RunRequest r;
    apply_cli_defaults(r.options);
    r.options.data_dir = "unused-data";
    for (const auto& [flag, text] : flags) {
        train_option_by_flag(flag)->parse(r.options, text);
        r.given.push_back(flag);
    }
    if (!r.has("--data")) r.given.push_back("--data");  // keep the MNIST search out of these tests
    return r;
}

ImageSet tiny_set(int n, int classes) {
    std::vector<int32_t> labels(static_cast<size_t>(n));
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) labels[size_t(i)] = i % classes;
    for (int c = 0; c < classes; ++c) names.push_back(std::to_string(c));
    return make_image_set(n, 1, 28, 28, std::vector<uint8_t>(size_t(n) * 28 * 28, 7), labels, names);
}

}  // namespace

// --arch dcgan brings its defaults for what was not given; what was given stays.
TEST(RunRequest, DcganDefaultsFillOnlyWhatWasNotGiven) {
    const TrainOptions o = new_run_options(request({{"--arch", "dcgan"}, {"--lr", "0.01"}}));
    EXPECT_FLOAT_EQ(o.adam.lr, 0.01f);
    EXPECT_FLOAT_EQ(o.adam.beta1, 0.5f);  // DCGAN's
    EXPECT_EQ(o.epochs, 5);
    EXPECT_EQ(o.out_dir, "runs/dcgan");
    const TrainOptions mlp = new_run_options(request({{"--lr", "0.01"}}));
    EXPECT_FLOAT_EQ(mlp.adam.beta1, 0.9f);  // the classic GAN's
    EXPECT_EQ(mlp.out_dir, "runs/classic");
}

// --config: the earlier run's options, the flags given on top, and no DCGAN defaults over them.
TEST(RunRequest, ConfigTakesTheFlagsGivenOnTop) {
    const gan::testing::TempFolder dir("run_request_config");
    TrainOptions earlier;
    earlier.model.arch = Arch::dcgan;
    earlier.epochs = 9;
    earlier.adam.beta1 = 0.7f;
    earlier.seed = 3;
    file_write_atomic(dir.file("config.json"), earlier.to_json());
    RunRequest r = request({{"--seed", "11"}});
    r.config = dir.file("config.json");
    const TrainOptions o = new_run_options(r);
    EXPECT_EQ(o.model.arch, Arch::dcgan);
    EXPECT_EQ(o.epochs, 9);
    EXPECT_FLOAT_EQ(o.adam.beta1, 0.7f);
    EXPECT_EQ(o.seed, 11u);
}

// The model takes the data's shape and classes; a conditional grid becomes whole rows of classes.
TEST(RunRequest, FitToDataMakesTheFixedGridWholeRows) {
    RunRequest r = request({{"--conditional", "true"}});
    TrainOptions o = new_run_options(r);
    fit_run_to_data(o, tiny_set(12, 7), r);
    EXPECT_EQ(o.model.num_classes, 7);
    EXPECT_EQ(o.model.rows, 28);
    EXPECT_EQ(o.fixed_samples, 63);  // 9 rows of 7, from the default 64
    r.config = "earlier/config.json";  // options from a config.json keep their grid
    TrainOptions from_config = r.options;
    fit_run_to_data(from_config, tiny_set(12, 7), r);
    EXPECT_EQ(from_config.fixed_samples, 64);
}

// A resumed run takes what it may change, reports it, and refuses the rest changing nothing.
TEST(RunRequest, ResumeTakesWhatMayChangeAndRefusesTheRest) {
    TrainOptions stored;
    apply_cli_defaults(stored);
    stored.adam.lr = 0.002f;
    stored.data_dir = "unused-data";
    const std::vector<OptionChange> changes =
        apply_resume_request(request({{"--lr", "0.01"}, {"--epochs", "100"}}), "runs/a", stored);
    ASSERT_EQ(changes.size(), 1u);  // --epochs 100 is what the run has
    EXPECT_EQ(changes[0].flag, "--lr");
    EXPECT_EQ(changes[0].before, "0.002");
    EXPECT_EQ(changes[0].after, "0.01");
    EXPECT_FLOAT_EQ(stored.adam.lr, 0.01f);

    const TrainOptions before = stored;
    const std::string e = error_of([&] { apply_resume_request(request({{"--lr", "0.05"}, {"--seed", "4"}}), "runs/a", stored); });
    EXPECT_NE(e.find("--seed 4: runs/a was trained with --seed 0, which a resumed run cannot change"), std::string::npos)
        << e;
    EXPECT_EQ(stored.to_json(), before.to_json());  // --lr was not taken either

    RunRequest with_config = request({});
    with_config.config = "x/config.json";
    EXPECT_NE(error_of([&] { apply_resume_request(with_config, "runs/a", stored); }).find("give one of them"),
              std::string::npos);
    EXPECT_NE(error_of([&] { apply_resume_request(request({{"--out", "runs/b"}}), "runs/a", stored); })
                  .find("continues that run in place"),
              std::string::npos);
    EXPECT_TRUE(apply_resume_request(request({{"--out", "runs/a/"}}), "runs/a", stored).empty());
}

// Trainer::start validates before the data is read, and fits the model to the data it reads.
TEST(RunRequest, StartValidatesBeforeReadingAndFitsTheModel) {
    bool read = false;
    auto load = [&](const TrainOptions&) {
        read = true;
        return tiny_set(20, 10);
    };
    const std::string e = error_of([&] { Trainer::start(request({{"--lr", "-1"}}), load); });
    EXPECT_NE(e.find("--lr"), std::string::npos) << e;
    EXPECT_FALSE(read);

    RunRequest r = request({{"--batch", "10"}, {"--conditional", "true"}});
    const gan::testing::TempFolder out("run_request_start");
    r.options.out_dir = out.path;
    auto t = Trainer::start(r, load);
    EXPECT_TRUE(read);
    EXPECT_EQ(t->options().model.num_classes, 10);
    EXPECT_EQ(t->options().fixed_samples, 60);
    EXPECT_EQ(t->options().batch, 10);
}
