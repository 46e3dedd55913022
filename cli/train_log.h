// What `gan train` prints while it trains (the live line or plain lines, each epoch's line, the ETAs)
// and the TensorBoard events it writes.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "io/tfrecord.h"
#include "train/trainer.h"

namespace gan_cli {

// A duration for the progress lines: 42s, 4m 05s, 2h 05m.
std::string duration_text(double seconds);

// Whether `gan train` redraws a live progress line (\r) rather than printing plain lines: on a
// terminal unless --plain; not under an MPI launcher, which gives the ranks a pseudo-terminal while
// their output usually ends in a file, unless --progress asks for it (which draws it anywhere).
bool live_progress(bool plain, bool progress);

// The run as a whole, for its ETA: the rate of this process since its first step.
struct RunClock {
    std::chrono::steady_clock::time_point start;
    int64_t first = -1;  // the global step before this process's first
    // Seconds left after global step `done` of `total` (0 until a rate is known).
    double eta(int64_t done, int64_t total);
};

// Running means of the epoch in progress, for the live line.
struct Progress {
    std::chrono::steady_clock::time_point epoch_start = std::chrono::steady_clock::now();
    double sum[4] = {0, 0, 0, 0};
    int n = 0, first_step = -1;
    double last_draw = -1;
    void add(const gan::StepReport& s);
};

// On a terminal: one live line per epoch, redrawn in place (\r) at most ~10 times a second, with the
// epoch's ETA and the run's. Otherwise (CI, files, MPI launchers): plain lines only, no control
// characters; each epoch's line then carries the run's ETA.
struct TrainLog {
    TrainLog(const gan::TrainOptions& options, bool live) : o(options), tty(live) {}
    const gan::TrainOptions& o;
    bool tty;
    // The step reports the mean sigmoid of D's outputs: D's probabilities under BCE, squashed scores
    // under the other losses, so those are labelled as what they are.
    const char* d_x = o.step.loss == gan::LossKind::bce ? "D(x)" : "sigmoid(D(x))";
    const char* d_gz = o.step.loss == gan::LossKind::bce ? "D(G(z))" : "sigmoid(D(G(z)))";
    Progress prog;
    RunClock run_clock;
    double run_eta = 0;  // seconds left of the whole run, as of the last step
    std::unique_ptr<gan::EventsWriter> tb;

    // The steps the run trains in all: every epoch's, or fewer under --max-steps.
    int64_t total_steps(const gan::StepReport& s) const;
    void step(const gan::StepReport& s);
    void tensorboard(const gan::EpochReport& r);
    void epoch(const gan::EpochReport& r);
};

}  // namespace gan_cli
