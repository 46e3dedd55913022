// gan fetch: it runs the fetch script that comes with gan, into the folder gan searches. Offline: a
// folder that already holds the verified files is left as it is (the script checks their MD5s and
// fetches nothing), which needs MNIST's four files in the source tree's data/mnist.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_util.h"

namespace fs = std::filesystem;

TEST(Fetch, VerifiesTheFilesAFolderHoldsAndFetchesNothingMore) {
    const std::string mnist = std::string(GAN_SOURCE_DIR) + "/data/mnist";
    const char* files[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"};
    for (const char* f : files)
        if (!fs::exists(mnist + "/" + f)) GTEST_SKIP() << "no MNIST in " << mnist << " (scripts/fetch_mnist.sh)";
    gan::testing::TempFolder tmp("gan_fetch");
    const std::string dir = tmp.path + "/mnist";
    fs::create_directories(dir);
    for (const char* f : files) fs::create_symlink(fs::canonical(mnist + "/" + f), dir + "/" + f);
    const gan::testing::RunResult r = gan::testing::run_gan({"fetch", "mnist", "--out", dir});
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("fetch: MNIST already in " + dir + " (MD5s verified)"), std::string::npos) << r.out;
}

// Its help names the data sets and the folder it fills by default.
TEST(Fetch, DefaultsToTheFolderGanSearchesFirst) {
    const gan::testing::RunResult help = gan::testing::run_gan("fetch --help");
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("./data/mnist"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("mnist or fashion-mnist"), std::string::npos) << help.out;
}
