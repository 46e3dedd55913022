// The MNIST classifier behind the metrics: a LeNet-style CNN
//   features: conv5x5(1→C1) → ReLU → maxpool2 → conv5x5(C1→C2) → ReLU → maxpool2 → dense(→128) → ReLU
//   head:     dense(128→10) → logits
// Its 128-d penultimate activations are the feature space of MNIST-FID, precision/recall and the
// memorisation check; its softmax gives the classifier score and the class histogram.
// Weights are safetensors with PyTorch names ("features.0.weight" (C1, 1, 5, 5), "head.0.weight"
// (10, 128)) and metadata recording how and on what the network was trained.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
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

struct Classifier {
    Sequential features{"features"}, head{"head"};
    std::map<std::string, std::string> metadata;  // arch, c1, c2, data fingerprint, accuracy, ...
};

std::unique_ptr<Classifier> classifier_build(int c1, int c2);
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
std::unique_ptr<Classifier> classifier_train(const Dataset& train, const Dataset& test, const ClassifierOptions& o,
                                             const std::function<void(const ClassifierEpoch&)>& on_epoch = nullptr);

// Runs n 28x28 uint8 images through the network, `batch` at a time. Writes features (n, 128)
// and/or softmax probabilities (n, 10) when the pointers are given. Results do not depend on batch.
void classifier_run(Classifier& c, const uint8_t* pixels, size_t n, std::vector<float>* features,
                    std::vector<float>* probs, int batch = 256);
double classifier_accuracy(Classifier& c, const Dataset& d);

void classifier_save(const std::string& path, const Classifier& c);
std::unique_ptr<Classifier> classifier_load(const std::string& path);

// A short hex digest of a dataset's labels and pixels: names what a classifier was trained on.
std::string dataset_fingerprint(const Dataset& d);
// Where the classifier for training data with this fingerprint is cached:
// $GAN_CACHE, else $XDG_CACHE_HOME/gan.cpp, else $HOME/.cache/gan.cpp, else ./.gan-cache;
// file "mnist_classifier-<fingerprint>.safetensors".
std::string cache_dir();
std::string classifier_cache_path(const std::string& fingerprint);

// pixels -> network input: (p / 255 - 0.1307) / 0.3081 (MNIST's mean and standard deviation).
void classifier_input(Tensor& x, const uint8_t* pixels, int n);

}  // namespace gan
