// gan train: the classic tutorial GAN (docs/classic_gan.md) with its defaults; every hyper-parameter is a flag.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
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
    std::string resume;
    bool epochs_given = false;
    bool plain = false;
    bool tensorboard = false;
};

gan::Dataset load_train_set(const gan::TrainOptions& o) { return gan::dataset_load(o.data_dir, true); }

int run_train(TrainArgs& a) {
    std::unique_ptr<gan::Trainer> trainer;
    if (!a.resume.empty()) {
        trainer = gan::Trainer::resume(a.resume, a.epochs_given ? a.o.epochs : 0, load_train_set);
        std::printf("Resuming %s at epoch %d step %d of %d epochs\n", a.resume.c_str(),
                    trainer->progress().epoch + 1, trainer->progress().step, trainer->options().epochs);
    } else {
        if (a.o.model.conditional && a.o.fixed_samples % a.o.model.num_classes != 0) a.o.fixed_samples = 60;
        a.o.validate();
        trainer = std::make_unique<gan::Trainer>(a.o, load_train_set(a.o));
    }
    const gan::TrainOptions& o = trainer->options();
    if (o.eval_every > 0)  // FID, classifier score and covered classes of 10,000 samples -> eval.csv
        trainer->evaluator = gan::training_evaluator(o.data_dir, 10000, o.seed, [](const std::string& m) {
            std::printf("%s\n", m.c_str());
            std::fflush(stdout);
        });
    std::printf("gan.cpp %s: arch=%s epochs=%d batch=%d lr=%g seed=%llu data=%s out=%s\n", GAN_VERSION,
                o.model.arch.c_str(), o.epochs, o.batch, double(o.adam.lr), (unsigned long long)o.seed,
                o.data_dir.c_str(), o.out_dir.c_str());
    std::fflush(stdout);

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // On a terminal: one live line per epoch, redrawn in place (\r) at most ~10 times a second.
    // Otherwise (CI, files): plain lines only, no control characters.
    const bool tty = isatty(STDOUT_FILENO) && !a.plain;
    Progress prog;
    auto on_step = [&](const gan::StepReport& s) {
        prog.add(s);
        if (!tty) return;
        double now = seconds_since(prog.epoch_start);
        if (s.step != s.steps && now - prog.last_draw < 0.1) return;
        prog.last_draw = now;
        double ips = now > 0 ? double(s.step - prog.first_step) * o.batch / now : 0;
        double eta = ips > 0 ? double(s.steps - s.step) * o.batch / ips : 0;
        std::printf("\rEpoch %d/%d  step %d/%d  %.0f img/s  ETA %.0fs  D loss %.4f  G loss %.4f  D(x) %.3f  "
                    "D(G(z)) %.3f\033[K",
                    s.epoch, o.epochs, s.step, s.steps, ips, eta, prog.sum[0] / prog.n, prog.sum[1] / prog.n,
                    prog.sum[2] / prog.n, prog.sum[3] / prog.n);
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
                    "D(x) %.3f, D(G(z)) %.3f)\n",
                    r.epoch, r.epochs, r.d_loss_last, r.g_loss_last, r.seconds, r.images_per_s, r.d_real,
                    r.d_fake);
        for (auto& [name, v] : r.eval) std::printf("  %s %.4f\n", name.c_str(), v);
        std::fflush(stdout);
        prog = Progress();
    };
    bool finished = trainer->run(on_epoch, on_step, &g_stop);
    if (tty) std::printf("\r\033[K");
    if (!finished) {
        int sig = g_signal.load();
        std::printf("Stopped by %s at epoch %d step %d; state saved to %s\nResume with: gan train --resume %s\n",
                    sig == SIGTERM ? "SIGTERM" : "SIGINT", trainer->progress().epoch + 1, trainer->progress().step,
                    trainer->last_checkpoint().c_str(), o.out_dir.c_str());
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
    o.model.cond_d = "proj_ac";
    o.step.class_weight = 3.0f;
    app.add_option("--epochs", o.epochs, "Training epochs")->capture_default_str();
    app.add_option("--batch", o.batch, "Batch size")->capture_default_str();
    app.add_option("--lr", o.adam.lr, "Adam learning rate of both optimisers (the tutorial's 0.002; "
                                      "its printed code used TF's default 0.001)")
        ->capture_default_str();
    app.add_option("--beta1", o.adam.beta1, "Adam beta1")->capture_default_str();
    app.add_option("--beta2", o.adam.beta2, "Adam beta2")->capture_default_str();
    app.add_option("--eps", o.adam.eps, "Adam epsilon")->capture_default_str();
    app.add_option("--z-dim", o.model.z_dim, "Latent size")->capture_default_str();
    app.add_option("--hidden", o.model.hidden, "Hidden units of G and D")->capture_default_str();
    app.add_option("--alpha", o.model.alpha, "LeakyReLU slope")->capture_default_str();
    app.add_option("--smooth", o.step.smooth, "One-sided label smoothing: real target is 1 - smooth")
        ->capture_default_str();
    app.add_option("--seed", o.seed, "Seed: the same seed and options give the same run")->capture_default_str();
    app.add_option("--threads", o.threads, "Threads (0 = automatic: the classic MLP step splits itself over up to 4 usable CPUs; other models thread the BLAS from batch 256)")->capture_default_str();
    app.add_option("--samples-per-epoch", o.samples_per_epoch, "Fresh samples saved each epoch")
        ->capture_default_str();
    app.add_option("--arch", o.model.arch,
                   "Architecture: mlp (the classic GAN) or dcgan (PyTorch's MNIST DCGAN; its defaults: lr 2e-4, "
                   "beta1 0.5, batch 64, z ~ N(0,1), LeakyReLU 0.2, smooth 0 — explicit flags override)")
        ->capture_default_str();
    app.add_flag("--conditional", o.model.conditional, "Class-conditional GAN: G and D see the digit's label");
    app.add_option("--cond-d", o.model.cond_d,
                   "How D uses the label: proj (projection discriminator), proj_ac (projection + a classifier head "
                   "trained on real images that G must satisfy), acgan (auxiliary classifier), concat (one-hot input)")
        ->capture_default_str();
    app.add_option("--class-weight", o.step.class_weight,
                   "acgan / proj_ac: weight of the auxiliary classification loss")
        ->capture_default_str();
    app.add_option("--loss", o.step.loss, "GAN loss: bce | lsgan | hinge")->capture_default_str();
    app.add_option("--d-steps", o.d_steps, "D updates per G update")->capture_default_str();
    app.add_option("--ema", o.ema, "Decay of an exponential moving average of G's weights (0 = off; "
                                   "warmed up as min(D, (1+t)/(10+t)) at update t), used for samples and saved "
                                   "generators; 0.99 suits DCGAN runs of a few epochs")
        ->capture_default_str();
    app.add_option("--data", o.data_dir, "Folder with the IDX files (train-images-idx3-ubyte[.gz], ...)")
        ->capture_default_str();
    app.add_option("--out", o.out_dir, "Run directory (config.json, metrics.csv, samples/, checkpoints/)")
        ->capture_default_str();
    app.add_option("--resume", a->resume, "Continue the run in RUN_DIR exactly where it stopped "
                                          "(with --epochs N: to a new total of N epochs)");
    app.add_option("--log-every", o.log_every, "Also log every N-th step's losses to steps.csv (0 = off)")
        ->capture_default_str();
    app.add_flag("--tensorboard", a->tensorboard, "Write TensorBoard events (scalars, sample grid) to RUN_DIR/tensorboard");
    app.add_flag("--plain", a->plain, "Plain log lines even on a terminal");
    app.add_option("--eval-every", o.eval_every,
                   "Every K epochs: MNIST-FID, classifier score, covered classes to eval.csv (0 = off)")
        ->capture_default_str();
    return [a, &app] {
        a->epochs_given = app.get_option("--epochs")->count() > 0;
        if (a->o.model.arch == "dcgan") {
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
            a->o.model.latent = "normal";
        }
        return run_train(*a);
    };
}

}  // namespace gan_cli
