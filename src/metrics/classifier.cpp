#include "metrics/classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/check.h"
#include "io/safetensors.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/pool.h"
#include "io/arena_io.h"

#include <nlohmann/json.hpp>

namespace gan {

std::string to_string(const ClassifierInput& in) { return str(in.channels, "x", in.size, "x", in.size); }

std::unique_ptr<Classifier> classifier_build(int c1, int c2) {
    return classifier_build(c1, c2, ClassifierInput{}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

std::unique_ptr<Classifier> classifier_build(int c1, int c2, const ClassifierInput& in,
                                             std::vector<std::string> class_names) {
    GAN_CHECK(c1 > 0 && c2 > 0 && c1 <= 1024 && c2 <= 1024, "classifier channels must be in [1, 1024]");
    GAN_CHECK(in.channels >= 1 && in.channels <= 4, "classifier: images must have 1 to 4 channels, not ",
              in.channels);
    GAN_CHECK(in.size >= 16 && in.size <= 1024, "classifier: images must be 16x16 to 1024x1024, not ", in.size, "x",
              in.size);
    GAN_CHECK(in.stdev > 0, "classifier: the input's standard deviation must be positive");
    GAN_CHECK(class_names.size() >= 2 && class_names.size() <= 100000, "classifier: needs at least 2 classes, got ",
              class_names.size());
    const int s1 = (in.size - 4) / 2, s2 = (s1 - 4) / 2;  // after each unpadded conv5x5 and maxpool2
    auto c = std::make_unique<Classifier>();
    Sequential& f = c->features;
    f.add<Conv2d>(Conv2dOptions{.in = in.channels, .out = c1, .kernel = 5});  // MNIST: 28 -> 24
    f.add_plain<Activation>(Act::relu);
    f.add_plain<MaxPool2d>(MaxPool2dOptions{2});                                // 24 -> 12
    f.add<Conv2d>(Conv2dOptions{.in = c1, .out = c2, .kernel = 5});             // 12 -> 8
    f.add_plain<Activation>(Act::relu);
    f.add_plain<MaxPool2d>(MaxPool2dOptions{2});                                // 8 -> 4
    f.add<Linear>(LinearOptions{c2 * s2 * s2, kClassifierFeatures});
    f.add_plain<Activation>(Act::relu);
    const int k = int(class_names.size());
    c->head.add<Linear>(LinearOptions{kClassifierFeatures, k});
    GAN_CHECK(f.check_shapes({1, in.channels, in.size, in.size}) == (Shape{1, kClassifierFeatures, 1, 1}),
              "classifier shapes");
    c->head.check_shapes({1, kClassifierFeatures, 1, 1});
    c->input = in;
    c->class_names = std::move(class_names);
    c->metadata = {{"arch", "lenet"}, {"c1", std::to_string(c1)}, {"c2", std::to_string(c2)}};
    return c;
}

// PyTorch's default for Conv2d and Linear: weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), where
// fan_in is the weight's size per output unit; from the parameter table, in layer order (a layer's
// bias follows its weight).
static void init_uniform_fan_in(Sequential& s, Rng& rng) {
    int fan_in = 1;
    for (const ParamInfo& p : s.params.params()) {
        if (p.shape.size() >= 2) fan_in = int(p.size / size_t(p.shape[0]));  // a weight (OUT, IN, ...)
        const float a = 1.0f / std::sqrt(float(fan_in));
        float* v = s.params.value(p.offset);
        for (size_t k = 0; k < p.size; ++k) v[k] = rng.uniform(-a, a);
    }
}

void classifier_init(Classifier& c, Rng& rng) {
    init_uniform_fan_in(c.features, rng);
    init_uniform_fan_in(c.head, rng);
}

void classifier_input(Tensor& x, const uint8_t* pixels, int n, const ClassifierInput& in) {
    x.resize({n, in.channels, in.size, in.size});
    float lut[256];
    for (int p = 0; p < 256; ++p) lut[p] = (float(p) / 255.0f - in.mean) / in.stdev;
    for (size_t i = 0; i < x.size(); ++i) x[i] = lut[pixels[i]];
}

void classifier_run(Classifier& c, const uint8_t* pixels, size_t n, std::vector<float>* features,
                    std::vector<float>* probs, int batch) {
    GAN_CHECK(batch >= 1, "classifier batch must be positive");
    const int K = c.classes();
    const size_t image = size_t(c.input.channels) * size_t(c.input.size) * size_t(c.input.size);
    if (features) features->resize(n * kClassifierFeatures);
    if (probs) probs->resize(n * size_t(K));
    c.features.set_training(false);
    c.head.set_training(false);
    Tensor x;
    for (size_t i0 = 0; i0 < n; i0 += size_t(batch)) {
        const int b = int(std::min<size_t>(size_t(batch), n - i0));
        classifier_input(x, pixels + i0 * image, b, c.input);
        const Tensor& f = c.features.forward(x);
        if (features) std::copy_n(f.data(), size_t(b) * kClassifierFeatures, features->data() + i0 * kClassifierFeatures);
        if (!probs) continue;
        const Tensor& l = c.head.forward(f);
        for (int i = 0; i < b; ++i) {
            const float* li = l.data() + size_t(i) * K;
            float* p = probs->data() + (i0 + i) * K;
            float mx = li[0];
            for (int j = 1; j < K; ++j) mx = std::max(mx, li[j]);
            double sum = 0;
            for (int j = 0; j < K; ++j) sum += std::exp(double(li[j]) - mx);
            for (int j = 0; j < K; ++j) p[j] = float(std::exp(double(li[j]) - mx) / sum);
        }
    }
    c.features.set_training(true);
    c.head.set_training(true);
}

bool classifier_near_chance(double accuracy, int classes) {
    const double chance = 1.0 / std::max(1, classes);
    return accuracy < chance + 0.1 * (1 - chance);
}

double classifier_accuracy(Classifier& c, const ImageSet& d) {
    GAN_CHECK(d.channels == c.input.channels && d.rows == c.input.size && d.cols == c.input.size,
              "data: the classifier takes ", to_string(c.input), " images, got ", d.channels, "x", d.rows, "x",
              d.cols);
    GAN_CHECK(d.n >= 1, "data: no images");
    std::vector<float> probs;
    classifier_run(c, d.pixels(), size_t(d.n), nullptr, &probs);
    const int K = c.classes();
    int correct = 0;
    for (int i = 0; i < d.n; ++i) {
        const float* p = probs.data() + size_t(i) * K;
        correct += int(std::max_element(p, p + K) - p) == d.labels[size_t(i)];
    }
    return double(correct) / d.n;
}

double classifier_accuracy(Classifier& c, const Dataset& d) {
    GAN_CHECK(d.images.rows == c.input.size && d.images.cols == c.input.size && c.input.channels == 1,
              "data: the classifier takes ", to_string(c.input), " images, got 1x", d.images.rows, "x", d.images.cols);
    return classifier_accuracy(c, image_set_from_idx(d));
}

void classifier_save(const std::string& path, const Classifier& c) {
    std::vector<TensorView> views;
    arena_append_views(c.features.params, views);
    arena_append_views(c.head.params, views);
    safetensors_write(path, views, c.metadata);
}

namespace {

using Meta = std::map<std::string, std::string>;

long meta_int(const Meta& m, const char* key, const std::string& path, long lo, long hi) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), path, ": metadata has no '", key, "' (not a gan.cpp classifier?)");
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    GAN_CHECK(end && *end == 0 && v >= lo && v <= hi, path, ": metadata '", key, "' is not an integer in [", lo,
              ", ", hi, "]");
    return v;
}

float meta_float(const Meta& m, const char* key, const std::string& path) {
    auto it = m.find(key);
    GAN_CHECK(it != m.end(), path, ": metadata has no '", key, "'");
    char* end = nullptr;
    float v = std::strtof(it->second.c_str(), &end);
    GAN_CHECK(end && *end == 0 && std::isfinite(v), path, ": metadata '", key, "' is not a number");
    return v;
}

// The input and class names a file records; MNIST's when it records none.
void meta_input(const Meta& m, const std::string& path, ClassifierInput& in, std::vector<std::string>& names) {
    if (!m.count("image_size")) return;
    in.channels = int(meta_int(m, "channels", path, 1, 4));
    in.size = int(meta_int(m, "image_size", path, 16, 1024));
    in.mean = meta_float(m, "input_mean", path);
    in.stdev = meta_float(m, "input_std", path);
    auto it = m.find("classes");
    GAN_CHECK(it != m.end(), path, ": metadata has no 'classes'");
    nlohmann::json j = nlohmann::json::parse(it->second, nullptr, false);
    GAN_CHECK(j.is_array(), path, ": metadata 'classes' is not a JSON list");
    names.clear();
    for (const auto& e : j) {
        GAN_CHECK(e.is_string(), path, ": metadata 'classes' holds a non-string");
        names.push_back(e.get<std::string>());
    }
}

// A float in decimal that strtof reads back exactly (9 significant digits).
std::string exact(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", double(v));
    return buf;
}

}  // namespace

void classifier_describe_input(Classifier& c) {
    c.metadata["channels"] = std::to_string(c.input.channels);
    c.metadata["image_size"] = std::to_string(c.input.size);
    c.metadata["input_mean"] = exact(c.input.mean);
    c.metadata["input_std"] = exact(c.input.stdev);
    c.metadata["classes"] = nlohmann::json(c.class_names).dump();
}

std::unique_ptr<Classifier> classifier_load(const std::string& path) {
    SafetensorsFile f = safetensors_read(path);
    auto arch = f.metadata.find("arch");
    GAN_CHECK(arch != f.metadata.end() && arch->second == "lenet", path, ": not a gan.cpp metrics classifier");
    ClassifierInput in;
    std::vector<std::string> names = classifier_build(1, 1)->class_names;
    meta_input(f.metadata, path, in, names);
    auto c = classifier_build(int(meta_int(f.metadata, "c1", path, 1, 1024)),
                              int(meta_int(f.metadata, "c2", path, 1, 1024)), in, std::move(names));
    arena_load(c->features.params, f, path);
    arena_load(c->head.params, f, path);
    c->metadata = f.metadata;
    return c;
}

namespace {

// FNV-1a, 48 bits as 12 hex digits.
struct Fnv {
    uint64_t h = 0xcbf29ce484222325ull;
    void byte(uint8_t b) { h = (h ^ b) * 0x100000001b3ull; }
    void int32(int v) {
        for (int k = 0; k < 4; ++k) byte(uint8_t(v >> (8 * k)));
    }
    void bytes(const uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; ++i) byte(p[i]);
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", (unsigned long long)h);
        return std::string(buf, 12);
    }
};

}  // namespace

std::string dataset_fingerprint(const Dataset& d) {
    Fnv f;  // over the sizes, labels and pixels
    for (int v : {d.images.n, d.images.rows, d.images.cols}) f.int32(v);
    f.bytes(d.labels.labels.data(), d.labels.labels.size());
    f.bytes(d.images.pixels.data(), d.images.pixels.size());
    return f.hex();
}

std::string dataset_fingerprint(const ImageSet& d) {
    Fnv f;  // over the shape, class names, labels and pixels
    for (int v : {d.n, d.channels, d.rows, d.cols, int(d.class_names.size())}) f.int32(v);
    for (const std::string& name : d.class_names) {
        f.int32(int(name.size()));
        f.bytes(reinterpret_cast<const uint8_t*>(name.data()), name.size());
    }
    for (int32_t l : d.labels) f.int32(l);
    f.bytes(d.pixels(), d.total_bytes());
    return f.hex();
}

std::string cache_dir() {
    if (const char* g = std::getenv("GAN_CACHE"); g && *g) return g;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/gan.cpp";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/gan.cpp";
    return ".gan-cache";
}

std::string classifier_cache_path(const std::string& fingerprint, const std::string& prefix) {
    return cache_dir() + "/" + prefix + "_classifier-" + fingerprint + ".safetensors";
}

}  // namespace gan
