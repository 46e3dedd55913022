// gan classifier train [--data DIR] [--out FILE] [--seed S] [--epochs E]: the MNIST classifier that
// the metrics use (src/metrics/classifier.h), saved where `gan eval` finds it.
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
#include "io/file.h"
#include "io/idx.h"
#include "kernels/gemm.h"
#include "metrics/classifier.h"

namespace gan_cli {

namespace {

struct ClassifierArgs {
    std::string data = "data/mnist", out;
    gan::ClassifierOptions o;
    int threads = 1;
};

std::string parent_dir(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

int run_classifier_train(const ClassifierArgs& a) {
    gan::blas_set_threads(a.threads);
    gan::Dataset train = gan::dataset_load(a.data, true), test = gan::dataset_load(a.data, false);
    const std::string out = a.out.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(train)) : a.out;
    std::printf("Training the metrics classifier (LeNet %d/%d channels) on %d images of %s: %d epochs, batch %d, "
                "seed %llu\n",
                a.o.c1, a.o.c2, train.images.n, a.data.c_str(), a.o.epochs, a.o.batch, (unsigned long long)a.o.seed);
    std::fflush(stdout);
    double total = 0;
    auto c = gan::classifier_train(train, test, a.o, [&](const gan::ClassifierEpoch& r) {
        total += r.seconds;
        std::printf("Epoch %d/%d  loss %.4f  train accuracy %.2f %%  test accuracy %.2f %%  (%.1f s)\n", r.epoch,
                    r.epochs, r.loss, 100 * r.train_accuracy, 100 * r.test_accuracy, r.seconds);
        std::fflush(stdout);
    });
    if (!parent_dir(out).empty()) gan::make_dirs(parent_dir(out));
    gan::classifier_save(out, *c);
    std::printf("Test accuracy %.2f %% on %d images after %.1f s; saved %s\n",
                100 * std::stod(c->metadata.at("test_accuracy")), test.images.n, total, out.c_str());
    return 0;
}

}  // namespace

Run add_classifier(CLI::App& app) {
    app.require_subcommand(1);
    auto* train = app.add_subcommand("train", "Train the MNIST classifier used by `gan eval` and save it");
    auto a = std::make_shared<ClassifierArgs>();
    train->add_option("--data", a->data, "Folder with the IDX files (train-*, t10k-*)")->capture_default_str();
    train->add_option("--out", a->out, "Output file (default: the cache folder `gan eval` looks in: $GAN_CACHE, "
                                       "else ~/.cache/gan.cpp)");
    train->add_option("--seed", a->o.seed, "Seed of initialisation and shuffling")->capture_default_str();
    train->add_option("--epochs", a->o.epochs, "Epochs (the learning rate halves after each)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    train->add_option("--batch", a->o.batch, "Mini-batch size")->capture_default_str()->check(CLI::Range(1, 100000));
    train->add_option("--lr", a->o.lr, "Adam learning rate of the first epoch")->capture_default_str();
    train->add_option("--threads", a->threads, "BLAS threads (results are deterministic per thread count)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    train->add_option("--channels", a->o.c1, "Channels of the first convolution (the second has twice as many)")
        ->capture_default_str()
        ->check(CLI::Range(1, 512));
    return [a, train] {
        a->o.c2 = 2 * a->o.c1;
        if (train->parsed()) return run_classifier_train(*a);
        return 2;
    };
}

}  // namespace gan_cli
