// The run directory's lock (issue 29, case 7), through the real program (GAN_BINARY): while a
// process holds it, `gan train --resume RUN` and `gan train --out RUN --overwrite` are refused naming
// that process, `gan sample` still reads the run, and the temp file of a live process survives a
// resume while a dead one's is removed; two new runs started together into one folder end with one
// run and a clear refusal, never a half-written folder.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "test_util.h"
#include "train/run_dir.h"

namespace fs = std::filesystem;

namespace {

using gan::testing::GanProcess;
using gan::testing::read_file;
using gan::testing::RunOptions;
using gan::testing::run_gan;
using gan::testing::TempFolder;

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

std::vector<std::string> train(const std::string& out, const std::string& epochs) {
    return {"train", "--data", kMini, "--out", out, "--epochs", epochs, "--threads", "1", "--batch", "100"};
}

RunOptions separate() {
    RunOptions ro;
    ro.separate_err = true;
    ro.timeout_s = 120;
    return ro;
}

// The epochs of metrics.csv's rows.
std::vector<int> metric_epochs(const std::string& run) {
    std::istringstream csv(read_file(run + "/metrics.csv"));
    std::string line;
    std::getline(csv, line);
    std::vector<int> rows;
    while (std::getline(csv, line)) rows.push_back(std::atoi(line.c_str()));
    return rows;
}

// A pid that no process has now: a child that has ended and been reaped.
pid_t dead_pid() {
    const pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    ::waitpid(p, nullptr, 0);
    return p;
}

TEST(RunLock, RefusesASecondTrainerAndLetsReadersIn) {
    TempFolder tmp("gan_run_lock");
    const std::string run = tmp.file("run");
    ASSERT_EQ(run_gan(train(run, "1")).code, 0);
    const std::string in_use = run + " is in use by gan train (pid " + std::to_string(::getpid()) + ")";
    const std::string live_tmp = run + "/metrics.csv.tmp." + std::to_string(::getpid());
    const std::string dead_tmp = run + "/metrics.csv.tmp." + std::to_string(dead_pid());
    gan::testing::write_file(live_tmp, "half");
    gan::testing::write_file(dead_tmp, "half");
    {
        gan::RunDirLock held(run);  // as a gan train in progress holds it
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"train", "--resume", run, "--epochs", "2"}, train(run, "1")}) {
            std::vector<std::string> a = args;
            if (a[1] != "--resume") a.push_back("--overwrite");
            gan::testing::RunResult r = run_gan(a, separate());
            EXPECT_EQ(r.code, 2) << r.out << r.err;
            EXPECT_EQ(r.err, "gan: error: " + in_use + "\n");
        }
        EXPECT_TRUE(fs::exists(run + "/checkpoints/last.safetensors")) << "--overwrite cleared a run in use";
        gan::testing::RunResult s = run_gan({"sample", "-c", run, "--n", "4", "--out", tmp.file("x.png")}, separate());
        EXPECT_EQ(s.code, 0) << s.err;
    }
    gan::testing::RunResult r = run_gan({"train", "--resume", run, "--epochs", "2"}, separate());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(metric_epochs(run), (std::vector<int>{1, 2}));
    EXPECT_TRUE(fs::exists(live_tmp)) << "another live process's temp file was removed";
    EXPECT_FALSE(fs::exists(dead_tmp)) << "a dead process's temp file was kept";
}

TEST(RunLock, TwoNewRunsStartedTogetherGiveOneRunAndOneRefusal) {
    TempFolder tmp("gan_run_lock");
    const std::string run = tmp.file("run");
    GanProcess a(train(run, "3"), tmp.file("a.out"), tmp.file("a.err"));
    GanProcess b(train(run, "3"), tmp.file("b.out"), tmp.file("b.err"));
    ASSERT_TRUE(a.wait(120) && b.wait(120));
    GanProcess& winner = a.exit_code() == 0 ? a : b;
    GanProcess& loser = a.exit_code() == 0 ? b : a;
    ASSERT_EQ(winner.exit_code(), 0) << a.err() << b.err();
    EXPECT_EQ(loser.exit_code(), 2);
    // Refused while the winner trains, or after it ended: either way a clear line, never a failed write.
    const std::string err = loser.err();
    EXPECT_TRUE(err.find("is in use by gan train (pid " + std::to_string(winner.pid()) + ")") != std::string::npos ||
                err.find("already holds a run") != std::string::npos)
        << err;
    EXPECT_EQ(metric_epochs(run), (std::vector<int>{1, 2, 3}));
}

}  // namespace
