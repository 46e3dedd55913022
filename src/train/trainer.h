// The training loop (of the classic GAN, docs/classic_gan.md, and every other model): shuffled epochs
// of full batches, one GanStep per batch, per-epoch samples, checkpoints and metrics in a run directory. Library code: it reports through
// callbacks and throws gan::Error; the CLI prints.
// Data-parallel (docs/distributed.md): given a Comm of N ranks, every rank draws the same global order
// and latents as one process and trains on its contiguous share of each global batch (options.batch);
// the step sums the gradients. Rank 0 alone writes the run directory and calls the callbacks.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/image_set.h"
#include "models/gan_model.h"
#include "optim/adam.h"
#include "train/checkpoint.h"
#include "train/gan_step.h"
#include "train/options.h"
#include "train/run_dir.h"
#include "train/run_request.h"

namespace gan {

struct EpochReport {
    int epoch = 0, epochs = 0, steps = 0;
    double d_loss = 0, g_loss = 0;            // means over the epoch
    double d_loss_last = 0, g_loss_last = 0;  // the last batch's, as the tutorial prints
    double d_real = 0, d_fake = 0;            // mean D(x), D(G(z)) over the epoch
    double seconds = 0, images_per_s = 0;     // of the steps this process ran (all but a resumed part)
    double data_share = 0;                    // the part of `seconds` spent gathering real batches
    double comm_share = 0;                    // the part of `seconds` spent in collectives (0: one process)
    double elapsed = 0;
    double augment_p = 0;                     // the augmentation's probability at the epoch's end (0: none)
    std::string sample_png;                   // the grid written for this epoch
    std::string fixed_png;                    // the fixed-latent grid of this epoch
    std::vector<std::pair<std::string, double>> eval;  // from the evaluator, when it ran
};

// Optional quality metrics every options.eval_every epochs (set by the CLI, e.g. FID and classifier
// score). Returns named values, always the same names in the same order; they are reported in
// EpochReport::eval and logged to eval.csv.
using Evaluator = std::function<std::vector<std::pair<std::string, double>>(GanModel& model, int epoch)>;

struct StepReport {
    int epoch = 0, step = 0, steps = 0;  // step is 1-based within the epoch
    StepStats stats;
};

class Trainer {
  public:
    using DataLoader = std::function<ImageSet(const TrainOptions&)>;
    // Builds and initialises a fresh run (or loads it from a full-state checkpoint via resume()).
    // The images must have the model's shape (options.model: channels, rows, cols). The options are
    // validated here.
    Trainer(TrainOptions options, ImageSet data, Comm& comm = local_comm());
    // A new run as a user asks for it (run_request.h): its options resolved and validated before the
    // data is read (a bad value is told at once), the data read by load_data, the model fitted to it.
    static std::unique_ptr<Trainer> start(const RunRequest& request, const DataLoader& load_data,
                                          Comm& comm = local_comm());
    // Continue from RUN_DIR/checkpoints/last.safetensors. `adjust` (may be null) sees the stored
    // options before anything is built, and may change those that a resumed run can change (or throw).
    static std::unique_ptr<Trainer> resume(const std::string& run_dir,
                                           const std::function<void(TrainOptions&)>& adjust,
                                           const DataLoader& load_data, Comm& comm = local_comm());

    // Trains to options().epochs. Returns false if stopped early, by *stop or at options().max_steps
    // (step_limit_reached()), the state saved first.
    bool run(const std::function<void(const EpochReport&)>& on_epoch,
             const std::function<void(const StepReport&)>& on_step = nullptr,
             const std::atomic<bool>* stop = nullptr);

    const TrainOptions& options() const { return o_; }
    const TrainProgress& progress() const { return p_; }
    GanModel& model() { return *model_; }
    std::string last_checkpoint() const;
    bool step_limit_reached() const;  // the run has trained options().max_steps steps (when that is set)
    void save_state();  // checkpoints/last.safetensors (the device's state brought to the host first)
    Evaluator evaluator;

  private:
    struct Validated {  // options that TrainOptions::validate() has passed
        TrainOptions options;
    };
    static Validated validated(TrainOptions o);
    // resuming: the run's own state is loaded next, so no --init-generator / --init-discriminator weights.
    Trainer(Validated options, ImageSet data, Comm& comm, bool resuming);
    void start_epoch();
    void gather_batch(int step);
    // seconds and steps_run: this process's share of the epoch (less than all of it after a resume).
    void end_epoch(const std::function<void(const EpochReport&)>& on_epoch, double seconds, int steps_run);
    void train_step(int step, int steps);
    // The parts of end_epoch, in its order.
    void check_weights_finite(int steps) const;
    EpochReport epoch_report(int steps, double seconds, int steps_run) const;
    void write_samples(EpochReport& r);
    void write_fixed_samples(EpochReport& r);
    void run_evaluator(EpochReport& r);
    void save_generators(int epoch) const;
    void write_logs(const EpochReport& r);
    void write_epoch_files(EpochReport& r);

    bool stop_requested(const std::atomic<bool>* stop) const;  // by any rank
    bool writes() const { return comm_.rank() == 0; }       // this rank writes the run directory

    TrainOptions o_;
    ImageSet data_;
    Comm& comm_;
    std::unique_ptr<GanModel> model_;
    std::unique_ptr<Adam> opt_g_, opt_d_;
    std::unique_ptr<GanStep> step_;
    Rng data_rng_, latent_rng_, sample_rng_;
    TrainProgress p_;
    std::vector<uint32_t> perm_;
    Tensor real_, z_, z_share_;  // z_: the global batch's latents; z_share_: this rank's rows of them
    StepStats last_;
    double data_seconds_ = 0;  // this epoch's time in gather_batch, in this process
    double comm_seconds_ = 0;  // comm_.busy_seconds() when this epoch's steps started
    std::vector<uint8_t> all_samples_;  // epochs x samples_per_epoch images, HWC (as all_samples.npy)
    Tensor fixed_z_;                    // fixed_samples latents drawn once from the seed
    std::vector<int> fixed_labels_;     // conditional models: class i % K for fixed sample i
    std::vector<int> real_labels_, fake_labels_;  // this rank's rows, conditional models
    std::vector<int> fake_labels_all_;            // (B) the global batch's
    DeviceArray ema_;                   // the moving average of G's parameters (options.ema > 0), on the device
    void download_state();              // the step's state and the EMA to their host copies
    void upload_state();                // and back, after the host copies were loaded
    void swap_ema();                    // exchange G's weights with the average (no-op without EMA)
    std::string step_rows_;             // steps.csv rows of the epoch in progress
};

}  // namespace gan
