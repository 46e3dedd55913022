#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "io/file.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/safetensors.h"
#include "models/dcgan.h"
#include "optim/ema.h"
#include "train/ada.h"
#include "nn/losses.h"
#include "train/checkpoint.h"
#include "train/run_dir.h"

namespace gan {

namespace {

enum Stream : uint64_t { kInit = 0, kData = 1, kLatent = 2, kSample = 3, kFixed = 4, kAugment = 5 };

}  // namespace

Trainer::Validated Trainer::validated(TrainOptions o) {
    o.validate();
    return {std::move(o)};
}

Trainer::Trainer(TrainOptions options, ImageSet data, Comm& comm)
    : Trainer(validated(std::move(options)), std::move(data), comm, false) {}

std::unique_ptr<Trainer> Trainer::start(const RunRequest& request, const DataLoader& load_data, Comm& comm) {
    Validated v = validated(new_run_options(request));
    ImageSet data = load_data(v.options);
    fit_run_to_data(v.options, data, request);
    return std::unique_ptr<Trainer>(new Trainer(std::move(v), std::move(data), comm, false));
}

Trainer::Trainer(Validated options, ImageSet data, Comm& comm, bool resuming)
    : o_(std::move(options.options)),
      data_(std::move(data)),
      comm_(comm),
      data_rng_(o_.seed, kData),
      latent_rng_(o_.seed, kLatent),
      sample_rng_(o_.seed, kSample) {
    const ImageSet& im = data_;
    const ModelConfig& m = o_.model;
    GAN_CHECK(im.n > 0, o_.data_dir, ": the image set is empty");
    GAN_CHECK(im.channels == m.channels && im.rows == m.rows && im.cols == m.cols, o_.data_dir, ": images are ",
              im.channels, "x", im.rows, "x", im.cols, " (channels x rows x cols) but the model expects ",
              m.channels, "x", m.rows, "x", m.cols);
    GAN_CHECK(o_.batch <= im.n, "--batch ", o_.batch, " is larger than the data set (", im.n, " images in ",
              o_.data_dir, ")");
    GAN_CHECK(o_.batch >= comm_.size(), "--batch ", o_.batch, " is smaller than the ", comm_.size(),
              " ranks it is split over");
    if (m.conditional) {
        GAN_CHECK(im.labels.size() == size_t(im.n), o_.data_dir, ": a conditional model needs one label per image");
        GAN_CHECK(int(im.class_names.size()) == m.num_classes, o_.data_dir, " has ", im.class_names.size(),
                  " classes but the model has ", m.num_classes);
        for (int32_t l : im.labels)
            GAN_CHECK(l >= 0 && l < m.num_classes, o_.data_dir, ": label ", l, " is not below the ",
                      m.num_classes, " classes of the model");
    }
    model_ = gan_build(o_.model);
    Rng init_rng(o_.seed, kInit);
    gan_init(*model_, init_rng);
    if (!resuming)  // a new run may start from given weights; a resumed one loads its own state next
        for (const bool g : {true, false})
            if (const std::string& file = g ? o_.init_generator : o_.init_discriminator; !file.empty())
                checkpoint_init_network(*model_, g, file, g ? "--init-generator" : "--init-discriminator");
    if (o_.ema > 0) ema_.host() = model_->g.params.values();
    opt_g_ = std::make_unique<Adam>(model_->g.params, o_.adam_of(true));
    opt_d_ = std::make_unique<Adam>(model_->d.params, o_.adam_of(false));
    step_ = std::make_unique<GanStep>(*model_, *opt_g_, *opt_d_, o_.step,
                                      run_policy(o_, model_->g, model_->d, &comm_));
    ema_.place(step_->backend());  // beside G's parameters, which the step placed on its device
    real_.on(step_->backend());    // the batch is gathered straight into the device's memory
    p_.data_epoch = data_rng_.state();
    p_.latent = latent_rng_.state();
    p_.sample = sample_rng_.state();
    Rng fixed_rng(o_.seed, kFixed);
    sample_latent(fixed_z_, o_.fixed_samples, o_.model, fixed_rng);
    for (int i = 0; i < o_.fixed_samples; ++i) fixed_labels_.push_back(i % o_.model.num_classes);
}

bool Trainer::step_limit_reached() const {
    const int64_t steps = data_.n / o_.batch;
    return o_.max_steps > 0 && int64_t(p_.epoch) * steps + p_.step >= o_.max_steps;
}

std::string Trainer::last_checkpoint() const { return o_.out_dir + "/checkpoints/last.safetensors"; }

void Trainer::download_state() {
    step_->to_host();
    ema_.download();
}

void Trainer::upload_state() {
    step_->to_device();
    ema_.upload();
}

void Trainer::save_state() {
    if (!writes()) return;
    download_state();
    TrainProgress p = p_;
    p.latent = latent_rng_.state();
    p.sample = sample_rng_.state();
    make_dirs(o_.out_dir + "/checkpoints");
    checkpoint_save_state(last_checkpoint(), o_, *model_, *opt_g_, *opt_d_, ema_.host(), p);
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& run_dir, const std::function<void(TrainOptions&)>& adjust,
                                         const DataLoader& load_data, Comm& comm) {
    const std::string path = run_dir + "/checkpoints/last.safetensors";
    GAN_CHECK(file_exists(path), run_dir, ": nothing to resume (no checkpoints/last.safetensors)");
    StateFile file = checkpoint_open_state(path);
    TrainOptions o = file.options;
    o.out_dir = run_dir;
    if (adjust) adjust(o);
    std::unique_ptr<Trainer> t(new Trainer(validated(o), load_data(o), comm, true));
    TrainProgress& p = t->p_;
    checkpoint_load_state(file, *t->model_, *t->opt_g_, *t->opt_d_, t->ema_.host(), p);
    t->upload_state();
    t->data_rng_.set_state(p.data_epoch);
    t->latent_rng_.set_state(p.latent);
    t->sample_rng_.set_state(p.sample);
    // Earlier epochs' samples, so all_samples.npy stays complete.
    const std::string npy = run_dir + "/samples/all_samples.npy";
    if (file_exists(npy)) {
        NpyU8 s = npy_read_u8(npy);
        const size_t keep = size_t(p.epoch) * t->o_.samples_per_epoch * t->o_.model.image_values();
        if (s.data.size() >= keep) t->all_samples_.assign(s.data.begin(), s.data.begin() + long(keep));
    }
    return t;
}

void Trainer::start_epoch() {
    // The shuffle of each epoch is a function of the data stream's state at its start, which the
    // checkpoint stores, so a run stopped mid-epoch resumes with the same order.
    data_rng_.set_state(p_.data_epoch);
    const uint32_t n = uint32_t(data_.n);
    perm_.resize(n);
    for (uint32_t i = 0; i < n; ++i) perm_[i] = i;
    for (uint32_t i = n - 1; i > 0; --i) std::swap(perm_[i], perm_[data_rng_.below(i + 1)]);  // Fisher-Yates
}

// This rank's rows of the global batch `step` of the epoch's order (all of it in one process).
void Trainer::gather_batch(int step) {
    const int b = comm_.rows(o_.batch);
    const uint32_t* rows = perm_.data() + size_t(step) * o_.batch + comm_.first_row(o_.batch);
    const size_t img = size_t(o_.model.image_values());
    real_.resize({b, o_.model.channels, o_.model.rows, o_.model.cols});
    step_->backend().bytes_to_unit(real_.data(), data_.pixels(), rows, size_t(b), img);
    if (o_.model.conditional) {
        real_labels_.resize(size_t(b));
        fake_labels_.resize(size_t(b));
        fake_labels_all_.resize(size_t(o_.batch));
        for (int i = 0; i < b; ++i) real_labels_[i] = data_.labels[rows[i]];
    }
}

void Trainer::swap_ema() {
    if (!ema_.empty()) ema_.swap(model_->g.params.value_array());
}

// Never write a checkpoint holding NaN or Inf: the previous one stays the last good state.
void Trainer::check_weights_finite(int steps) const {
    for (const Sequential* net : {&model_->g, &model_->d})
        for (float v : net->params.values())
            GAN_CHECK(std::isfinite(v), "training diverged in epoch ", p_.epoch + 1, " (step ", steps, "): ",
                      net->prefix(), " has a NaN or Inf weight (the last good checkpoint is ", last_checkpoint(),
                      "; try a lower --lr)");
}

EpochReport Trainer::epoch_report(int steps, double seconds, int steps_run) const {
    EpochReport r;
    r.epoch = p_.epoch + 1;
    r.epochs = o_.epochs;
    r.steps = steps;
    r.d_loss = p_.sums[0] / steps;
    r.g_loss = p_.sums[1] / steps;
    r.d_real = p_.sums[2] / steps;
    r.d_fake = p_.sums[3] / steps;
    r.d_loss_last = last_.d_loss;
    r.g_loss_last = last_.g_loss;
    r.seconds = seconds;
    r.images_per_s = seconds > 0 ? double(steps_run) * o_.batch / seconds : 0;
    r.data_share = seconds > 0 ? data_seconds_ / seconds : 0;
    r.comm_share = seconds > 0 ? (comm_.busy_seconds() - comm_seconds_) / seconds : 0;
    r.elapsed = p_.elapsed;
    r.augment_p = !parse_augment(o_.step.augment).any() ? 0.0 : o_.augment_target > 0 ? p_.ada.p : o_.step.augment_p;
    return r;
}

void Trainer::run_evaluator(EpochReport& r) {
    if (!evaluator || o_.eval_every <= 0 || r.epoch % o_.eval_every != 0) return;
    r.eval = evaluator(*model_, r.epoch);
    std::string header = "epoch", row = std::to_string(r.epoch);
    for (auto& [name, v] : r.eval) header += "," + name, row += str(",", v);
    file_append_atomic(o_.out_dir + "/eval.csv", row + "\n", header + "\n");
}

void Trainer::save_generators(int epoch) const {
    Metadata meta = {{"epoch", std::to_string(epoch)}};
    if (!ema_.empty()) meta["ema"] = str(o_.ema);
    checkpoint_save_generator(run_dir_generator_path(o_.out_dir, epoch), *model_, meta);
    if (epoch == o_.epochs) checkpoint_save_generator(o_.out_dir + "/generator.safetensors", *model_, meta);
    run_dir_prune_generators(o_.out_dir, epoch, o_.keep_checkpoints, o_.keep_every);
}

void Trainer::write_logs(const EpochReport& r) {
    char line[512];
    std::snprintf(line, sizeof line, "%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f,%.1f,%.5f,%.5f,%.5f\n", r.epoch,
                  r.steps, r.d_loss, r.g_loss, r.d_loss_last, r.g_loss_last, r.d_real, r.d_fake, r.seconds,
                  r.images_per_s, r.elapsed, r.data_share, r.comm_share, r.augment_p);
    file_append_atomic(o_.out_dir + "/metrics.csv", line);
    if (o_.log_every > 0) {
        file_append_atomic(o_.out_dir + "/steps.csv", step_rows_,
                           "epoch,step,global_step,d_loss,g_loss,d_real,d_fake\n");
        step_rows_.clear();
    }
}

void Trainer::end_epoch(const std::function<void(const EpochReport&)>& on_epoch, double seconds, int steps_run) {
    const int steps = data_.n / o_.batch;
    download_state();  // the checks, the generator files and the checkpoint read the host's copies
    check_weights_finite(steps);
    EpochReport r = epoch_report(steps, seconds, steps_run);
    if (writes()) write_epoch_files(r);
    p_.epoch += 1;
    p_.step = 0;
    for (double& s : p_.sums) s = 0;
    p_.data_epoch = data_rng_.state();
    save_state();
    if (on_epoch && writes()) on_epoch(r);
}

// Rank 0's work at the end of an epoch. Its samples use its own model alone (batch norm over the
// sampled images, not synchronised with ranks that do not sample).
void Trainer::write_epoch_files(EpochReport& r) {
    Comm* const step_comm = model_->g.comm();  // the ranks' (the step's replicas' or MPI's)
    model_->g.set_comm(nullptr);
    model_->d.set_comm(nullptr);
    swap_ema();  // samples, metrics and generator checkpoints use the moving average when there is one
    write_samples(r);
    write_fixed_samples(r);
    run_evaluator(r);
    save_generators(r.epoch);
    swap_ema();
    write_logs(r);
    model_->g.set_comm(step_comm);
    model_->d.set_comm(step_comm);
}

bool Trainer::stop_requested(const std::atomic<bool>* stop) const {
    double asked = stop && stop->load() ? 1.0 : 0.0;
    comm_.allreduce_sum(&asked, 1);  // every rank stops at the same step
    return asked > 0;
}

// One batch: D (and every d_steps-th batch G) updated, the moving average, the running sums and the
// steps.csv row.
void Trainer::train_step(int s, int steps) {
    const auto t0 = std::chrono::steady_clock::now();
    gather_batch(s);
    data_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // The latents (and G's labels) of the whole global batch, drawn as one process draws them; this
    // rank trains on its rows.
    sample_latent(z_, o_.batch, o_.model, latent_rng_);
    const bool conditional = o_.model.conditional;
    if (conditional)
        for (int& l : fake_labels_all_) l = int(latent_rng_.below(uint32_t(o_.model.num_classes)));
    const int first = comm_.first_row(o_.batch), b = comm_.rows(o_.batch);
    // This rank's rows, on the step's device: the latents are drawn on the host and sent (the batch
    // itself is gathered on the device, gather_batch).
    const Tensor* z = &z_;
    Backend& be = step_->backend();
    if (comm_.distributed() || !be.is_host()) {
        z_share_.on(be);
        z_share_.resize({b, z_.shape.c, z_.shape.h, z_.shape.w});
        const size_t width = z_.shape.per_sample();
        be.upload(z_share_.data(), z_.data() + size_t(first) * width, size_t(b) * width);
        z = &z_share_;
    }
    if (conditional) std::copy(fake_labels_all_.begin() + first, fake_labels_all_.begin() + first + b,
                               fake_labels_.begin());
    // With --d-steps K, K-1 batches update D only, the K-th updates D and then G.
    const bool update_g = (s + 1) % o_.d_steps == 0 || s + 1 == steps;
    step_->set_augment_stream(Rng(o_.seed, kAugment).state().key, uint64_t(p_.epoch) * uint64_t(steps) + uint64_t(s));
    if (o_.augment_target > 0) step_->set_augment_p(float(p_.ada.p));
    StepStats st;
    try {
        st = step_->step(real_, *z, conditional ? real_labels_.data() : nullptr,
                         conditional ? fake_labels_.data() : nullptr, update_g);
    } catch (const Error& e) {  // a device's memory is the one limit the batch size sets: say so
        GAN_CHECK(be.is_host() || !std::strstr(e.what(), "out of memory"), "--batch ", o_.batch, ": the ",
                  to_string(o_.model.arch), " model's step does not fit in the ", o_.device, " device's memory (",
                  e.what(), "); give a smaller --batch");
        throw;
    }
    if (!update_g) st.g_loss = last_.g_loss;
    if (o_.augment_target > 0) ada_update(p_.ada, st.d_real_sign, o_.augment_target, o_.batch,
                                           1000.0 * o_.augment_kimg);
    last_ = st;
    if (update_g && !ema_.empty())  // opt_g_->t counts G's updates, this one included
        step_->backend().ema_update(ema_.device(), model_->g.params.values_device(), ema_.size(),
                                    ema_decay_at(o_.ema, opt_g_->t));
    GAN_CHECK(std::isfinite(last_.d_loss) && std::isfinite(last_.g_loss), "training diverged at epoch ",
              p_.epoch + 1, " step ", s + 1, ": a loss is NaN or Inf (the last good checkpoint is ",
              last_checkpoint(), "; try a lower --lr)");
    p_.sums[0] += last_.d_loss, p_.sums[1] += last_.g_loss;
    p_.sums[2] += last_.d_real, p_.sums[3] += last_.d_fake;
    p_.step = s + 1;
    if (writes() && o_.log_every > 0 && (s + 1) % o_.log_every == 0) {
        char row[256];
        std::snprintf(row, sizeof row, "%d,%d,%lld,%.6f,%.6f,%.6f,%.6f\n", p_.epoch + 1, s + 1,
                      (long long)(p_.epoch) * steps + s + 1, last_.d_loss, last_.g_loss, last_.d_real,
                      last_.d_fake);
        step_rows_ += row;
    }
}

bool Trainer::run(const std::function<void(const EpochReport&)>& on_epoch,
                  const std::function<void(const StepReport&)>& on_step, const std::atomic<bool>* stop) {
    using clock = std::chrono::steady_clock;
    if (writes()) run_dir_prepare(o_.out_dir, o_.to_json(), p_.epoch);
    if (p_.epoch == 0 && p_.step == 0) save_state();  // a run killed in its first epoch can resume too
    comm_.barrier();  // the other ranks start once the run directory is there
    const int steps = data_.n / o_.batch;
    while (p_.epoch < o_.epochs) {
        start_epoch();
        auto t0 = clock::now();
        data_seconds_ = 0;
        comm_seconds_ = comm_.busy_seconds();
        const int first_step = p_.step;  // a resumed epoch: only the steps from here run in this process
        for (int s = p_.step; s < steps; ++s) {
            const bool asked = stop_requested(stop);  // a collective: every rank calls it every step
            if (asked || step_limit_reached()) {
                p_.latent = latent_rng_.state();
                p_.sample = sample_rng_.state();
                save_state();
                return false;
            }
            train_step(s, steps);
            if (on_step && writes()) on_step({p_.epoch + 1, s + 1, steps, last_});
        }
        double seconds = std::chrono::duration<double>(clock::now() - t0).count();
        p_.elapsed += seconds;
        end_epoch(on_epoch, seconds, steps - first_step);
    }
    comm_.barrier();  // no rank ends before rank 0 has written the last epoch's files
    return true;
}

}  // namespace gan
