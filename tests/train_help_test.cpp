// `gan train --help` against the option table (train/options.h): every option that has a flag is
// offered with its help, and where the help shows a default it is the table's.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"
#include "train/options.h"

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
    for (const char* own : {"--resume", "--overwrite", "--config", "--tensorboard", "--plain"})
        EXPECT_NE(line_of(help, own), "") << own;
}
