#include "metrics/evaluate.h"

#include <chrono>

#include "core/check.h"
#include "io/file.h"

namespace gan {

EvalReference eval_reference(std::unique_ptr<Classifier> classifier, const Dataset* train, const Dataset& test,
                             const EvalOptions& o) {
    GAN_CHECK(classifier, "eval_reference needs a classifier");
    GAN_CHECK(!o.neighbours || train, "eval_reference: neighbour metrics need the training set");
    EvalReference r;
    r.classifier = std::move(classifier);
    r.options = o;
    constexpr int D = kClassifierFeatures;
    r.n_test = size_t(test.images.n);
    classifier_run(*r.classifier, test.images.pixels.data(), r.n_test, &r.test_features, nullptr, o.batch);
    r.test_gaussian = gaussian_fit(r.test_features.data(), r.n_test, D);
    if (o.neighbours) {
        r.n_train = size_t(train->images.n);
        classifier_run(*r.classifier, train->images.pixels.data(), r.n_train, &r.train_features, nullptr, o.batch);
        r.test_radii = knn_radii(r.test_features.data(), r.n_test, D, o.k);
        r.memo = memorisation_reference(
            nearest_sq_dists(r.test_features.data(), r.n_test, r.train_features.data(), r.n_train, D),
            o.memo_quantile);
    }
    return r;
}

EvalResult evaluate(EvalReference& ref, const uint8_t* pixels, size_t n) {
    const EvalOptions& o = ref.options;
    GAN_CHECK(n >= 2, "evaluation needs at least 2 samples");
    GAN_CHECK(!o.neighbours || n > size_t(o.k), "neighbour metrics need more than k = ", o.k, " samples");
    auto t0 = std::chrono::steady_clock::now();
    constexpr int D = kClassifierFeatures;
    EvalResult r;
    r.n = n;
    std::vector<float> feats, probs;
    classifier_run(*ref.classifier, pixels, n, &feats, &probs, o.batch);
    r.fid = fid(gaussian_fit(feats.data(), n, D), ref.test_gaussian);
    r.scores = class_scores(probs.data(), n, o.min_share);
    if (o.neighbours) {
        r.prdc = prdc(ref.test_features.data(), ref.n_test, feats.data(), n, D, o.k, &ref.test_radii);
        r.memo = memorisation(nearest_sq_dists(feats.data(), n, ref.train_features.data(), ref.n_train, D), ref.memo);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

std::unique_ptr<Classifier> classifier_find_or_train(const Dataset& train, const Dataset& test,
                                                     const std::string& path,
                                                     const std::function<void(const std::string&)>& log) {
    if (!path.empty()) return classifier_load(path);
    const std::string fp = dataset_fingerprint(train);
    const std::string cached = classifier_cache_path(fp);
    if (file_exists(cached)) return classifier_load(cached);
    if (log)
        log(str("No metrics classifier for this training set (", fp, ") in ", cache_dir(),
                "; training one now (a few minutes, once; `gan classifier train` does the same)"));
    ClassifierOptions opts;
    auto c = classifier_train(train, test, opts, [&](const ClassifierEpoch& e) {
        if (log)
            log(str("  classifier epoch ", e.epoch, "/", e.epochs, ": test accuracy ", 100 * e.test_accuracy, " %"));
    });
    make_dirs(cache_dir());
    classifier_save(cached, *c);
    if (log) log(str("Saved the classifier to ", cached));
    return c;
}

std::string mnist_dir_find(const std::string& given) {
    if (!given.empty()) return given;
    const std::string places[] = {"data/mnist", cache_dir() + "/mnist"};
    for (const std::string& dir : places)
        if (file_exists(dir + "/train-images-idx3-ubyte") || file_exists(dir + "/train-images-idx3-ubyte.gz"))
            return dir;
    throw Error(str("no MNIST found: searched ./", places[0], " and ", places[1],
                    " (fetch it with scripts/fetch_mnist.sh --cache, or give --data DIR)"));
}

std::function<std::vector<std::pair<std::string, double>>(GanModel&, int)> training_evaluator(
    const std::string& data_dir, int n, uint64_t seed, const std::function<void(const std::string&)>& log) {
    GAN_CHECK(n >= 2, "training evaluation needs at least 2 samples");
    struct State {
        std::unique_ptr<EvalReference> ref;
        int best_covered = 0;
        std::vector<uint8_t> pixels;
    };
    auto st = std::make_shared<State>();
    return [=](GanModel& model, int epoch) {
        GAN_CHECK(model.config.channels == 1 && model.config.rows == 28 && model.config.cols == 28,
                  "--eval-every needs 28x28 grayscale images");
        if (!st->ref) {
            Dataset train = dataset_load(data_dir, true), test = dataset_load(data_dir, false);
            auto c = classifier_find_or_train(train, test, "", log);
            EvalOptions o;
            o.neighbours = false;
            st->ref = std::make_unique<EvalReference>(eval_reference(std::move(c), nullptr, test, o));
        }
        Rng rng(seed, 13);
        gan_generate(model, n, rng, st->pixels);
        EvalResult r = evaluate(*st->ref, st->pixels.data(), size_t(n));
        const int covered = r.scores.covered;
        if (covered < st->best_covered && log)
            log(str("warning: epoch ", epoch, ": samples cover ", covered, " classes, down from ", st->best_covered,
                    " (mode collapse?)"));
        st->best_covered = std::max(st->best_covered, covered);
        return std::vector<std::pair<std::string, double>>{
            {"fid", r.fid}, {"classifier_score", r.scores.classifier_score}, {"classes_covered", double(covered)}};
    };
}

}  // namespace gan
