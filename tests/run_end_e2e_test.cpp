// The end of a run and what it prints, through the real `gan` program on tests/data/mnist-mini:
// --max-steps stops a run resumably (a smoke test), --keep-checkpoints prunes the generator files,
// the run's ETA is printed, plain lines are written under an MPI launcher's pseudo-terminal unless
// --progress asks for the live line, and --init-generator starts a run from given weights.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/file.h"
#include "io/safetensors.h"
#include "e2e_helpers.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace gan;

namespace {

const std::string kData = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

using gan::testing::TempFolder;
using Result = gan::testing::RunResult;

Result run(const std::string& args) { return gan::testing::run_gan(args); }

std::string train_args(const std::string& out, int epochs) { return gan::testing::mini_train_args(out, epochs); }

using gan::testing::expect_same_tensors;

std::vector<std::string> generator_files(const std::string& run_dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(run_dir + "/checkpoints")) {
        const std::string n = e.path().filename().string();
        if (n.rfind("generator_epoch_", 0) == 0) names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// `gan args` with its standard output on a pseudo-terminal (as mpirun gives its ranks), the MPI
// launchers' variables removed from its environment and `env` set; what it wrote there.
std::string run_on_pty(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env) {
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid < 0) return "forkpty failed";
    if (pid == 0) {
        for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"})
            ::unsetenv(v);
        for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv{const_cast<char*>(GAN_BINARY)};
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(GAN_BINARY, argv.data());
        ::_exit(127);
    }
    std::string out;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    char buf[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        if (std::chrono::steady_clock::now() > end) {
            ::kill(pid, SIGKILL);
            out += "\n[timed out]";
            break;
        }
        if (::poll(&p, 1, 1000) <= 0) continue;
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO once the program has ended and closed the terminal
        out.append(buf, size_t(n));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(master);
    return out;
}

}  // namespace

// --max-steps N stops the run after N steps in all, its state saved; resumed without the limit, it
// ends bitwise where an uninterrupted run ends.
TEST(RunEnd, MaxStepsStopsResumablyAndTheResumedRunMatchesAStraightOne) {
    TempFolder tmp("gan_max_steps");
    const std::string straight = tmp.path + "/straight", split = tmp.path + "/split";
    ASSERT_EQ(run(train_args(straight, 2)).code, 0);

    Result smoke = run(train_args(split, 2) + " --max-steps 3");
    ASSERT_EQ(smoke.code, 0) << smoke.out;
    EXPECT_NE(smoke.out.find("Stopped by --max-steps 3 at epoch 1 step 3"), std::string::npos) << smoke.out;
    EXPECT_NE(smoke.out.find("train --resume " + split + " --max-steps 0"), std::string::npos) << smoke.out;
    EXPECT_EQ(smoke.out.find("Epoch 1/2..."), std::string::npos) << "no epoch finished: " << smoke.out;
    EXPECT_EQ(safetensors_read(split + "/checkpoints/last.safetensors").metadata.at("step"), "3");
    EXPECT_TRUE(generator_files(split).empty());

    // Resumed as it is, the limit holds: it stops at once.
    Result again = run("train --resume " + split);
    ASSERT_EQ(again.code, 0) << again.out;
    EXPECT_NE(again.out.find("Stopped by --max-steps 3 at epoch 1 step 3"), std::string::npos) << again.out;

    Result rest = run("train --resume " + split + " --max-steps 0");
    ASSERT_EQ(rest.code, 0) << rest.out;
    EXPECT_NE(rest.out.find("max-steps 3 -> 0"), std::string::npos) << rest.out;
    EXPECT_NE(rest.out.find("Epoch 2/2..."), std::string::npos) << rest.out;
    expect_same_tensors(straight + "/checkpoints/last.safetensors", split + "/checkpoints/last.safetensors");
    expect_same_tensors(straight + "/generator.safetensors", split + "/generator.safetensors");
}

// --keep-checkpoints N keeps the last N epochs' generators (and every --keep-every K-th); a resumed
// run given a smaller N prunes what the earlier part left.
TEST(RunEnd, KeepCheckpointsKeepsTheLastNAndEveryKth) {
    TempFolder tmp("gan_keep");
    const std::string dir = tmp.path + "/run";
    Result r = run(train_args(dir, 5) + " --keep-checkpoints 2 --keep-every 2");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(generator_files(dir),
              (std::vector<std::string>{"generator_epoch_002.safetensors", "generator_epoch_004.safetensors",
                                        "generator_epoch_005.safetensors"}));
    EXPECT_TRUE(fs::exists(dir + "/generator.safetensors"));
    EXPECT_TRUE(fs::exists(dir + "/checkpoints/last.safetensors"));

    Result more = run("train --resume " + dir + " --epochs 6 --keep-checkpoints 1 --keep-every 0");
    ASSERT_EQ(more.code, 0) << more.out;
    EXPECT_EQ(generator_files(dir), (std::vector<std::string>{"generator_epoch_006.safetensors"}));
    // gan sample still finds the run's newest generator.
    EXPECT_EQ(run("sample -c " + dir + " --n 4 --out " + tmp.path + "/x.png").code, 0);
}

// Plain lines (a file) carry the run's ETA on every epoch's line but the last.
TEST(RunEnd, EachEpochLineCarriesTheRunsEtaWhileEpochsRemain) {
    TempFolder tmp("gan_eta");
    Result r = run(train_args(tmp.path + "/run", 3));
    ASSERT_EQ(r.code, 0) << r.out;
    auto line = [&](const std::string& head) {
        const size_t at = r.out.find(head);
        return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
    };
    EXPECT_NE(line("Epoch 1/3...").find(", run ETA "), std::string::npos) << r.out;
    EXPECT_NE(line("Epoch 2/3...").find(", run ETA "), std::string::npos) << r.out;
    ASSERT_NE(line("Epoch 3/3..."), "") << r.out;
    EXPECT_EQ(line("Epoch 3/3...").find("ETA"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\033'), std::string::npos) << "control characters in a file";

    // --max-steps ends the run sooner: at the end of epoch 1 (20 steps of 50 of the 1000 images) nothing
    // is left, so no ETA, and the stop is said to come after that epoch.
    Result short_run = run(train_args(tmp.path + "/short", 3) + " --max-steps 20");
    ASSERT_EQ(short_run.code, 0) << short_run.out;
    EXPECT_EQ(short_run.out.find("ETA"), std::string::npos) << short_run.out;
    EXPECT_NE(short_run.out.find("Stopped by --max-steps 20 after epoch 1:"), std::string::npos) << short_run.out;
}

// On a terminal the live line (erased with ESC [K) shows the epoch's ETA and the run's; under an MPI
// launcher (its variables set, one rank) the same terminal gets plain lines, unless --progress.
TEST(RunEnd, AnMpiLaunchersTerminalGetsPlainLinesUnlessProgressIsAsked) {
    TempFolder tmp("gan_pty");
    auto args = [&](const std::string& name, std::vector<std::string> extra) {
        std::vector<std::string> a{"train", "--data", kData, "--batch", "50", "--threads", "1", "--epochs", "2",
                                   "--out", tmp.path + "/" + name};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    const std::string tty = run_on_pty(args("tty", {}), {});
    ASSERT_NE(tty.find("Epoch 2/2..."), std::string::npos) << tty;
    EXPECT_NE(tty.find("\033[K"), std::string::npos) << "no live line on a terminal: " << tty;
    EXPECT_NE(tty.find(", run "), std::string::npos) << "no run ETA in the live line: " << tty;

    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
        const std::string mpi = run_on_pty(args(std::string("mpi_") + var, {}), {{var, "1"}});
        ASSERT_NE(mpi.find("Epoch 2/2..."), std::string::npos) << var << ": " << mpi;
        EXPECT_EQ(mpi.find('\033'), std::string::npos) << var << ": redraws under a launcher: " << mpi;
    }
    const std::string asked = run_on_pty(args("asked", {"--progress"}), {{"OMPI_COMM_WORLD_SIZE", "1"}});
    ASSERT_NE(asked.find("Epoch 2/2..."), std::string::npos) << asked;
    EXPECT_NE(asked.find("\033[K"), std::string::npos) << "--progress: " << asked;
}

// --init-generator and --init-discriminator: a new run starts from another run's weights, so its first
// step is the step the other run would take next from them (the optimiser state aside), and config.json
// records where they came from; a resumed run loads its own state and cannot change them.
TEST(RunEnd, InitWeightsStartANewRunFromAnotherRunsNetworks) {
    TempFolder tmp("gan_init");
    const std::string a = tmp.path + "/a", b = tmp.path + "/b", c = tmp.path + "/c";
    ASSERT_EQ(run(train_args(a, 1)).code, 0);
    // b starts from a's weights and stops before its first step: its saved state holds them.
    auto seed_9 = [](std::string args) { return args.replace(args.find("--seed 3"), 8, "--seed 9"); };
    Result r = run(seed_9(train_args(b, 1)) + " --max-steps 1 --init-generator " + a + " --init-discriminator " + a);
    ASSERT_EQ(r.code, 0) << r.out;
    ASSERT_EQ(run(seed_9(train_args(c, 1)) + " --max-steps 1").code, 0);
    const SafetensorsFile fa = safetensors_read(a + "/checkpoints/last.safetensors");
    const SafetensorsFile fb = safetensors_read(b + "/checkpoints/last.safetensors");
    const SafetensorsFile fc = safetensors_read(c + "/checkpoints/last.safetensors");
    // One Adam step from a's weights stays near them; c's random init is far from them.
    for (const char* name : {"generator.0.weight", "discriminator.0.weight"}) {
        const auto &wa = fa.tensors.at(name).data, &wb = fb.tensors.at(name).data, &wc = fc.tensors.at(name).data;
        double db = 0, dc = 0;
        for (size_t i = 0; i < wa.size(); ++i) db = std::max(db, double(std::abs(wb[i] - wa[i]))),
                                              dc = std::max(dc, double(std::abs(wc[i] - wa[i])));
        EXPECT_LE(db, 0.0021) << name << ": one step of lr 0.002 from a's weights";
        EXPECT_GT(dc, 0.01) << name;
    }
    std::vector<uint8_t> cfg = file_read_all(b + "/config.json", 1 << 20);
    EXPECT_NE(std::string(cfg.begin(), cfg.end()).find("\"init_generator\": \"" + a + "\""), std::string::npos);
    Result resumed = run("train --resume " + b + " --max-steps 0 --init-generator " + c);
    EXPECT_EQ(resumed.code, 2) << resumed.out;
    EXPECT_NE(resumed.out.find("--init-generator"), std::string::npos) << resumed.out;
}
