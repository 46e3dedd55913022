// gan train: the classic tutorial GAN (docs/classic_gan.md) with its defaults; every hyper-parameter is a flag.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/png.h"
#include "io/tfrecord.h"
#include "metrics/evaluate.h"
#include "train/report.h"
#include "train/trainer.h"

namespace gan_cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
    g_signal.store(sig);
    g_stop.store(true);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Running means of the epoch in progress, for the live line.
struct Progress {
    std::chrono::steady_clock::time_point epoch_start = std::chrono::steady_clock::now();
    double sum[4] = {0, 0, 0, 0};
    int n = 0, first_step = -1;
    double last_draw = -1;
    void add(const gan::StepReport& s) {
        if (first_step < 0) first_step = s.step - 1;
        sum[0] += s.stats.d_loss, sum[1] += s.stats.g_loss, sum[2] += s.stats.d_real, sum[3] += s.stats.d_fake;
        ++n;
    }
};

struct TrainArgs {
    gan::TrainOptions o;
    std::string resume, config;
    std::vector<std::string> given;  // the flags on the command line
    std::string program = "gan";     // as invoked (argv[0]), for the hints printed
    bool overwrite = false;
    bool plain = false;
    bool tensorboard = false;
    std::string arch = "mlp", cond_d = "proj_ac", loss = "bce";  // the enum options as given
};

// A stored option of `gan train` and its flag: read and written through one accessor, shown as
// text (to compare and print), and whether a resumed run may take a new value. Those that fix the
// model's shape, the data order and the saved state (architecture, sizes, seed, batch, loss, the
// per-epoch sample count of all_samples.npy, the moving average) may not.
struct StoredFlag {
    const char* flag;
    bool resumable;
    std::function<std::string(const gan::TrainOptions&)> show;
    std::function<void(gan::TrainOptions& to, const gan::TrainOptions& from)> copy;
};

std::string show_value(const std::string& v) { return v; }
std::string show_value(bool v) { return v ? "true" : "false"; }
std::string show_value(gan::Arch v) { return gan::to_string(v); }
std::string show_value(gan::CondD v) { return gan::to_string(v); }
std::string show_value(gan::LossKind v) { return gan::loss_kind_name(v); }
template <class T>
std::string show_value(T v) {
    return gan::str(v);
}

template <class Get>
StoredFlag stored(const char* flag, bool resumable, Get get) {
    return {flag, resumable, [get](const gan::TrainOptions& o) { return show_value(get(o)); },
            [get](gan::TrainOptions& to, const gan::TrainOptions& from) { get(to) = get(from); }};
}

const std::vector<StoredFlag>& stored_flags() {
    static const std::vector<StoredFlag> flags = {
        stored("--arch", false, [](auto& o) -> auto& { return o.model.arch; }),
        stored("--z-dim", false, [](auto& o) -> auto& { return o.model.z_dim; }),
        stored("--hidden", false, [](auto& o) -> auto& { return o.model.hidden; }),
        stored("--alpha", false, [](auto& o) -> auto& { return o.model.alpha; }),
        stored("--conditional", false, [](auto& o) -> auto& { return o.model.conditional; }),
        stored("--cond-d", false, [](auto& o) -> auto& { return o.model.cond_d; }),
        stored("--seed", false, [](auto& o) -> auto& { return o.seed; }),
        stored("--batch", false, [](auto& o) -> auto& { return o.batch; }),
        stored("--loss", false, [](auto& o) -> auto& { return o.step.loss; }),
        stored("--samples-per-epoch", false, [](auto& o) -> auto& { return o.samples_per_epoch; }),
        stored("--ema", false, [](auto& o) -> auto& { return o.ema; }),
        stored("--epochs", true, [](auto& o) -> auto& { return o.epochs; }),
        stored("--lr", true, [](auto& o) -> auto& { return o.adam.lr; }),
        stored("--beta1", true, [](auto& o) -> auto& { return o.adam.beta1; }),
        stored("--beta2", true, [](auto& o) -> auto& { return o.adam.beta2; }),
        stored("--eps", true, [](auto& o) -> auto& { return o.adam.eps; }),
        stored("--smooth", true, [](auto& o) -> auto& { return o.step.smooth; }),
        stored("--class-weight", true, [](auto& o) -> auto& { return o.step.class_weight; }),
        stored("--d-steps", true, [](auto& o) -> auto& { return o.d_steps; }),
        stored("--threads", true, [](auto& o) -> auto& { return o.threads; }),
        stored("--log-every", true, [](auto& o) -> auto& { return o.log_every; }),
        stored("--eval-every", true, [](auto& o) -> auto& { return o.eval_every; }),
        stored("--data", true, [](auto& o) -> auto& { return o.data_dir; }),
    };
    return flags;
}

bool given(const TrainArgs& a, const std::string& flag) {
    return std::find(a.given.begin(), a.given.end(), flag) != a.given.end();
}

// --resume: the flags given take their new values where the run allows it; each change is printed
// ("lr 0.002 -> 0.01") and recorded in config.json and the checkpoints by the trainer.
void apply_resume_changes(const TrainArgs& a, gan::TrainOptions& stored_o) {
    for (const StoredFlag& f : stored_flags()) {
        if (!given(a, f.flag)) continue;
        const std::string before = f.show(stored_o), after = f.show(a.o);
        if (before == after) continue;
        GAN_CHECK(f.resumable, f.flag, " ", after, ": ", a.resume, " was trained with ", f.flag, " ", before,
                  ", which a resumed run cannot change (start a new run from its options: ", a.program,
                  " train --config ", a.resume, "/config.json ", f.flag, " ", after, " --out NEW_DIR)");
        f.copy(stored_o, a.o);
        std::printf("%s %s -> %s\n", f.flag + 2, before.c_str(), after.c_str());
    }
}

// --config FILE: the options of an earlier run (its config.json), with the flags given on top.
gan::TrainOptions options_from_config(const TrainArgs& a) {
    std::vector<uint8_t> bytes = gan::file_read_all(a.config, size_t(1) << 20);
    gan::TrainOptions o = gan::TrainOptions::from_json(std::string(bytes.begin(), bytes.end()), a.config);
    for (const StoredFlag& f : stored_flags())
        if (given(a, f.flag)) f.copy(o, a.o);
    o.out_dir = given(a, "--out") ? a.o.out_dir : o.out_dir;
    return o;
}

gan::Dataset load_train_set(const gan::TrainOptions& o) { return gan::dataset_load(o.data_dir, true); }

int run_train(TrainArgs& a) {
    std::unique_ptr<gan::Trainer> trainer;
    if (!a.resume.empty()) {
        GAN_CHECK(!a.overwrite, "--overwrite clears a run and --resume continues it: give one of them");
        GAN_CHECK(a.config.empty(), "--config starts a new run and --resume continues one: give one of them");
        trainer = gan::Trainer::resume(
            a.resume, [&](gan::TrainOptions& stored_o) { apply_resume_changes(a, stored_o); }, load_train_set);
        const gan::TrainProgress& p = trainer->progress();
        const int epochs = trainer->options().epochs;
        GAN_CHECK(p.epoch <= epochs, "--epochs ", epochs, ": ", a.resume, " has already trained ", p.epoch,
                  " epochs; give a larger total");
        if (p.epoch == epochs) {
            std::printf("%s is finished: it has trained all %d of its epochs. To train it further, give a new "
                        "total: %s train --resume %s --epochs %d\n",
                        a.resume.c_str(), epochs, a.program.c_str(), a.resume.c_str(), epochs + 1);
            return 0;
        }
        std::printf("Resuming %s at epoch %d step %d of %d epochs\n", a.resume.c_str(), p.epoch + 1, p.step, epochs);
    } else {
        if (a.config.empty() && !given(a, "--data")) a.o.data_dir = gan::mnist_dir_find("");
        if (!a.config.empty()) a.o = options_from_config(a);
        else if (a.o.model.conditional && a.o.fixed_samples % a.o.model.num_classes != 0) a.o.fixed_samples = 60;
        a.o.validate();
        if (gan::run_dir_holds_run(a.o.out_dir)) {
            GAN_CHECK(a.overwrite, a.o.out_dir, " already holds a run: continue it with --resume ", a.o.out_dir,
                      ", or give --overwrite to delete it and start afresh (or choose another --out)");
            gan::run_dir_clear(a.o.out_dir);
            std::printf("Cleared %s (--overwrite)\n", a.o.out_dir.c_str());
        }
        trainer = std::make_unique<gan::Trainer>(a.o, load_train_set(a.o));
    }
    const gan::TrainOptions& o = trainer->options();
    if (o.eval_every > 0)  // FID, classifier score and covered classes of 10,000 samples -> eval.csv
        trainer->evaluator = gan::training_evaluator(o.data_dir, 10000, o.seed, [](const std::string& m) {
            std::printf("%s\n", m.c_str());
            std::fflush(stdout);
        });
    std::printf("gan.cpp %s: arch=%s epochs=%d batch=%d lr=%g seed=%llu data=%s out=%s\n", GAN_VERSION,
                gan::to_string(o.model.arch), o.epochs, o.batch, double(o.adam.lr), (unsigned long long)o.seed,
                o.data_dir.c_str(), o.out_dir.c_str());
    // The metrics are those of whatever --data holds (MNIST-FID only on MNIST): say so.
    if (o.eval_every > 0)
        std::printf("Every %d epochs: FID vs the test set of %s, classifier score and covered classes, in the "
                    "features of a classifier trained on %s (trained once and cached if none is)\n",
                    o.eval_every, o.data_dir.c_str(), o.data_dir.c_str());
    std::fflush(stdout);

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // On a terminal: one live line per epoch, redrawn in place (\r) at most ~10 times a second.
    // Otherwise (CI, files): plain lines only, no control characters.
    const bool tty = isatty(STDOUT_FILENO) && !a.plain;
    // The step reports the mean sigmoid of D's outputs: D's probabilities under BCE, squashed scores
    // under the other losses, so those are labelled as what they are.
    const bool bce = o.step.loss == gan::LossKind::bce;
    const char* d_x = bce ? "D(x)" : "sigmoid(D(x))";
    const char* d_gz = bce ? "D(G(z))" : "sigmoid(D(G(z)))";
    Progress prog;
    auto on_step = [&](const gan::StepReport& s) {
        prog.add(s);
        if (!tty) return;
        double now = seconds_since(prog.epoch_start);
        if (s.step != s.steps && now - prog.last_draw < 0.1) return;
        prog.last_draw = now;
        double ips = now > 0 ? double(s.step - prog.first_step) * o.batch / now : 0;
        double eta = ips > 0 ? double(s.steps - s.step) * o.batch / ips : 0;
        std::printf("\rEpoch %d/%d  step %d/%d  %.0f img/s  ETA %.0fs  D loss %.4f  G loss %.4f  %s %.3f  "
                    "%s %.3f\033[K",
                    s.epoch, o.epochs, s.step, s.steps, ips, eta, prog.sum[0] / prog.n, prog.sum[1] / prog.n, d_x,
                    prog.sum[2] / prog.n, d_gz, prog.sum[3] / prog.n);
        std::fflush(stdout);
    };
    std::unique_ptr<gan::EventsWriter> tb;
    if (a.tensorboard) tb = std::make_unique<gan::EventsWriter>(o.out_dir + "/tensorboard");
    auto on_epoch = [&](const gan::EpochReport& r) {
        if (tb) {
            std::vector<std::pair<std::string, double>> scalars = {
                {"loss/d", r.d_loss}, {"loss/g", r.g_loss}, {"prob/d_real", r.d_real}, {"prob/d_fake", r.d_fake},
                {"speed/images_per_s", r.images_per_s}};
            for (auto& [name, v] : r.eval) scalars.push_back({"eval/" + name, v});
            tb->add_scalars(scalars, r.epoch);
            gan::GrayImage g = gan::png_read_gray(r.fixed_png);
            tb->add_image_gray("samples/fixed", g.pixels.data(), g.width, g.height, r.epoch);
            tb->flush();
        }
        if (tty) std::printf("\r\033[K");
        std::printf("Epoch %d/%d... Discriminator Loss: %.4f... Generator Loss: %.4f  (%.2f s, %.0f img/s, "
                    "%s %.3f, %s %.3f)\n",
                    r.epoch, r.epochs, r.d_loss_last, r.g_loss_last, r.seconds, r.images_per_s, d_x, r.d_real,
                    d_gz, r.d_fake);
        for (auto& [name, v] : r.eval) std::printf("  %s %.4f\n", name.c_str(), v);
        std::fflush(stdout);
        prog = Progress();
    };
    bool finished = trainer->run(on_epoch, on_step, &g_stop);
    if (tty) std::printf("\r\033[K");
    if (!finished) {
        int sig = g_signal.load();
        std::printf("Stopped by %s at epoch %d step %d; state saved to %s\nResume with: %s train --resume %s\n",
                    sig == SIGTERM ? "SIGTERM" : "SIGINT", trainer->progress().epoch + 1, trainer->progress().step,
                    trainer->last_checkpoint().c_str(), a.program.c_str(), o.out_dir.c_str());
        return 128 + (sig ? sig : SIGINT);
    }
    gan::ReportSummary rs = gan::report_write(o.out_dir);
    std::printf("Done: %s/generator.safetensors, samples in %s/samples/, progress in %s, %s, %s\n",
                o.out_dir.c_str(), o.out_dir.c_str(), rs.gif.c_str(), rs.losses_svg.c_str(),
                rs.probabilities_svg.c_str());
    return 0;
}

}  // namespace

Run add_train(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    gan::TrainOptions& o = a->o;
    // Measured after 2 conditional DCGAN epochs (README): proj_ac with the classification loss weighted 3
    // classifies 99.05 % of digit-d samples as d (worst digit 97.7 %), against 94.6 % for proj, 98.4 %
    // for proj_ac at weight 1 and 87.1 % for acgan.
    o.model.cond_d = gan::CondD::proj_ac;
    o.step.class_weight = 3.0f;
    // Options whose default depends on --arch say both defaults in their help (no single [default]).
    app.add_option("--epochs", o.epochs, "Training epochs [mlp: 100, dcgan: 5]");
    app.add_option("--batch", o.batch, "Batch size [mlp: 100, dcgan: 64]");
    app.add_option("--lr", o.adam.lr, "Adam learning rate of both optimisers [mlp: 0.002, the tutorial's "
                                      "(its printed code used TF's default 0.001); dcgan: 0.0002]");
    app.add_option("--beta1", o.adam.beta1, "Adam beta1 [mlp: 0.9, dcgan: 0.5]");
    app.add_option("--beta2", o.adam.beta2, "Adam beta2")->capture_default_str();
    app.add_option("--eps", o.adam.eps, "Adam epsilon")->capture_default_str();
    app.add_option("--z-dim", o.model.z_dim, "Latent size")->capture_default_str();
    app.add_option("--hidden", o.model.hidden, "Hidden units of G and D")->capture_default_str();
    app.add_option("--alpha", o.model.alpha, "LeakyReLU slope [mlp: 0.01, dcgan: 0.2]");
    app.add_option("--smooth", o.step.smooth, "One-sided label smoothing: real target is 1 - smooth "
                                              "[mlp: 0.1, dcgan: 0]");
    app.add_option("--seed", o.seed, "Seed: the same seed and options give the same run")->capture_default_str();
    app.add_option("--threads", o.threads, "Threads (0 = automatic: the classic MLP step splits itself over up to 4 usable CPUs; other models thread the BLAS from batch 256)")->capture_default_str();
    app.add_option("--samples-per-epoch", o.samples_per_epoch, "Fresh samples saved each epoch")
        ->capture_default_str();
    app.add_option("--arch", a->arch,
                   "Architecture: mlp (the classic GAN) or dcgan (PyTorch's MNIST DCGAN; its defaults: lr 2e-4, "
                   "beta1 0.5, batch 64, z ~ N(0,1), LeakyReLU 0.2, smooth 0 — explicit flags override)")
        ->capture_default_str();
    app.add_flag("--conditional", o.model.conditional, "Class-conditional GAN: G and D see the digit's label");
    app.add_option("--cond-d", a->cond_d,
                   "How D uses the label: proj (projection discriminator), proj_ac (projection + a classifier head "
                   "trained on real images that G must satisfy), acgan (auxiliary classifier), concat (one-hot input)")
        ->capture_default_str();
    app.add_option("--class-weight", o.step.class_weight,
                   "acgan / proj_ac: weight of the auxiliary classification loss")
        ->capture_default_str();
    app.add_option("--loss", a->loss, "GAN loss: bce | lsgan | hinge")->capture_default_str();
    app.add_option("--d-steps", o.d_steps, "D updates per G update")->capture_default_str();
    app.add_option("--ema", o.ema, "Decay of an exponential moving average of G's weights (0 = off; "
                                   "warmed up as min(D, (1+t)/(10+t)) at update t), used for samples and saved "
                                   "generators; 0.99 suits DCGAN runs of a few epochs")
        ->capture_default_str();
    app.add_option("--data", o.data_dir, "Folder with the IDX files (train-images-idx3-ubyte[.gz], ...) "
                                         "[./data/mnist, else the per-user cache ~/.cache/gan.cpp/mnist, which "
                                         "scripts/fetch_mnist.sh --cache fills]");
    app.add_option("--out", o.out_dir, "Run directory (config.json, metrics.csv, samples/, checkpoints/) "
                                       "[mlp: runs/classic, dcgan: runs/dcgan]");
    app.add_option("--resume", a->resume, "Continue the run in RUN_DIR exactly where it stopped "
                                          "(with --epochs N: to a new total of N epochs; --lr and the other "
                                          "optimiser, loss-weight, logging and thread flags may change, "
                                          "the model, seed and batch may not)");
    app.add_flag("--overwrite", a->overwrite, "Delete what the --out directory holds when it already holds a "
                                              "run (config.json or checkpoints/), then start afresh");
    app.add_option("--config", a->config, "Start a new run with the options of an earlier one (its "
                                          "config.json); flags given override them");
    app.add_option("--log-every", o.log_every, "Also log every N-th step's losses to steps.csv (0 = off)")
        ->capture_default_str();
    app.add_flag("--tensorboard", a->tensorboard, "Write TensorBoard events (scalars, sample grid) to RUN_DIR/tensorboard");
    app.add_flag("--plain", a->plain, "Plain log lines even on a terminal");
    app.add_option("--eval-every", o.eval_every,
                   "Every K epochs: FID, classifier score and covered classes of 10,000 samples to eval.csv, in "
                   "the features of a classifier trained on the --data set (MNIST-FID on MNIST; 0 = off)")
        ->capture_default_str();
    return [a, &app] {
        for (const CLI::Option* opt : app.get_options())
            if (opt->count() > 0) a->given.push_back(opt->get_name());
        if (app.get_parent() && !app.get_parent()->get_name().empty()) a->program = app.get_parent()->get_name();
        a->o.model.arch = gan::arch_from_string(a->arch, "--arch");
        a->o.model.cond_d = gan::cond_d_from_string(a->cond_d, "--cond-d");
        a->o.step.loss = gan::loss_kind_from_string(a->loss);
        if (a->o.model.arch == gan::Arch::dcgan && a->config.empty()) {
            // DCGAN defaults (Radford et al. 2016, PyTorch's C++ example with beta2 0.999) for every
            // option the user did not set.
            auto unset = [&](const char* flag) { return app.get_option(flag)->count() == 0; };
            if (unset("--lr")) a->o.adam.lr = 2e-4f;
            if (unset("--beta1")) a->o.adam.beta1 = 0.5f;
            if (unset("--batch")) a->o.batch = 64;
            if (unset("--alpha")) a->o.model.alpha = 0.2f;
            if (unset("--smooth")) a->o.step.smooth = 0.0f;
            if (unset("--epochs")) a->o.epochs = 5;
            if (unset("--out")) a->o.out_dir = "runs/dcgan";
            a->o.model.latent = gan::Latent::normal;
        }
        return run_train(*a);
    };
}

}  // namespace gan_cli
