// `mpirun -np N gan train` through the real program (GAN_BINARY under GAN_MPIRUN) on the mnist-mini
// fixture, a few steps an epoch (batch 100 of its 1000 images: 10 steps):
//  - 2 ranks at global batch B end with the weights of one process at B within the bound of
//    docs/distributed.md (the mean |w_2 - w_1| over every parameter of G and D after the 10 steps of
//    one epoch, mean_bound), for the classic MLP and the DCGAN (batch norm synchronised over the
//    ranks); two 2-rank runs are bitwise identical;
//  - a run resumes under another number of ranks (2 -> 1, 1 -> 2);
//  - one rank SIGKILLed mid-run: mpirun ends the job, last.safetensors stays whole, and the resumed
//    run ends bitwise as an uninterrupted one;
//  - rank 0 alone prints "Epoch e/E" lines, one per epoch.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "io/safetensors.h"
#include "test_util.h"

using namespace gan;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";
// docs/distributed.md: mean |w_ranks - w_one| over every parameter after one epoch of mnist-mini (10
// steps). The DCGAN's is larger: batch norm and Adam amplify rounding there (one process with the rows
// of its batches reordered moves as far, src/train/gan_step_dist_test.cpp); untied ranks differ by
// about lr (2e-4) a step.
double mean_bound(const std::string& arch) { return arch == "dcgan" ? 1e-4 : 1e-6; }

struct Ran {
    int code = -1;
    std::string out;
};

// `gan ARGS` (ranks = 1) or `mpirun -np RANKS gan ARGS`, stdout and stderr in log.
Ran run(int ranks, const std::string& args, const std::string& log) {
    std::string cmd = ranks > 1 ? std::string(GAN_MPIRUN) + " -np " + std::to_string(ranks) + " " : "";
    cmd += std::string(GAN_BINARY) + " " + args + " > " + log + " 2>&1";
    const int st = std::system(cmd.c_str());
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, gan::testing::read_file(log)};
}

// 10 steps an epoch; a narrow DCGAN (16 feature maps at the widest layer's base) keeps the test short.
std::string train_args(const std::string& arch, const std::string& out, int epochs) {
    return "train --arch " + arch + " --data " + kData + " --batch 100 --threads 1 --seed 3 --plain " +
           "--samples-per-epoch 16 " + (arch == "dcgan" ? "--ngf 16 --ndf 16 " : "") + "--epochs " +
           std::to_string(epochs) + " --out " + out;
}

// The mean difference of a parameter of G or D between two checkpoints (and in *worst the largest);
// with bitwise, every tensor (optimiser moments, buffers too) must be bit for bit the same instead.
double weight_diff(const std::string& a, const std::string& b, bool bitwise = false, double* worst_out = nullptr) {
    SafetensorsFile fa = safetensors_read(a), fb = safetensors_read(b);
    EXPECT_EQ(fa.tensors.size(), fb.tensors.size());
    double worst = 0, sum = 0;
    size_t n = 0;
    for (auto& [name, t] : fa.tensors) {
        EXPECT_TRUE(fb.tensors.count(name)) << name;
        if (!fb.tensors.count(name)) continue;
        const auto& u = fb.tensors.at(name);
        EXPECT_EQ(t.data.size(), u.data.size()) << name;
        if (bitwise) {
            EXPECT_TRUE(t.data == u.data) << name << " differs";
            continue;
        }
        if (name.rfind("generator.", 0) != 0 && name.rfind("discriminator.", 0) != 0) continue;
        for (size_t i = 0; i < t.data.size() && i < u.data.size(); ++i, ++n) {
            const double d = std::fabs(double(t.data[i]) - u.data[i]);
            worst = std::max(worst, d), sum += d;
        }
    }
    if (worst_out) *worst_out = worst;
    return n ? sum / double(n) : 0.0;
}

int count_lines(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
    return n;
}

void two_ranks_match_one_process(const std::string& arch) {
    gan::testing::TempFolder tmp("gan_mpi_" + arch);
    const std::string t = tmp.path;
    Ran one = run(1, train_args(arch, t + "/one", 1), t + "/one.log");
    ASSERT_EQ(one.code, 0) << one.out;
    Ran two = run(2, train_args(arch, t + "/two", 1), t + "/two.log");
    ASSERT_EQ(two.code, 0) << two.out;
    EXPECT_EQ(count_lines(two.out, "Epoch 1/1"), 1) << two.out;
    EXPECT_NE(two.out.find("Data-parallel over 2 MPI ranks"), std::string::npos) << two.out;
    double worst = 0;
    const double d =
        weight_diff(t + "/one/checkpoints/last.safetensors", t + "/two/checkpoints/last.safetensors", false, &worst);
    EXPECT_LT(d, mean_bound(arch)) << arch;
    std::printf("%s: 2 ranks vs 1 process after 10 steps: mean |dw| %.3g, largest %.3g\n", arch.c_str(), d, worst);
    Ran again = run(2, train_args(arch, t + "/again", 1), t + "/again.log");
    ASSERT_EQ(again.code, 0) << again.out;
    weight_diff(t + "/two/checkpoints/last.safetensors", t + "/again/checkpoints/last.safetensors", true);
    weight_diff(t + "/two/generator.safetensors", t + "/again/generator.safetensors", true);
}

}  // namespace

TEST(MpiTrain, ClassicMlpOnTwoRanksIsOneProcessWithinTheBoundAndRepeatsBitwise) {
    two_ranks_match_one_process("mlp");
}

TEST(MpiTrain, DcganOnTwoRanksIsOneProcessWithinTheBoundAndRepeatsBitwise) { two_ranks_match_one_process("dcgan"); }

// 2 epochs straight in one process; the same as 1 epoch on 2 ranks + 1 resumed on 1, and as 1 epoch
// in one process + 1 resumed on 2 ranks.
TEST(MpiTrain, ResumesUnderAnotherNumberOfRanks) {
    gan::testing::TempFolder tmp("gan_mpi_resume");
    const std::string t = tmp.path;
    ASSERT_EQ(run(1, train_args("mlp", t + "/straight", 2), t + "/s.log").code, 0);
    for (auto [first, second] : {std::pair{2, 1}, std::pair{1, 2}}) {
        const std::string dir = t + "/r" + std::to_string(first) + std::to_string(second);
        Ran a = run(first, train_args("mlp", dir, 1), dir + ".a.log");
        ASSERT_EQ(a.code, 0) << a.out;
        Ran b = run(second, "train --resume " + dir + " --epochs 2 --plain", dir + ".b.log");
        ASSERT_EQ(b.code, 0) << b.out;
        EXPECT_EQ(count_lines(b.out, "Epoch 2/2"), 1) << b.out;
        EXPECT_LT(weight_diff(t + "/straight/checkpoints/last.safetensors", dir + "/checkpoints/last.safetensors"),
                  mean_bound("mlp"))
            << first << " then " << second << " ranks";
    }
}

// One of two ranks killed in epoch 2 of 3: the job ends, the checkpoint of epoch 1 parses, and the
// run resumed on 2 ranks ends bitwise as the uninterrupted 2-rank run.
TEST(MpiTrain, AKilledRankEndsTheJobAndTheCheckpointResumes) {
    gan::testing::TempFolder tmp("gan_mpi_kill");
    const std::string t = tmp.path, dir = t + "/killed";
    ASSERT_EQ(run(2, train_args("mlp", t + "/whole", 3), t + "/whole.log").code, 0);
    const std::string cmd = std::string(GAN_MPIRUN) + " -np 2 " + GAN_BINARY + " " + train_args("mlp", dir, 3) +
                            " > " + t + "/killed.log 2>&1";
    const pid_t job = ::fork();
    if (job == 0) {
        ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), (char*)nullptr);
        ::_exit(127);
    }
    ASSERT_GT(job, 0);
    // Wait for epoch 1 to be reported (its checkpoint is written before), then kill rank 1's process.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (gan::testing::read_file(t + "/killed.log").find("Epoch 1/3") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::string pids;
    {
        FILE* p = ::popen(("pgrep -P " + std::to_string(job)).c_str(), "r");
        char buf[256];
        while (p && std::fgets(buf, sizeof buf, p)) pids += buf;
        if (p) ::pclose(p);
    }
    std::istringstream in(pids);
    std::vector<pid_t> ranks;
    for (long pid; in >> pid;) ranks.push_back(pid_t(pid));
    ASSERT_EQ(ranks.size(), 2u) << "mpirun's children: " << pids;
    ::kill(ranks.back(), SIGKILL);
    int st = 0;
    ::waitpid(job, &st, 0);
    const std::string log = gan::testing::read_file(t + "/killed.log");
    EXPECT_FALSE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << log;
    EXPECT_EQ(log.find("Epoch 3/3"), std::string::npos) << "the job went on after a rank was killed:\n" << log;
    EXPECT_NO_THROW(safetensors_read(dir + "/checkpoints/last.safetensors"));
    Ran resumed = run(2, "train --resume " + dir + " --plain", t + "/resumed.log");
    ASSERT_EQ(resumed.code, 0) << resumed.out;
    weight_diff(t + "/whole/checkpoints/last.safetensors", dir + "/checkpoints/last.safetensors", true);
}
