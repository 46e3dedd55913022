// gan train: the classic GAN of DESIGN.md §1 with its defaults; every hyper-parameter is a flag.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
#include "io/idx.h"
#include "train/trainer.h"

namespace gan_cli {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
    g_signal.store(sig);
    g_stop.store(true);
}

struct TrainArgs {
    gan::TrainOptions o;
    std::string resume;
    bool epochs_given = false;
};

gan::Dataset load_train_set(const gan::TrainOptions& o) { return gan::dataset_load(o.data_dir, true); }

int run_train(TrainArgs& a) {
    std::unique_ptr<gan::Trainer> trainer;
    if (!a.resume.empty()) {
        trainer = gan::Trainer::resume(a.resume, a.epochs_given ? a.o.epochs : 0, load_train_set);
        std::printf("Resuming %s at epoch %d step %d of %d epochs\n", a.resume.c_str(),
                    trainer->progress().epoch + 1, trainer->progress().step, trainer->options().epochs);
    } else {
        a.o.validate();
        trainer = std::make_unique<gan::Trainer>(a.o, load_train_set(a.o));
    }
    const gan::TrainOptions& o = trainer->options();
    std::printf("gan.cpp %s: arch=%s epochs=%d batch=%d lr=%g seed=%llu data=%s out=%s\n", GAN_VERSION,
                o.model.arch.c_str(), o.epochs, o.batch, double(o.adam.lr), (unsigned long long)o.seed,
                o.data_dir.c_str(), o.out_dir.c_str());
    std::fflush(stdout);

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    auto on_epoch = [](const gan::EpochReport& r) {
        std::printf("Epoch %d/%d... Discriminator Loss: %.4f... Generator Loss: %.4f  (%.2f s, %.0f img/s)\n",
                    r.epoch, r.epochs, r.d_loss_last, r.g_loss_last, r.seconds, r.images_per_s);
        std::fflush(stdout);
    };
    bool finished = trainer->run(on_epoch, nullptr, &g_stop);
    if (!finished) {
        int sig = g_signal.load();
        std::printf("Stopped by %s at epoch %d step %d; state saved to %s\nResume with: gan train --resume %s\n",
                    sig == SIGTERM ? "SIGTERM" : "SIGINT", trainer->progress().epoch + 1, trainer->progress().step,
                    trainer->last_checkpoint().c_str(), o.out_dir.c_str());
        return 128 + (sig ? sig : SIGINT);
    }
    std::printf("Done: %s/generator.safetensors, samples in %s/samples/\n", o.out_dir.c_str(), o.out_dir.c_str());
    return 0;
}

}  // namespace

Run add_train(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    gan::TrainOptions& o = a->o;
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
    app.add_option("--threads", o.threads, "BLAS threads (0 = automatic)")->capture_default_str();
    app.add_option("--samples-per-epoch", o.samples_per_epoch, "Fresh samples saved each epoch")
        ->capture_default_str();
    app.add_option("--arch", o.model.arch, "Architecture: mlp (the classic GAN)")->capture_default_str();
    app.add_option("--data", o.data_dir, "Folder with the IDX files (train-images-idx3-ubyte[.gz], ...)")
        ->capture_default_str();
    app.add_option("--out", o.out_dir, "Run directory (config.json, metrics.csv, samples/, checkpoints/)")
        ->capture_default_str();
    app.add_option("--resume", a->resume, "Continue the run in RUN_DIR exactly where it stopped "
                                          "(with --epochs N: to a new total of N epochs)");
    auto* epochs_opt = app.get_option("--epochs");
    return [a, epochs_opt] {
        a->epochs_given = epochs_opt->count() > 0;
        return run_train(*a);
    };
}

}  // namespace gan_cli
