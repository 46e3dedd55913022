// `gan eval` as a library: everything computed for a set of uint8 samples against a test set (FID,
// precision/recall/density/coverage) and a training set (memorisation), in the feature space of the
// metrics classifier (MNIST's, or one trained on the user's labelled images). Without a classifier
// (images without labels) the features are pixel features (pixel_features) and the class scores are
// not computed. Build the reference once, evaluate many sample sets.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/idx.h"
#include "metrics/classifier.h"
#include "metrics/fid.h"
#include "metrics/memorisation.h"
#include "metrics/prdc.h"
#include "metrics/scores.h"
#include "models/gan_model.h"

namespace gan {

struct EvalOptions {
    int k = 5;                   // neighbours for precision/recall/density/coverage
    double min_share = 0.02;     // a class is covered when it holds this share of the samples
    double memo_quantile = 0.01;
    bool neighbours = true;      // PRDC and memorisation (false: FID and class scores only, for training)
    int batch = 256;             // classifier batch; results do not depend on it
};

// The features of images without a classifier: each channel's mean over an 8x8 grid of cells (cell
// of pixel (y, x): (8y / size, 8x / size)), on the 0..1 scale; (n, channels * 64).
inline constexpr int kPixelFeatureGrid = 8;
void pixel_features(const uint8_t* pixels, size_t n, int channels, int size, std::vector<float>& out);

struct EvalReference {
    std::unique_ptr<Classifier> classifier;  // null: pixel features, no class scores
    ClassifierInput input;                   // the images' shape (the classifier's when there is one)
    int dim = kClassifierFeatures;           // feature size
    EvalOptions options;
    std::vector<float> test_features;   // (n_test, dim)
    Gaussian test_gaussian;
    std::vector<float> test_radii;      // squared k-NN radii of the test features (neighbours only)
    std::vector<float> train_features;  // (n_train, dim) (neighbours only)
    MemorisationReference memo;         // (neighbours only)
    size_t n_test = 0, n_train = 0;
};

// train may be null when options.neighbours is false.
EvalReference eval_reference(std::unique_ptr<Classifier> classifier, const Dataset* train, const Dataset& test,
                             const EvalOptions& options = {});
// Any images; classifier may be null (pixel features). The images must have the classifier's shape.
EvalReference eval_reference(std::unique_ptr<Classifier> classifier, const ImageSet* train, const ImageSet& test,
                             const EvalOptions& options = {});

struct EvalResult {
    size_t n = 0;
    double fid = 0;
    bool has_classes = false;  // scores computed (a classifier was given)
    ClassScores scores;
    Prdc prdc;              // zero unless neighbours
    Memorisation memo;      // zero unless neighbours
    double seconds = 0;
};

// n images of the reference's shape (uint8, CHW; MNIST: 28x28, 0 = black background). Needs n >= 2
// (n > k with neighbours).
EvalResult evaluate(EvalReference& ref, const uint8_t* pixels, size_t n);

// The figures of one evaluation as a JSON object (`gan eval --json`, `gancpp.evaluate`): where the
// samples came from (`source`), the classifier's file, every figure computed, and, for a conditional
// generator, each class's share of samples classified as it (`digit_accuracy`, when not empty).
std::string eval_json(const EvalResult& r, const EvalReference& ref, const std::string& source,
                      const std::string& classifier, const std::vector<double>& digit_accuracy = {});

// The classifier for this training set: `path` when given, else the cache (classifier_cache_path);
// when neither exists, trains one with default options (log says so) and stores it in the cache.
std::unique_ptr<Classifier> classifier_find_or_train(const Dataset& train, const Dataset& test,
                                                     const std::string& path,
                                                     const std::function<void(const std::string&)>& log);
// The same for any labelled images (cache file "images_classifier-<fingerprint>.safetensors").
std::unique_ptr<Classifier> classifier_find_or_train(const ImageSet& train, const ImageSet& test,
                                                     const std::string& path,
                                                     const std::function<void(const std::string&)>& log);

// Where the MNIST files are: `given` when not empty (only there: an explicit --data is never second-
// guessed), else the first of ./data/mnist and <cache_dir()>/mnist that holds train-images-idx3-ubyte[.gz]
// (`gan fetch mnist --cache` fills the second). Throws a one-line gan::Error naming both when
// neither does.
std::string mnist_dir_find(const std::string& given);

// For `gan train --eval-every K` (Trainer::evaluator): on each call draws n samples from G with the
// same latents (seeded by `seed`, so epochs are comparable) and returns {fid, classifier_score,
// classes_covered}. The classifier and the test-set statistics are set up on the first call.
// Calls log with a "warning: ..." line when the covered classes drop below the best seen so far
// (mode collapse).
std::function<std::vector<std::pair<std::string, double>>(GanModel&, int)> training_evaluator(
    const std::string& data_dir, int n, uint64_t seed, const std::function<void(const std::string&)>& log);

}  // namespace gan
