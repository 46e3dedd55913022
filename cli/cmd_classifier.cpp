// gan classifier train [--data DIR] [--out FILE] [--seed S] [--epochs E] [--image-size N
// --channels C] [--width W]: the classifier that the metrics use (src/metrics/classifier.h), for MNIST or
// for a labelled image folder or CIFAR-10 set (src/train/eval_data.h), saved where `gan eval` finds it.
#include <algorithm>
#include <cstdio>
#include <string>

#include "commands.h"
#include "core/check.h"
#include "io/file.h"
#include "io/idx.h"
#include "backend/backend.h"
#include "metrics/classifier.h"
#include "metrics/evaluate.h"
#include "train/eval_data.h"

namespace gan_cli {

namespace {

struct ClassifierArgs {
    std::string data, out;  // data "": MNIST, searched where gan train and gan eval look (mnist_dir_find)
    gan::ClassifierOptions o;
    int threads = 1;
    int image_size = 0, image_channels = 0;  // 0: the data's own
};

std::string parent_dir(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Runs train (a classifier_train call given the per-epoch callback), printing each epoch, saves the
// classifier to out and prints its test accuracy on test_n `test_what` images.
template <class TrainFn>
int train_and_save(const std::string& out, int test_n, const char* test_what, TrainFn train) {
    double total = 0;
    auto c = train([&](const gan::ClassifierEpoch& r) {
        total += r.seconds;
        std::printf("Epoch %d/%d  loss %.4f  train accuracy %.2f %%  test accuracy %.2f %%  (%.1f s)\n", r.epoch,
                    r.epochs, r.loss, 100 * r.train_accuracy, 100 * r.test_accuracy, r.seconds);
        std::fflush(stdout);
    });
    if (!parent_dir(out).empty()) gan::make_dirs(parent_dir(out));
    gan::classifier_save(out, *c);
    const double accuracy = std::stod(c->metadata.at("test_accuracy"));
    std::printf("Test accuracy %.2f %% on %d %s after %.1f s; saved %s\n", 100 * accuracy, test_n, test_what, total,
                out.c_str());
    if (gan::classifier_near_chance(accuracy, c->classes()))
        std::printf("Warning: %.2f %% is about chance for %d classes (%.0f %%): this classifier has learnt next to "
                    "nothing, and the metrics of `gan eval` in its features would say little. Train it longer "
                    "(--epochs), on more images, or check that the classes differ\n",
                    100 * accuracy, c->classes(), 100.0 / c->classes());
    return 0;
}

// A labelled image folder or CIFAR-10 set: classes from its subfolders (at least 2), every tenth
// image of a folder's classes held out as the test set.
int run_images_classifier_train(const ClassifierArgs& a) {
    const int classes = gan::eval_data_classes(a.data);
    GAN_CHECK(classes >= 2, a.data, ": ", classes, " class", classes == 1 ? "" : "es",
              "; the classifier needs at least 2 (an image folder's classes are its subfolders, one per class)");
    gan::EvalData d = gan::load_eval_data(a.data, a.image_channels, a.image_size, [](size_t done, size_t total) {
        if (done == total) std::printf("Decoded %zu images\n", total);
    }, std::max(1, a.threads));
    const size_t k = d.train.class_names.size();
    const std::string out =
        a.out.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(d.train), "images") : a.out;
    std::printf("Training the metrics classifier (LeNet %d/%d channels) on %d %dx%dx%d images of %s (%s, %zu classes; "
                "%d held out): %d epochs, batch %d, seed %llu\n",
                a.o.c1, a.o.c2, d.train.n, d.train.channels, d.train.rows, d.train.cols, a.data.c_str(),
                gan::to_string(d.format), k, d.test.n, a.o.epochs, a.o.batch, (unsigned long long)a.o.seed);
    std::fflush(stdout);
    return train_and_save(out, d.test.n, "held-out images", [&](const gan::ClassifierLog& on_epoch) {
        return gan::classifier_train(d.train, d.test, a.o, on_epoch);
    });
}

int run_classifier_train(ClassifierArgs a) {
    gan::set_library_threads(a.threads);
    a.data = gan::mnist_dir_find(a.data);
    if (a.image_size != 0 || a.image_channels != 0 || !gan::is_mnist_folder(a.data))
        return run_images_classifier_train(a);
    gan::Dataset train = gan::dataset_load(a.data, true), test = gan::dataset_load(a.data, false);
    const std::string out = a.out.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(train)) : a.out;
    std::printf("Training the metrics classifier (LeNet %d/%d channels) on %d images of %s: %d epochs, batch %d, "
                "seed %llu\n",
                a.o.c1, a.o.c2, train.images.n, a.data.c_str(), a.o.epochs, a.o.batch, (unsigned long long)a.o.seed);
    std::fflush(stdout);
    return train_and_save(out, test.images.n, "images", [&](const gan::ClassifierLog& on_epoch) {
        return gan::classifier_train(train, test, a.o, on_epoch);
    });
}

}  // namespace

Run add_classifier(CLI::App& app) {
    app.require_subcommand(1);
    auto* train = app.add_subcommand("train", "Train the classifier used by `gan eval` (on MNIST, a labelled image "
                                              "folder or CIFAR-10) and save it");
    auto a = std::make_shared<ClassifierArgs>();
    train->add_option("--data", a->data, "MNIST's IDX files (train-*, t10k-*), a CIFAR-10 folder, or an image folder "
                                         "with one subfolder per class (at least 2; every tenth image of each "
                                         "class is held out as the test set) [./data/mnist, else the per-user "
                                         "cache, as gan train: gan fetch mnist --cache fills it]");
    train->add_option("--image-size", a->image_size, "Image side for a folder or CIFAR-10 (as `gan train "
                                                     "--image-size`; 0: 64 for a folder, 32 for CIFAR-10)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    // --channels means the images' channels in every command; the network's width is --width.
    train->add_option("--channels", a->image_channels, "Image channels, 1 or 3 (as `gan train --channels`; "
                                                       "0: 3 for a folder or CIFAR-10)")
        ->capture_default_str()
        ->check(CLI::Validator(
            [](std::string& t) {
                return t == "0" || t == "1" || t == "3" ? "" : "Value " + t + " is not 0, 1 or 3: --channels is "
                       "the images' channels (the network's width is --width)";
            },
            ""));
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
    train->add_option("--width", a->o.c1, "Width: channels of the first convolution (the second has twice as many)")
        ->capture_default_str()
        ->check(CLI::Range(1, 512));
    return [a, train] {
        a->o.c2 = 2 * a->o.c1;
        if (train->parsed()) return run_classifier_train(*a);
        return 2;
    };
}

}  // namespace gan_cli
