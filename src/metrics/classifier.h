// The classifier behind the metrics: a LeNet-style CNN for CH x S x S images and K classes
//   features: conv5x5(CH→C1) → ReLU → maxpool2 → conv5x5(C1→C2) → ReLU → maxpool2 → dense(→128) → ReLU
//   head:     dense(128→K) → logits
// (MNIST: CH = 1, S = 28, K = 10; the convolutions are unpadded, so S must be at least 16.)
// Its 128-d penultimate activations are the feature space of FID, precision/recall and the
// memorisation check; its softmax gives the classifier score and the class histogram.
// Weights are safetensors with PyTorch names ("features.0.weight" (C1, CH, 5, 5), "head.0.weight"
// (K, 128)) and metadata recording how and on what the network was trained. A classifier of other
// images than MNIST's also records its input ("channels", "image_size", "input_mean", "input_std")
// and its classes ("classes": a JSON list of names); a file without them is an MNIST classifier.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "data/image_set.h"
#include "io/idx.h"
#include "nn/sequential.h"

namespace gan {

inline constexpr int kClassifierFeatures = 128;
inline constexpr int kClassifierClasses = 10;

struct ClassifierOptions {
    int c1 = 16, c2 = 32;     // channels of the two convolutions
    int epochs = 5;
    int batch = 64;
    float lr = 2e-3f;         // Adam; halved after every epoch
    uint64_t seed = 0;
};

// The images a classifier takes: channels x size x size uint8 (CHW), fed to the network as
// (p / 255 - mean) / stdev. The defaults are MNIST's (its pixel mean and standard deviation).
struct ClassifierInput {
    int channels = 1, size = 28;
    float mean = 0.1307f, stdev = 0.3081f;
    bool same_shape(const ClassifierInput& o) const { return channels == o.channels && size == o.size; }
};
std::string to_string(const ClassifierInput& in);  // "3x32x32" (channels x rows x cols)

struct Classifier {
    Sequential features{"features"}, head{"head"};
    ClassifierInput input;
    std::vector<std::string> class_names;         // "0" .. "9" for MNIST
    std::map<std::string, std::string> metadata;  // arch, c1, c2, data fingerprint, accuracy, ...
    int classes() const { return int(class_names.size()); }
};

// The MNIST classifier (1 x 28 x 28 images, classes "0" .. "9").
std::unique_ptr<Classifier> classifier_build(int c1, int c2);
// Any input and class names (at least 2); throws when the input is smaller than 16 x 16.
std::unique_ptr<Classifier> classifier_build(int c1, int c2, const ClassifierInput& input,
                                             std::vector<std::string> class_names);
// PyTorch's default initialisation of Conv2d/Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights
// and biases (kaiming_uniform with a = sqrt(5)).
void classifier_init(Classifier& c, Rng& rng);

struct ClassifierEpoch {
    int epoch = 0, epochs = 0;
    double loss = 0, train_accuracy = 0, test_accuracy = 0, seconds = 0;
};

// Trains with Adam on shuffled mini-batches (deterministic for a seed and thread count), reports
// each epoch's mean loss and test accuracy. Sets metadata (including "test_accuracy" and the
// training data's fingerprint). The test set is only measured, never trained on.
using ClassifierLog = std::function<void(const ClassifierEpoch&)>;
std::unique_ptr<Classifier> classifier_train(const Dataset& train, const Dataset& test, const ClassifierOptions& o,
                                             const ClassifierLog& on_epoch = nullptr);
// The same for any images: the classifier takes train's shape and class names (at least 2), and
// normalises its input by train's pixel mean and standard deviation. test must have train's shape.
std::unique_ptr<Classifier> classifier_train(const ImageSet& train, const ImageSet& test, const ClassifierOptions& o,
                                             const ClassifierLog& on_epoch = nullptr);

// Runs n images of the classifier's input shape (uint8, CHW) through the network, `batch` at a
// time. Writes features (n, 128) and/or softmax probabilities (n, classes()) when the pointers are
// given. Results do not depend on batch.
void classifier_run(Classifier& c, const uint8_t* pixels, size_t n, std::vector<float>* features,
                    std::vector<float>* probs, int batch = 256);
// The share of d's images whose most likely class is their label; d must have the input's shape.
double classifier_accuracy(Classifier& c, const Dataset& d);
double classifier_accuracy(Classifier& c, const ImageSet& d);

// Whether a test accuracy is no better than guessing among `classes`: below chance (1/classes) plus a
// tenth of the way from chance to 100 %. Such a classifier's features and class scores say little.
bool classifier_near_chance(double accuracy, int classes);

// Records c.input and c.class_names in c.metadata (for a classifier of other images than MNIST's).
void classifier_describe_input(Classifier& c);
void classifier_save(const std::string& path, const Classifier& c);
std::unique_ptr<Classifier> classifier_load(const std::string& path);

// A short hex digest of a dataset's labels and pixels: names what a classifier was trained on.
std::string dataset_fingerprint(const Dataset& d);
std::string dataset_fingerprint(const ImageSet& d);  // also covers the shape and class names
// Where the classifier for training data with this fingerprint is cached:
// $GAN_CACHE, else $XDG_CACHE_HOME/gan.cpp, else $HOME/.cache/gan.cpp, else ./.gan-cache;
// file "<prefix>_classifier-<fingerprint>.safetensors" ("mnist", or "images" for other data).
std::string cache_dir();
std::string classifier_cache_path(const std::string& fingerprint, const std::string& prefix = "mnist");

// pixels -> network input (n, channels, size, size): (p / 255 - mean) / stdev.
void classifier_input(Tensor& x, const uint8_t* pixels, int n, const ClassifierInput& in = {});

}  // namespace gan
