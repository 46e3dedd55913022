#include "metrics/classifier.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/check.h"
#include "io/safetensors.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "optim/adam.h"
#include "io/arena_io.h"

namespace gan {

std::unique_ptr<Classifier> classifier_build(int c1, int c2) {
    GAN_CHECK(c1 > 0 && c2 > 0 && c1 <= 1024 && c2 <= 1024, "classifier channels must be in [1, 1024]");
    auto c = std::make_unique<Classifier>();
    Sequential& f = c->features;
    f.add<Conv2d>(Conv2dOptions{.in = 1, .out = c1, .kernel = 5});   // 28 -> 24
    f.add_plain<Activation>(Act::relu);
    f.add_plain<MaxPool2d>(MaxPool2dOptions{2});                     // 24 -> 12
    f.add<Conv2d>(Conv2dOptions{.in = c1, .out = c2, .kernel = 5});  // 12 -> 8
    f.add_plain<Activation>(Act::relu);
    f.add_plain<MaxPool2d>(MaxPool2dOptions{2});                     // 8 -> 4
    f.add<Linear>(LinearOptions{c2 * 16, kClassifierFeatures});
    f.add_plain<Activation>(Act::relu);
    c->head.add<Linear>(LinearOptions{kClassifierFeatures, kClassifierClasses});
    GAN_CHECK(f.check_shapes({1, 1, 28, 28}) == (Shape{1, kClassifierFeatures, 1, 1}), "classifier shapes");
    c->head.check_shapes({1, kClassifierFeatures, 1, 1});
    c->metadata = {{"arch", "lenet"}, {"c1", std::to_string(c1)}, {"c2", std::to_string(c2)}};
    return c;
}

static void init_uniform_fan_in(Sequential& s, Rng& rng) {
    for (size_t i = 0; i < s.num_layers(); ++i) {
        size_t w = 0, b = 0, nw = 0, nb = 0;
        int fan_in = 0;
        if (auto* conv = dynamic_cast<Conv2d*>(&s.layer(i))) {
            w = conv->weight_offset(), b = conv->bias_offset(), fan_in = conv->fan_in();
            nw = size_t(fan_in) * conv->options().out, nb = conv->options().out;
        } else if (auto* lin = dynamic_cast<Linear*>(&s.layer(i))) {
            w = lin->weight_offset(), b = lin->bias_offset(), fan_in = lin->options().in;
            nw = size_t(fan_in) * lin->options().out, nb = lin->options().out;
        } else {
            continue;
        }
        const float a = 1.0f / std::sqrt(float(fan_in));
        for (size_t k = 0; k < nw; ++k) s.params.value(w)[k] = rng.uniform(-a, a);
        for (size_t k = 0; k < nb; ++k) s.params.value(b)[k] = rng.uniform(-a, a);
    }
}

void classifier_init(Classifier& c, Rng& rng) {
    init_uniform_fan_in(c.features, rng);
    init_uniform_fan_in(c.head, rng);
}

void classifier_input(Tensor& x, const uint8_t* pixels, int n) {
    x.resize({n, 1, 28, 28});
    float lut[256];
    for (int p = 0; p < 256; ++p) lut[p] = (float(p) / 255.0f - 0.1307f) / 0.3081f;
    for (size_t i = 0; i < x.size(); ++i) x[i] = lut[pixels[i]];
}

// Softmax cross-entropy averaged over the batch: returns the summed loss, writes dlogits = (p - onehot) / n
// and counts correct argmax predictions.
static double softmax_xent(const Tensor& logits, const uint8_t* labels, Tensor& dlogits, int& correct) {
    const int n = logits.shape.n, k = kClassifierClasses;
    dlogits.resize(logits.shape);
    double loss = 0;
    for (int i = 0; i < n; ++i) {
        const float* l = logits.data() + i * k;
        float* d = dlogits.data() + i * k;
        int arg = 0;
        for (int j = 1; j < k; ++j)
            if (l[j] > l[arg]) arg = j;
        correct += arg == labels[i];
        double sum = 0;
        for (int j = 0; j < k; ++j) sum += std::exp(double(l[j]) - l[arg]);
        loss += std::log(sum) - (double(l[labels[i]]) - l[arg]);
        for (int j = 0; j < k; ++j)
            d[j] = float((std::exp(double(l[j]) - l[arg]) / sum - (j == labels[i])) / n);
    }
    return loss;
}

static void check_images(const IdxImages& im, const std::string& what) {
    GAN_CHECK(im.rows == 28 && im.cols == 28, what, ": the classifier needs 28x28 images, got ", im.rows, "x",
              im.cols);
}

std::unique_ptr<Classifier> classifier_train(const Dataset& train, const Dataset& test, const ClassifierOptions& o,
                                             const std::function<void(const ClassifierEpoch&)>& on_epoch) {
    check_images(train.images, "training set");
    check_images(test.images, "test set");
    GAN_CHECK(o.epochs >= 1 && o.batch >= 1 && o.lr > 0, "classifier: epochs, batch and lr must be positive");
    for (uint8_t l : train.labels.labels) GAN_CHECK(l < kClassifierClasses, "training label ", int(l), " is not 0-9");
    auto c = classifier_build(o.c1, o.c2);
    Rng init_rng(o.seed, 1), data_rng(o.seed, 2);
    classifier_init(*c, init_rng);
    Adam opt_f(c->features.params, AdamOptions{.lr = o.lr}), opt_h(c->head.params, AdamOptions{.lr = o.lr});

    const int N = train.images.n, B = std::min(o.batch, N), steps = N / B;  // full batches only
    std::vector<uint32_t> perm(N);
    std::vector<uint8_t> px(size_t(B) * 784), lab(B);
    Tensor x, dlogits, dfeat;
    for (int e = 1; e <= o.epochs; ++e) {
        auto t0 = std::chrono::steady_clock::now();
        opt_f.options.lr = opt_h.options.lr = o.lr * std::pow(0.5f, float(e - 1));
        for (int i = 0; i < N; ++i) perm[i] = uint32_t(i);
        for (int i = N - 1; i > 0; --i) std::swap(perm[i], perm[data_rng.below(uint32_t(i + 1))]);
        double loss = 0;
        int correct = 0;
        c->features.set_training(true);
        c->head.set_training(true);
        for (int s = 0; s < steps; ++s) {
            for (int i = 0; i < B; ++i) {
                const uint32_t k = perm[size_t(s) * B + i];
                std::copy_n(train.images.pixels.data() + size_t(k) * 784, 784, px.data() + size_t(i) * 784);
                lab[i] = train.labels.labels[k];
            }
            classifier_input(x, px.data(), B);
            const Tensor& feat = c->features.forward(x);
            const Tensor& logits = c->head.forward(feat);
            loss += softmax_xent(logits, lab.data(), dlogits, correct);
            c->features.params.zero_grad();
            c->head.params.zero_grad();
            c->head.backward(dlogits, &dfeat);
            c->features.backward(dfeat, nullptr);
            opt_f.step();
            opt_h.step();
        }
        ClassifierEpoch r;
        r.epoch = e, r.epochs = o.epochs;
        r.loss = loss / (double(steps) * B);
        r.train_accuracy = double(correct) / (double(steps) * B);
        r.test_accuracy = classifier_accuracy(*c, test);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        c->metadata["test_accuracy"] = str(r.test_accuracy);
        if (on_epoch) on_epoch(r);
    }
    c->metadata["data"] = dataset_fingerprint(train);
    c->metadata["test_data"] = dataset_fingerprint(test);
    c->metadata["epochs"] = std::to_string(o.epochs);
    c->metadata["batch"] = std::to_string(o.batch);
    c->metadata["lr"] = str(o.lr);
    c->metadata["seed"] = std::to_string(o.seed);
    return c;
}

void classifier_run(Classifier& c, const uint8_t* pixels, size_t n, std::vector<float>* features,
                    std::vector<float>* probs, int batch) {
    GAN_CHECK(batch >= 1, "classifier batch must be positive");
    if (features) features->resize(n * kClassifierFeatures);
    if (probs) probs->resize(n * kClassifierClasses);
    c.features.set_training(false);
    c.head.set_training(false);
    Tensor x;
    for (size_t i0 = 0; i0 < n; i0 += size_t(batch)) {
        const int b = int(std::min<size_t>(size_t(batch), n - i0));
        classifier_input(x, pixels + i0 * 784, b);
        const Tensor& f = c.features.forward(x);
        if (features) std::copy_n(f.data(), size_t(b) * kClassifierFeatures, features->data() + i0 * kClassifierFeatures);
        if (!probs) continue;
        const Tensor& l = c.head.forward(f);
        for (int i = 0; i < b; ++i) {
            const float* li = l.data() + size_t(i) * kClassifierClasses;
            float* p = probs->data() + (i0 + i) * kClassifierClasses;
            float mx = li[0];
            for (int j = 1; j < kClassifierClasses; ++j) mx = std::max(mx, li[j]);
            double sum = 0;
            for (int j = 0; j < kClassifierClasses; ++j) sum += std::exp(double(li[j]) - mx);
            for (int j = 0; j < kClassifierClasses; ++j) p[j] = float(std::exp(double(li[j]) - mx) / sum);
        }
    }
    c.features.set_training(true);
    c.head.set_training(true);
}

double classifier_accuracy(Classifier& c, const Dataset& d) {
    check_images(d.images, "data");
    std::vector<float> probs;
    classifier_run(c, d.images.pixels.data(), size_t(d.images.n), nullptr, &probs);
    int correct = 0;
    for (int i = 0; i < d.images.n; ++i) {
        const float* p = probs.data() + size_t(i) * kClassifierClasses;
        int arg = 0;
        for (int j = 1; j < kClassifierClasses; ++j)
            if (p[j] > p[arg]) arg = j;
        correct += arg == d.labels.labels[i];
    }
    return double(correct) / d.images.n;
}

void classifier_save(const std::string& path, const Classifier& c) {
    std::vector<TensorView> views;
    arena_append_views(c.features.params, views);
    arena_append_views(c.head.params, views);
    safetensors_write(path, views, c.metadata);
}

static int meta_channels(const std::map<std::string, std::string>& m, const char* key, const std::string& path) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), path, ": metadata has no '", key, "' (not a gan.cpp classifier?)");
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    GAN_CHECK(end && *end == 0 && v >= 1 && v <= 1024, path, ": metadata '", key, "' is not a channel count");
    return int(v);
}

std::unique_ptr<Classifier> classifier_load(const std::string& path) {
    SafetensorsFile f = safetensors_read(path);
    auto arch = f.metadata.find("arch");
    GAN_CHECK(arch != f.metadata.end() && arch->second == "lenet", path, ": not a gan.cpp MNIST classifier");
    auto c = classifier_build(meta_channels(f.metadata, "c1", path), meta_channels(f.metadata, "c2", path));
    arena_load(c->features.params, f, path);
    arena_load(c->head.params, f, path);
    c->metadata = f.metadata;
    return c;
}

std::string dataset_fingerprint(const Dataset& d) {
    // FNV-1a over the sizes, labels and pixels.
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](uint8_t b) { h = (h ^ b) * 0x100000001b3ull; };
    for (int v : {d.images.n, d.images.rows, d.images.cols})
        for (int k = 0; k < 4; ++k) mix(uint8_t(v >> (8 * k)));
    for (uint8_t b : d.labels.labels) mix(b);
    for (uint8_t b : d.images.pixels) mix(b);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
    return std::string(buf, 12);
}

std::string cache_dir() {
    if (const char* g = std::getenv("GAN_CACHE"); g && *g) return g;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/gan.cpp";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/gan.cpp";
    return ".gan-cache";
}

std::string classifier_cache_path(const std::string& fingerprint) {
    return cache_dir() + "/mnist_classifier-" + fingerprint + ".safetensors";
}

}  // namespace gan
