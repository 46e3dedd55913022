// Crash safety of `gan train` through the real program (GAN_BINARY), on the mnist-mini fixture:
//  - SIGKILL at random moments, many times, each followed by `gan train --resume`: after every
//    kill each checkpoint, sample grid and .npy in the run folder parses, the full-state
//    checkpoint holds every epoch the program reported finished (so at most the epoch in progress
//    is lost), and the run finally ends with exactly the files of an uninterrupted run.
//  - SIGINT / SIGTERM / SIGHUP: exit 130 / 143 / 129 with the state saved, and the resumed run ends bitwise
//    identical to an uninterrupted one.
// Set GAN_KILL_SEED to replay a sequence of kill moments.
#include <fcntl.h>
#include <string.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/check.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "test_util.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

using gan::testing::read_file;
using gan::testing::TempFolder;

// A `gan` child with stdout and stderr in files log_prefix.out and log_prefix.err.
struct Child : gan::testing::GanProcess {
    Child(const std::vector<std::string>& args, const std::string& log_prefix)
        : GanProcess(args, log_prefix + ".out", log_prefix + ".err") {}
    // The last "Epoch N/M" line the program printed (it prints after the epoch's checkpoint).
    int last_reported_epoch() const {
        std::istringstream in(out());
        std::string line;
        int last = 0;
        while (std::getline(in, line)) {
            int e = 0, total = 0;
            if (std::sscanf(line.c_str(), "Epoch %d/%d", &e, &total) == 2) last = e;
        }
        return last;
    }
};

std::vector<std::string> train_args(const std::string& out, int epochs) {
    return {"train", "--data", kMini, "--out", out, "--epochs", std::to_string(epochs), "--batch", "10",
            "--threads", "1", "--seed", "11"};
}

// Parses every checkpoint, grid and .npy under run (final names only; "*.tmp.*" are a killed
// write's leftovers, never read by gan). Returns how many temp leftovers there are.
int check_run_files(const std::string& run) {
    int leftovers = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(run, ec)) {
        if (!e.is_regular_file()) continue;
        const std::string p = e.path().string(), name = e.path().filename().string();
        if (name.find(".tmp.") != std::string::npos) {
            ++leftovers;
            continue;
        }
        const std::string ext = e.path().extension().string();
        try {
            if (ext == ".safetensors") gan::safetensors_read(p);
            if (ext == ".png") gan::png_read_gray(p);
            if (ext == ".npy") gan::npy_read_u8(p);
        } catch (const gan::Error& err) {
            ADD_FAILURE() << "corrupt file after a kill: " << err.what();
        }
    }
    return leftovers;
}

// Completed epochs stored in the full-state checkpoint; -1 when there is none yet.
int checkpoint_epoch(const std::string& run) {
    const std::string p = run + "/checkpoints/last.safetensors";
    if (!fs::exists(p)) return -1;
    gan::SafetensorsFile f = gan::safetensors_read(p);
    return std::stoi(f.metadata.at("epoch"));
}

// Files that must come out byte for byte the same as in an uninterrupted run (metrics.csv and
// config.json hold timings and are compared separately).
std::vector<std::string> deterministic_files(const std::string& run) {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(run)) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fs::relative(e.path(), run).string();
        const std::string ext = e.path().extension().string();
        if (rel.find(".tmp.") != std::string::npos || rel == "checkpoints/last.safetensors") continue;
        if (ext == ".safetensors" || ext == ".png" || ext == ".npy") names.push_back(rel);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void expect_same_results(const std::string& ref, const std::string& run, int epochs) {
    const std::vector<std::string> want = deterministic_files(ref), got = deterministic_files(run);
    EXPECT_EQ(want, got);
    for (const std::string& rel : want)
        EXPECT_TRUE(read_file(ref + "/" + rel) == read_file(run + "/" + rel)) << rel << " differs from the uninterrupted run";
    // The full state too: weights and both Adam states, bit for bit.
    gan::SafetensorsFile a = gan::safetensors_read(ref + "/checkpoints/last.safetensors");
    gan::SafetensorsFile b = gan::safetensors_read(run + "/checkpoints/last.safetensors");
    ASSERT_EQ(a.order, b.order);
    for (const std::string& name : a.order)
        EXPECT_TRUE(a.tensors.at(name).data == b.tensors.at(name).data) << name << " differs";
    // metrics.csv: one row per epoch, in order, none repeated or lost.
    std::istringstream csv(read_file(run + "/metrics.csv"));
    std::string line;
    std::getline(csv, line);  // header
    std::vector<int> rows;
    while (std::getline(csv, line)) rows.push_back(std::atoi(line.c_str()));
    std::vector<int> expected;
    for (int e = 1; e <= epochs; ++e) expected.push_back(e);
    EXPECT_EQ(rows, expected) << "metrics.csv epochs";
}

double run_reference(const std::string& ref, int epochs, const std::string& logs) {
    const auto t0 = Clock::now();
    Child c(train_args(ref, epochs), logs + "/ref");
    EXPECT_TRUE(c.wait(120)) << "reference run hung";
    EXPECT_EQ(c.exit_code(), 0) << c.err();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

unsigned kill_seed() {
    const char* s = std::getenv("GAN_KILL_SEED");
    return s ? unsigned(std::strtoul(s, nullptr, 10)) : std::random_device{}();
}

TEST(KillResume, SigkillAtRandomMomentsLosesAtMostTheEpochInProgress) {
    constexpr int kEpochs = 10, kKills = 15;
    TempFolder tmp("gan_kill_resume");
    const std::string ref = tmp.path + "/ref", run = tmp.path + "/run";
    const double ref_s = run_reference(ref, kEpochs, tmp.path);
    ASSERT_FALSE(HasFailure());
    const double epoch_s = ref_s / kEpochs;

    const unsigned seed = kill_seed();
    std::mt19937 rng(seed);
    RecordProperty("kill_seed", std::to_string(seed));
    // Kill moments from just after start (data loading, resume) to past one epoch's end (so a
    // kill can land while the epoch's files and checkpoint are being written).
    // The reference's epoch time is only an estimate: measured while other tests load the machine it can
    // be several times the time of a later epoch, and then the run ends after a few kills. So a life that
    // saved an epoch shrinks the window for the next ones (×0.8; two or more: ×0.5).
    double max_delay = 1.8 * epoch_s;

    int kills = 0, reported = 0, leftovers = 0, restarts_from_scratch = 0, prev_saved = -1;
    bool finished = false;
    for (int life = 0; life < kKills + 1 && !finished; ++life) {
        const bool resume = checkpoint_epoch(run) >= 0;
        if (!resume) ++restarts_from_scratch;
        // No checkpoint yet: start again, over what a killed first start may have left (config.json).
        std::vector<std::string> args = resume ? std::vector<std::string>{"train", "--resume", run}
                                               : train_args(run, kEpochs);
        if (!resume) args.push_back("--overwrite");
        Child c(args, tmp.path + "/life" + std::to_string(life));
        if (life < kKills) {
            std::uniform_real_distribution<double> delay(0.0, max_delay);
            std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
            if (c.poll()) {
                finished = true;
            } else {
                c.kill_and_reap(SIGKILL);
                ASSERT_EQ(c.term_signal(), SIGKILL) << c.err();
                ++kills;
            }
        } else {
            ASSERT_TRUE(c.wait(120)) << "the last resume hung";
            finished = true;
        }
        if (finished) {
            ASSERT_EQ(c.exit_code(), 0) << "life " << life << ": " << c.err();
        }
        reported = std::max(reported, c.last_reported_epoch());
        leftovers = check_run_files(run);
        const int saved = checkpoint_epoch(run);
        // Every epoch the program reported done is in the checkpoint: at most the one in progress is lost.
        EXPECT_GE(std::max(saved, 0), reported) << "life " << life << " (seed " << seed << ")";
        EXPECT_LE(saved, kEpochs);
        const int gained = saved - std::max(prev_saved, 0);
        if (gained >= 2)
            max_delay *= 0.5;
        else if (gained == 1)
            max_delay *= 0.8;
        prev_saved = std::max(prev_saved, saved);
    }
    ASSERT_TRUE(finished);
    std::printf("[ kill     ] %d SIGKILLs survived (seed %u), %d starts with nothing to resume, "
                "%d temp leftovers at the end\n",
                kills, seed, restarts_from_scratch, leftovers);
    RecordProperty("kills", kills);
    EXPECT_GE(kills, 10) << "the run finished too soon to be killed often";
    expect_same_results(ref, run, kEpochs);
}

class StopSignal : public ::testing::TestWithParam<int> {};

TEST_P(StopSignal, ExitsWithStateSavedAndResumesBitwise) {
    const int sig = GetParam();
    constexpr int kEpochs = 3;
    TempFolder tmp("gan_kill_resume");
    const std::string ref = tmp.path + "/ref", run = tmp.path + "/run";
    const double ref_s = run_reference(ref, kEpochs, tmp.path);
    ASSERT_FALSE(HasFailure());
    const double epoch_s = ref_s / kEpochs;
    std::mt19937 rng(kill_seed());

    {
        // Stop in the middle of epoch 2: after "Epoch 1/3" is printed, wait a part of an epoch.
        Child c(train_args(run, kEpochs), tmp.path + "/stopped");
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        while (c.last_reported_epoch() < 1 && !c.poll() && Clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ASSERT_FALSE(c.poll()) << "ended before it could be stopped: " << c.err();
        std::this_thread::sleep_for(
            std::chrono::duration<double>(std::uniform_real_distribution<double>(0.1, 0.5)(rng) * epoch_s));
        ::kill(c.pid(), sig);
        ASSERT_TRUE(c.wait(60)) << "did not stop after the signal";
        EXPECT_EQ(c.exit_code(), 128 + sig) << c.err();
        EXPECT_NE(c.out().find(std::string("Stopped by SIG") + sigabbrev_np(sig)), std::string::npos)
            << c.out();
        EXPECT_EQ(c.err(), "");
        EXPECT_EQ(check_run_files(run), 0) << "a clean stop leaves no temp files";
        gan::SafetensorsFile f = gan::safetensors_read(run + "/checkpoints/last.safetensors");
        std::printf("[ stop     ] stopped at epoch %s step %s\n", f.metadata.at("epoch").c_str(),
                    f.metadata.at("step").c_str());
        EXPECT_GE(std::stoi(f.metadata.at("epoch")), 1);
    }
    Child c({"train", "--resume", run}, tmp.path + "/resumed");
    ASSERT_TRUE(c.wait(120)) << "resume hung";
    ASSERT_EQ(c.exit_code(), 0) << c.err();
    expect_same_results(ref, run, kEpochs);
}

// SIGHUP: the terminal or ssh session that started the run closed.
INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const ::testing::TestParamInfo<int>& i) {
                             return std::string("SIG") + sigabbrev_np(i.param);
                         });

}  // namespace
