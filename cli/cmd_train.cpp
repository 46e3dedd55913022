// gan train: the classic tutorial GAN (docs/classic_gan.md) with its defaults; every hyper-parameter is a flag.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <type_traits>
#include <variant>

#include "commands.h"
#include "train_log.h"
#include "core/check.h"
#include "mpi/world.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/png.h"
#include "io/tfrecord.h"
#include "core/cpu.h"
#include "metrics/evaluate.h"
#include "train/report.h"
#include "train/run_dir.h"
#include "train/train_data.h"
#include "train/trainer.h"

namespace gan_cli {

namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

extern "C" void on_signal(int sig) {
    g_signal.store(sig);
    g_stop.store(true);
}

bool g_live = false;  // live_progress(): the data's decoding progress is redrawn in place too


struct TrainArgs {
    gan::RunRequest req;  // the flags' values, which were given, --config
    std::string resume;
    bool overwrite = false;
    bool plain = false;
    bool progress = false;
    bool tensorboard = false;
    std::map<std::string, std::string> names;  // the text of each option that takes a name (--arch dcgan)
    std::unique_ptr<gan::RunDirLock> lock;      // held on the run directory while this process trains it
};

// The training images of o, with what the CLI says about them: an image folder's decoding progress
// (only while its cache is built), where the cache is, and each file skipped.
gan::ImageSet load_train_set_here(const gan::TrainOptions& o) {
    auto progress = [&](size_t done, size_t total) {
        if (g_live) std::printf("\rDecoding %s: %zu/%zu images\033[K", o.data_dir.c_str(), done, total);
        else if (done == total) std::printf("Decoding %s: %zu/%zu images\n", o.data_dir.c_str(), done, total);
        std::fflush(stdout);
    };
    const int threads = o.threads > 0 ? o.threads : gan::usable_cpus();
    gan::TrainData d = gan::load_train_data(o, progress, threads);
    if (g_live && d.cache_built) std::printf("\r\033[K");
    for (const gan::SkippedImage& s : d.skipped) std::printf("Skipped %s\n", s.reason.c_str());
    if (d.cache_built)
        std::printf("Decoded %d images into %s (%s)\n", d.set.n, d.cache_path.c_str(), d.why_built.c_str());
    else if (!d.cache_path.empty())
        std::printf("Read %d decoded images from %s\n", d.set.n, d.cache_path.c_str());
    std::printf("Data: %s, %s, %d images of %dx%dx%d (channels x rows x cols)\n", o.data_dir.c_str(),
                gan::to_string(d.format), d.set.n, d.set.channels, d.set.rows, d.set.cols);
    std::fflush(stdout);
    return std::move(d.set);
}

// Under MPI, rank 0 reads first (building an image folder's cache if it must) and the others after it.
gan::ImageSet load_train_set(const gan::TrainOptions& o) {
    gan::Comm& world = gan::world();
    if (world.rank() != 0) world.barrier();
    gan::ImageSet set = load_train_set_here(o);
    if (world.rank() == 0) world.barrier();
    return set;
}

// --resume: the stored run with the changes given; null (after saying so) when it has no epoch left.
std::unique_ptr<gan::Trainer> resume_run(TrainArgs& a) {
    GAN_CHECK(!a.overwrite, "--overwrite clears a run and --resume continues it: give one of them");
    if (gan::world().rank() == 0 && fs::is_directory(a.resume)) a.lock = std::make_unique<gan::RunDirLock>(a.resume);
    auto print_changes = [&](gan::TrainOptions& stored) {
        for (const gan::OptionChange& c : gan::apply_resume_request(a.req, a.resume, stored))
            std::printf("%s %s -> %s\n", c.flag.c_str() + 2, c.before.c_str(), c.after.c_str());
    };
    auto trainer = gan::Trainer::resume(a.resume, print_changes, load_train_set, gan::world());
    const gan::TrainProgress& p = trainer->progress();
    const int epochs = trainer->options().epochs;
    GAN_CHECK(p.epoch <= epochs, "--epochs ", epochs, ": ", a.resume, " has already trained ", p.epoch,
              " epochs; give a larger total");
    if (p.epoch == epochs) {
        std::printf("%s is finished: it has trained all %d of its epochs. To train it further, give a new "
                    "total: %s --resume %s --epochs %d\n",
                    a.resume.c_str(), epochs, a.req.command.c_str(), a.resume.c_str(), epochs + 1);
        return nullptr;
    }
    std::printf("Resuming %s at epoch %d step %d of %d epochs\n", a.resume.c_str(), p.epoch + 1, p.step, epochs);
    return trainer;
}

std::unique_ptr<gan::Trainer> new_run(TrainArgs& a) {
    // Under MPI rank 0 alone looks at the run directory (the others must not see what it creates there).
    // It locks the directory before it looks, so two runs started together cannot both find it free:
    // at once when the directory exists, else once the data has loaded (a bad --data is told first).
    auto claim_out_dir = [&](const std::string& out) {
        gan::make_dirs(out);
        a.lock = std::make_unique<gan::RunDirLock>(out);
        if (!gan::run_dir_holds_run(out)) return;
        GAN_CHECK(a.overwrite, out, " already holds a run: continue it with --resume ", out,
                  ", or give --overwrite to delete it and start afresh (or choose another --out)");
        gan::run_dir_clear(out);
        std::printf("Cleared %s (--overwrite)\n", out.c_str());
    };
    const bool rank0 = gan::world().rank() == 0;
    auto load = [&](const gan::TrainOptions& o) {
        if (rank0 && fs::is_directory(o.out_dir)) claim_out_dir(o.out_dir);
        gan::ImageSet data = load_train_set(o);
        if (rank0 && !a.lock) claim_out_dir(o.out_dir);
        return data;
    };
    return gan::Trainer::start(a.req, load, gan::world());
}

void print_start(const gan::TrainOptions& o) {
    const std::string lrs = o.lr_g > 0 || o.lr_d > 0 ? gan::str(" (G ", o.adam_of(true).lr, ", D ",
                                                                 o.adam_of(false).lr, ")") : "";
    std::printf("gan.cpp %s: arch=%s epochs=%d batch=%d lr=%g%s seed=%llu data=%s out=%s\n", GAN_VERSION,
                gan::to_string(o.model.arch), o.epochs, o.batch, double(o.adam.lr), lrs.c_str(),
                (unsigned long long)o.seed, o.data_dir.c_str(), o.out_dir.c_str());
    if (o.recipe != "none") std::printf("recipe %s: %s\n", o.recipe.c_str(), gan::recipe_summary(o).c_str());
    if (gan::world().distributed())
        std::printf("Data-parallel over %d MPI ranks: %d to %d rows of each batch of %d per rank\n",
                    gan::world().size(), o.batch / gan::world().size(), (o.batch + gan::world().size() - 1) /
                    gan::world().size(), o.batch);
    // The metrics are those of whatever --data holds (MNIST-FID only on MNIST): say so.
    if (o.eval_every > 0)
        std::printf("Every %d epochs: FID vs the test set of %s, classifier score and covered classes, in the "
                    "features of a classifier trained on %s (trained once and cached if none is)\n",
                    o.eval_every, o.data_dir.c_str(), o.data_dir.c_str());
    std::fflush(stdout);
}


int run_train(TrainArgs& a) {
    // Under MPI rank 0 alone prints (the others' errors still go to stderr).
    if (gan::world().rank() != 0 && !std::freopen("/dev/null", "w", stdout))
        GAN_CHECK(false, "cannot silence the standard output of rank ", gan::world().rank());
    g_live = live_progress(a.plain, a.progress);
    std::unique_ptr<gan::Trainer> trainer = a.resume.empty() ? new_run(a) : resume_run(a);
    if (!trainer) return 0;
    const gan::TrainOptions& o = trainer->options();
    GAN_CHECK(o.eval_every == 0 || gan::detect_data_format(o.data_dir) == gan::DataFormat::mnist,
              "--eval-every: the metrics are MNIST's, and ", o.data_dir, " is not an MNIST folder (give --eval-every 0)");
    const bool rank0 = gan::world().rank() == 0;
    if (o.eval_every > 0 && rank0)  // FID, classifier score and covered classes of 10,000 samples -> eval.csv
        trainer->evaluator = gan::training_evaluator(o.data_dir, 10000, o.seed, [](const std::string& m) {
            std::printf("%s\n", m.c_str());
            std::fflush(stdout);
        });
    print_start(o);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGHUP, on_signal);  // the terminal or ssh session closed: save the state as for Ctrl-C
    TrainLog log(o, g_live);
    if (a.tensorboard && rank0) log.tb = std::make_unique<gan::EventsWriter>(o.out_dir + "/tensorboard");
    bool finished = trainer->run([&](const gan::EpochReport& r) { log.epoch(r); },
                                 [&](const gan::StepReport& s) { log.step(s); }, &g_stop);
    if (log.tty) std::printf("\r\033[K");
    if (!finished && !g_stop.load() && trainer->step_limit_reached()) {
        const gan::TrainProgress& p = trainer->progress();
        const std::string at = p.step == 0 ? gan::str("after epoch ", p.epoch)
                                           : gan::str("at epoch ", p.epoch + 1, " step ", p.step);
        std::printf("Stopped by --max-steps %d %s: the configuration trains; state saved to %s\n"
                    "Train on with: %s --resume %s --max-steps 0\n",
                    o.max_steps, at.c_str(), trainer->last_checkpoint().c_str(), a.req.command.c_str(),
                    o.out_dir.c_str());
        return 0;
    }
    if (!finished) {
        int sig = g_signal.load();
        std::printf("Stopped by %s at epoch %d step %d; state saved to %s\nResume with: %s --resume %s\n",
                    sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT", trainer->progress().epoch + 1, trainer->progress().step,
                    trainer->last_checkpoint().c_str(), a.req.command.c_str(), o.out_dir.c_str());
        return 128 + (sig ? sig : SIGINT);
    }
    if (!rank0) return 0;
    gan::ReportSummary rs = gan::report_write(o.out_dir);
    std::printf("Done: %s/generator.safetensors, samples in %s/samples/, progress in %s, %s, %s\n",
                o.out_dir.c_str(), o.out_dir.c_str(), rs.gif.c_str(), rs.losses_svg.c_str(),
                rs.probabilities_svg.c_str());
    return 0;
}

// Under MPI a rank that fails ends the whole job (the others would wait for it in a collective), with
// the exit code main gives an error.
int run_train_or_abort(TrainArgs& a) {
    if (!gan::world().distributed()) return run_train(a);
    try {
        return run_train(a);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gan: error (rank %d of %d): %s\n", gan::world().rank(), gan::world().size(), e.what());
        std::fflush(stderr);
        gan::world_abort(2);
        throw;
    }
}

// Every option of the table as a flag bound to a.req.options (options taking a name to their text, turned into
// the enum by take_names once the command line is parsed), with its help and default.
void add_option_flags(CLI::App& app, TrainArgs& a) {
    gan::apply_cli_defaults(a.req.options);
    for (const gan::TrainOption& t : gan::train_option_table()) {
        if (!t.has_flag()) continue;
        CLI::Option* opt = nullptr;
        if (t.is_enum()) {
            std::string& text = a.names[t.flag] = t.show(a.req.options);
            opt = app.add_option(t.flag, text, t.help);
        } else {
            std::visit(
                [&](auto p) {
                    if constexpr (std::is_same_v<decltype(p), bool*>) opt = app.add_flag(t.flag, *p, t.help);
                    else if constexpr (std::is_pointer_v<decltype(p)>) opt = app.add_option(t.flag, *p, t.help);
                },
                t.field(a.req.options));
        }
        if (opt && t.show_default) opt->capture_default_str();
    }
}

void take_names(TrainArgs& a) {
    for (const gan::TrainOption& t : gan::train_option_table())
        if (t.has_flag() && t.is_enum()) t.parse(a.req.options, a.names.at(t.flag));
}

}  // namespace

Run add_train(CLI::App& app) {
    auto a = std::make_shared<TrainArgs>();
    add_option_flags(app, *a);
    app.add_option("--resume", a->resume, "Continue the run in RUN_DIR exactly where it stopped "
                                          "(with --epochs N: to a new total of N epochs; --lr and the other "
                                          "optimiser, loss-weight, logging and thread flags may change, "
                                          "the model, seed and batch may not)");
    app.add_flag("--overwrite", a->overwrite, "Delete what the --out directory holds when it already holds a "
                                              "run (config.json or checkpoints/), then start afresh");
    app.add_option("--config", a->req.config, "Start a new run with the options of an earlier one (its "
                                          "config.json); flags given override them");
    app.add_flag("--tensorboard", a->tensorboard, "Write TensorBoard events (scalars, sample grid) to RUN_DIR/tensorboard");
    auto* plain = app.add_flag("--plain", a->plain, "Plain log lines even on a terminal");
    app.add_flag("--progress", a->progress, "The live progress line (redrawn in place) even where stdout is no "
                                            "terminal, or under an MPI launcher (mpirun, srun), where plain "
                                            "lines are the default")
        ->excludes(plain);
    return [a, &app] {
        for (const CLI::Option* opt : app.get_options())
            if (opt->count() > 0) a->req.given.push_back(opt->get_name());
        if (app.get_parent() && !app.get_parent()->get_name().empty())
            a->req.command = app.get_parent()->get_name() + " train";
        take_names(*a);
        return run_train_or_abort(*a);
    };
}

}  // namespace gan_cli
