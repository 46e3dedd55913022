// Training the metrics classifier (classifier.h): Adam on shuffled mini-batches, softmax
// cross-entropy, the learning rate halved after every epoch.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "core/check.h"
#include "metrics/classifier.h"
#include "backend/backend.h"
#include "optim/adam.h"

namespace gan {

namespace {

// Softmax cross-entropy averaged over the batch (the backend's, as the class heads' loss): returns the summed loss, writes
// dlogits = (p - onehot) / n and counts correct argmax predictions.
double softmax_xent(const Tensor& logits, const int32_t* labels, int k, Tensor& dlogits, int& correct) {
    const int n = logits.shape.n;
    dlogits.resize(logits.shape);
    for (int i = 0; i < n; ++i) {
        const float* l = logits.data() + i * k;
        correct += int(std::max_element(l, l + k) - l) == labels[i];
    }
    return host_backend().softmax_xent(logits.data(), size_t(k), k, labels, size_t(n), 1.0f, dlogits.data(), size_t(k));
}

// One epoch over train in the order of a fresh shuffle from data_rng; returns the summed loss and
// adds the correct predictions to correct.
double train_epoch(Classifier& c, const ImageSet& train, Adam& opt_f, Adam& opt_h, int B, Rng& data_rng,
                   int& correct) {
    const int N = train.n, steps = N / B;  // full batches only
    const size_t image = train.image_bytes();
    std::vector<uint32_t> perm(static_cast<size_t>(N));
    for (int i = 0; i < N; ++i) perm[size_t(i)] = uint32_t(i);
    for (int i = N - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[data_rng.below(uint32_t(i + 1))]);
    std::vector<uint8_t> px(size_t(B) * image);
    std::vector<int32_t> lab(static_cast<size_t>(B));
    Tensor x, dlogits, dfeat;
    double loss = 0;
    c.features.set_training(true);
    c.head.set_training(true);
    for (int s = 0; s < steps; ++s) {
        for (int i = 0; i < B; ++i) {
            const uint32_t k = perm[size_t(s) * B + i];
            std::copy_n(train.image(int(k)), image, px.data() + size_t(i) * image);
            lab[size_t(i)] = train.labels[k];
        }
        classifier_input(x, px.data(), B, c.input);
        const Tensor& feat = c.features.forward(x);
        const Tensor& logits = c.head.forward(feat);
        loss += softmax_xent(logits, lab.data(), c.classes(), dlogits, correct);
        c.features.params.zero_grad();
        c.head.params.zero_grad();
        c.head.backward(dlogits, &dfeat);
        c.features.backward(dfeat, nullptr);
        opt_f.step();
        opt_h.step();
    }
    return loss;
}

// Trains c (built, not yet initialised) on train, measuring test after each epoch.
void train_classifier(Classifier& c, const ImageSet& train, const ImageSet& test, const ClassifierOptions& o,
                      const ClassifierLog& on_epoch) {
    GAN_CHECK(o.epochs >= 1 && o.batch >= 1 && o.lr > 0, "classifier: epochs, batch and lr must be positive");
    GAN_CHECK(train.n >= 1, "classifier: no training images");
    for (int32_t l : train.labels)
        GAN_CHECK(l >= 0 && l < c.classes(), "training label ", l, " is not in [0, ", c.classes(), ")");
    Rng init_rng(o.seed, 1), data_rng(o.seed, 2);
    classifier_init(c, init_rng);
    Adam opt_f(c.features.params, AdamOptions{.lr = o.lr}), opt_h(c.head.params, AdamOptions{.lr = o.lr});
    const int B = std::min(o.batch, train.n), steps = train.n / B;
    for (int e = 1; e <= o.epochs; ++e) {
        auto t0 = std::chrono::steady_clock::now();
        opt_f.options.lr = opt_h.options.lr = o.lr * std::pow(0.5f, float(e - 1));
        int correct = 0;
        const double loss = train_epoch(c, train, opt_f, opt_h, B, data_rng, correct);
        ClassifierEpoch r;
        r.epoch = e, r.epochs = o.epochs;
        r.loss = loss / (double(steps) * B);
        r.train_accuracy = double(correct) / (double(steps) * B);
        r.test_accuracy = classifier_accuracy(c, test);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        c.metadata["test_accuracy"] = str(r.test_accuracy);
        if (on_epoch) on_epoch(r);
    }
    c.metadata["epochs"] = std::to_string(o.epochs);
    c.metadata["batch"] = std::to_string(o.batch);
    c.metadata["lr"] = str(o.lr);
    c.metadata["seed"] = std::to_string(o.seed);
}

// Mean and standard deviation of every pixel value of d, on the 0..1 scale.
void pixel_moments(const ImageSet& d, float& mean, float& stdev) {
    std::array<uint64_t, 256> hist{};
    const uint8_t* p = d.pixels();
    for (size_t i = 0; i < d.total_bytes(); ++i) hist[p[i]] += 1;
    double n = 0, s = 0, s2 = 0;
    for (int v = 0; v < 256; ++v) {
        const double x = v / 255.0;
        n += double(hist[size_t(v)]), s += double(hist[size_t(v)]) * x, s2 += double(hist[size_t(v)]) * x * x;
    }
    mean = float(s / n);
    stdev = float(std::sqrt(std::max(s2 / n - (s / n) * (s / n), 0.0)));
    if (stdev < 1e-3f) stdev = 1.0f;  // a constant set: only centre it
}

}  // namespace

std::unique_ptr<Classifier> classifier_train(const Dataset& train, const Dataset& test, const ClassifierOptions& o,
                                             const ClassifierLog& on_epoch) {
    for (const Dataset* d : {&train, &test})
        GAN_CHECK(d->images.rows == 28 && d->images.cols == 28, d == &train ? "training set" : "test set",
                  ": the classifier needs 28x28 images, got ", d->images.rows, "x", d->images.cols);
    for (uint8_t l : train.labels.labels) GAN_CHECK(l < kClassifierClasses, "training label ", int(l), " is not 0-9");
    auto c = classifier_build(o.c1, o.c2);
    train_classifier(*c, image_set_from_idx(train), image_set_from_idx(test), o, on_epoch);
    c->metadata["data"] = dataset_fingerprint(train);
    c->metadata["test_data"] = dataset_fingerprint(test);
    return c;
}

std::unique_ptr<Classifier> classifier_train(const ImageSet& train, const ImageSet& test, const ClassifierOptions& o,
                                             const ClassifierLog& on_epoch) {
    GAN_CHECK(train.rows == train.cols, "classifier: images must be square, got ", train.rows, "x", train.cols);
    GAN_CHECK(test.channels == train.channels && test.rows == train.rows && test.cols == train.cols,
              "classifier: the test images are ", test.channels, "x", test.rows, "x", test.cols,
              ", the training images ", train.channels, "x", train.rows, "x", train.cols);
    ClassifierInput in;
    in.channels = train.channels;
    in.size = train.rows;
    pixel_moments(train, in.mean, in.stdev);
    auto c = classifier_build(o.c1, o.c2, in, train.class_names);
    train_classifier(*c, train, test, o, on_epoch);
    classifier_describe_input(*c);
    c->metadata["data"] = dataset_fingerprint(train);
    c->metadata["test_data"] = dataset_fingerprint(test);
    return c;
}

}  // namespace gan
