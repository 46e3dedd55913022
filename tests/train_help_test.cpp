// `gan train --help` against the option table (train/options.h): every option that has a flag is
// offered with its help, and where the help shows a default it is the table's.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "test_util.h"
#include "train/options.h"
#include "train/policy.h"

using namespace gan;

namespace {

std::string help_text() { return gan::testing::run_gan("train --help").out; }

// The line of the help that offers `flag`.
std::string line_of(const std::string& help, const std::string& flag) {
    const size_t at = help.find("\n  " + flag + " ");
    if (at == std::string::npos) return "";
    return help.substr(at + 1, help.find('\n', at + 1) - at - 1);
}

}  // namespace

TEST(TrainHelp, EveryFlagOfTheTableIsOfferedWithItsHelpAndDefault) {
    const std::string help = help_text();
    TrainOptions defaults;
    apply_cli_defaults(defaults);
    int flags = 0;
    for (const TrainOption& t : train_option_table()) {
        if (!t.has_flag()) continue;
        ++flags;
        const std::string line = line_of(help, t.flag);
        ASSERT_NE(line, "") << t.flag << " is not offered:\n" << help;
        EXPECT_NE(line.find(t.help), std::string::npos) << line;
        std::string shown = "=";  // as "--z-dim INT=100 "
        shown += t.show(defaults);
        shown += ' ';
        const bool shows_default = line.find(shown) != std::string::npos;
        EXPECT_EQ(shows_default, t.show_default) << line;
    }
    EXPECT_GE(flags, 20);
    for (const char* own : {"--resume", "--overwrite", "--config", "--tensorboard", "--plain", "--progress"})
        EXPECT_NE(line_of(help, own), "") << own;
}

// What --threads says is what the run policy does: automatic is the usable CPUs up to 4; models that
// split their step run it on them, the others (the DCGAN) give them to the BLAS at any batch.
TEST(TrainHelp, ThreadsHelpSaysWhatThePolicyDoes) {
    const std::string line = line_of(help_text(), "--threads");
    EXPECT_NE(line.find("0 = automatic: the usable CPUs, at most 4"), std::string::npos) << line;
    EXPECT_NE(line.find("at any batch"), std::string::npos) << line;
    EXPECT_EQ(line.find("from batch"), std::string::npos) << line;
    EXPECT_EQ(run_policy(0, true, 16).threads, 4);
    EXPECT_EQ(run_policy(0, true, 3).threads, 3);
    const RunPolicy dcgan = run_policy(0, false, 16);
    EXPECT_EQ(dcgan.threads, 1);
    EXPECT_EQ(dcgan.blas_threads, 1);
    EXPECT_EQ(dcgan.replicas, 4);
}

// No command's help quotes a speed figure (they belong in BENCHMARKS.md, measured side by side).
TEST(Help, NoCommandQuotesASpeedFigure) {
    for (const char* cmd : {"train", "sample", "classifier train", "eval", "report", "interpolate", "export", "serve"}) {
        const std::string help = gan::testing::run_gan(std::string(cmd) + " --help").out;
        ASSERT_NE(help.find("--help"), std::string::npos) << cmd;
        // "1.7x the images per second", "2x faster" (a "2x upscaling" is no speed)
        for (const char* ratio : {"x the ", "x faster", "x as fast"})
            for (size_t at = help.find(ratio); at != std::string::npos; at = help.find(ratio, at + 1))
                EXPECT_FALSE(at > 0 && std::isdigit(static_cast<unsigned char>(help[at - 1])))
                    << cmd << ": a speed ratio ('" << help.substr(at > 8 ? at - 8 : 0, 24) << "')";
        for (const char* figure : {"img/s", "images per second", "% faster"})
            EXPECT_EQ(help.find(figure), std::string::npos) << cmd << ": " << figure;
    }
}
