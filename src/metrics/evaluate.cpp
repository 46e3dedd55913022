#include "metrics/evaluate.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "io/file.h"

namespace gan {

void pixel_features(const uint8_t* pixels, size_t n, int channels, int size, std::vector<float>& out) {
    GAN_CHECK(channels >= 1 && size >= kPixelFeatureGrid, "pixel features need images of at least ",
              kPixelFeatureGrid, "x", kPixelFeatureGrid);
    constexpr int G = kPixelFeatureGrid;
    const int dim = channels * G * G;
    out.assign(n * size_t(dim), 0.0f);
    std::vector<int> cell(static_cast<size_t>(size)), count(G, 0);
    for (int y = 0; y < size; ++y) cell[size_t(y)] = y * G / size, count[size_t(y * G / size)] += 1;
    const size_t plane = size_t(size) * size_t(size);
    for (size_t i = 0; i < n; ++i) {
        float* f = out.data() + i * size_t(dim);
        for (int c = 0; c < channels; ++c) {
            const uint8_t* p = pixels + (i * size_t(channels) + size_t(c)) * plane;
            float* fc = f + c * G * G;
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) fc[cell[size_t(y)] * G + cell[size_t(x)]] += p[size_t(y) * size + x];
            for (int gy = 0; gy < G; ++gy)
                for (int gx = 0; gx < G; ++gx) fc[gy * G + gx] /= 255.0f * float(count[size_t(gy)] * count[size_t(gx)]);
        }
    }
}

namespace {

void features_of(EvalReference& ref, const uint8_t* pixels, size_t n, std::vector<float>& feats,
                 std::vector<float>* probs) {
    if (ref.classifier) classifier_run(*ref.classifier, pixels, n, &feats, probs, ref.options.batch);
    else pixel_features(pixels, n, ref.input.channels, ref.input.size, feats);
}

}  // namespace

EvalReference eval_reference(std::unique_ptr<Classifier> classifier, const ImageSet* train, const ImageSet& test,
                             const EvalOptions& o) {
    GAN_CHECK(!o.neighbours || train, "eval_reference: neighbour metrics need the training set");
    GAN_CHECK(test.rows == test.cols, "evaluation needs square images, got ", test.rows, "x", test.cols);
    EvalReference r;
    r.classifier = std::move(classifier);
    r.options = o;
    r.input.channels = test.channels, r.input.size = test.rows;
    if (r.classifier) {
        GAN_CHECK(r.classifier->input.same_shape(r.input), "the classifier takes ", to_string(r.classifier->input),
                  " images, the reference images are ", to_string(r.input));
        r.input = r.classifier->input;
    } else {
        r.dim = test.channels * kPixelFeatureGrid * kPixelFeatureGrid;
    }
    for (const ImageSet* s : {train, &test})
        GAN_CHECK(!s || (s->channels == r.input.channels && s->rows == r.input.size && s->cols == r.input.size),
                  "eval_reference: the training and test images differ in shape");
    const int D = r.dim;
    r.n_test = size_t(test.n);
    GAN_CHECK(r.n_test >= 2, "evaluation needs at least 2 reference images");
    features_of(r, test.pixels(), r.n_test, r.test_features, nullptr);
    r.test_gaussian = gaussian_fit(r.test_features.data(), r.n_test, D);
    if (o.neighbours) {
        GAN_CHECK(r.n_test > size_t(o.k), "neighbour metrics need more than k = ", o.k, " reference images, got ",
                  r.n_test);
        r.n_train = size_t(train->n);
        features_of(r, train->pixels(), r.n_train, r.train_features, nullptr);
        r.test_radii = knn_radii(r.test_features.data(), r.n_test, D, o.k);
        r.memo = memorisation_reference(
            nearest_sq_dists(r.test_features.data(), r.n_test, r.train_features.data(), r.n_train, D),
            o.memo_quantile);
    }
    return r;
}

EvalReference eval_reference(std::unique_ptr<Classifier> classifier, const Dataset* train, const Dataset& test,
                             const EvalOptions& o) {
    GAN_CHECK(classifier, "eval_reference needs a classifier");
    const ImageSet test_set = image_set_from_idx(test);
    if (!train) return eval_reference(std::move(classifier), nullptr, test_set, o);
    const ImageSet train_set = image_set_from_idx(*train);
    return eval_reference(std::move(classifier), &train_set, test_set, o);
}

EvalResult evaluate(EvalReference& ref, const uint8_t* pixels, size_t n) {
    const EvalOptions& o = ref.options;
    GAN_CHECK(n >= 2, "evaluation needs at least 2 samples");
    GAN_CHECK(!o.neighbours || n > size_t(o.k), "neighbour metrics need more than k = ", o.k, " samples");
    auto t0 = std::chrono::steady_clock::now();
    const int D = ref.dim;
    EvalResult r;
    r.n = n;
    std::vector<float> feats, probs;
    features_of(ref, pixels, n, feats, ref.classifier ? &probs : nullptr);
    r.fid = fid(gaussian_fit(feats.data(), n, D), ref.test_gaussian);
    if (ref.classifier) {
        r.has_classes = true;
        r.scores = class_scores(probs.data(), n, o.min_share, ref.classifier->classes());
    }
    if (o.neighbours) {
        r.prdc = prdc(ref.test_features.data(), ref.n_test, feats.data(), n, D, o.k, &ref.test_radii);
        r.memo = memorisation(nearest_sq_dists(feats.data(), n, ref.train_features.data(), ref.n_train, D), ref.memo);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

namespace {

using Log = std::function<void(const std::string&)>;

// The cached classifier at `cached` when it exists, else one trained by `train` and stored there.
template <class TrainFn>
std::unique_ptr<Classifier> cached_or_trained(const std::string& cached, const std::string& fp, const Log& log,
                                              TrainFn train) {
    if (file_exists(cached)) return classifier_load(cached);
    if (log)
        log(str("No metrics classifier for this training set (", fp, ") in ", cache_dir(),
                "; training one now (a few minutes, once; `gan classifier train` does the same)"));
    auto c = train([&](const ClassifierEpoch& e) {
        if (log)
            log(str("  classifier epoch ", e.epoch, "/", e.epochs, ": test accuracy ", 100 * e.test_accuracy, " %"));
    });
    make_dirs(cache_dir());
    classifier_save(cached, *c);
    if (log) log(str("Saved the classifier to ", cached));
    return c;
}

}  // namespace

std::unique_ptr<Classifier> classifier_find_or_train(const Dataset& train, const Dataset& test,
                                                     const std::string& path, const Log& log) {
    if (!path.empty()) return classifier_load(path);
    const std::string fp = dataset_fingerprint(train);
    return cached_or_trained(classifier_cache_path(fp), fp, log, [&](const ClassifierLog& on_epoch) {
        return classifier_train(train, test, ClassifierOptions{}, on_epoch);
    });
}

std::unique_ptr<Classifier> classifier_find_or_train(const ImageSet& train, const ImageSet& test,
                                                     const std::string& path, const Log& log) {
    if (!path.empty()) return classifier_load(path);
    const std::string fp = dataset_fingerprint(train);
    return cached_or_trained(classifier_cache_path(fp, "images"), fp, log, [&](const ClassifierLog& on_epoch) {
        return classifier_train(train, test, ClassifierOptions{}, on_epoch);
    });
}

// Prdc's members are its keys in eval_json's object.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Prdc, precision, recall, density, coverage)

std::string eval_json(const EvalResult& r, const EvalReference& ref, const std::string& source,
                      const std::string& classifier, const std::vector<double>& digit_accuracy) {
    nlohmann::json j;
    if (!digit_accuracy.empty()) j["digit_accuracy"] = digit_accuracy;
    j["source"] = source;
    j["n"] = r.n;
    j["classifier"] = classifier;
    j["fid"] = r.fid;
    j["features"] = ref.classifier ? "classifier" : "pixels";
    if (r.has_classes) {
        j["classes"] = ref.classifier->class_names;
        j["classifier_score"] = r.scores.classifier_score;
        j["class_histogram"] = r.scores.share;
        j["classes_covered"] = r.scores.covered;
        j["kl_uniform"] = r.scores.kl_uniform;
    }
    j["k"] = ref.options.k;
    j.update(nlohmann::json(r.prdc));
    j["memorisation"] = r.memo.share;
    j["memorisation_quantile"] = ref.memo.quantile;
    j["nearest_train_distance_ratio"] = r.memo.median_ratio;
    j["seconds"] = r.seconds;
    return j.dump(2) + "\n";
}

std::string mnist_dir_find(const std::string& given) {
    if (!given.empty()) return given;
    const std::string places[] = {"data/mnist", cache_dir() + "/mnist"};
    for (const std::string& dir : places)
        if (file_exists(dir + "/train-images-idx3-ubyte") || file_exists(dir + "/train-images-idx3-ubyte.gz"))
            return dir;
    throw Error(str("no MNIST found: searched ./", places[0], " and ", places[1],
                    " (fetch it with gan fetch mnist --cache, or give --data DIR)"));
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
