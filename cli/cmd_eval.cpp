// gan eval --checkpoint FILE|RUN_DIR [--n 10000] | --samples FILE [--grid RxC] [--data DIR]: how good
// are the samples? FID, classifier score, class coverage, precision/recall/density/coverage and a
// memorisation check, in the feature space of the metrics classifier (src/metrics/evaluate.h):
// MNIST's, or for an image folder or CIFAR-10 set (--data) one trained on its classes; for a folder
// without classes, pixel features and no class scores.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/npy.h"
#include "io/png.h"
#include "backend/backend.h"
#include "train/eval_data.h"
#include "metrics/evaluate.h"
#include "train/checkpoint.h"

namespace gan_cli {

namespace {

struct EvalArgs {
    std::string checkpoint, samples, grid, json, data, classifier;  // data "": searched (mnist_dir_find)
    int n = 10000;
    uint64_t seed = 0;
    int threads = 1;
    int k = 5;
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// 28x28 uint8 images from .npy (N,28,28 / N,784 / N,1,28,28), a PNG grid (--grid RxC) or IDX.
std::vector<uint8_t> read_samples(const EvalArgs& a, size_t& n) {
    std::vector<uint8_t> px;
    if (ends_with(a.samples, ".npy")) {
        gan::NpyU8 f = gan::npy_read_u8(a.samples);
        const auto& s = f.shape;
        bool ok = (s.size() == 3 && s[1] == 28 && s[2] == 28) || (s.size() == 2 && s[1] == 784) ||
                  (s.size() == 4 && s[1] == 1 && s[2] == 28 && s[3] == 28);
        GAN_CHECK(ok, a.samples, ": expected uint8 images of shape (N, 28, 28), (N, 784) or (N, 1, 28, 28)");
        n = size_t(s[0]);
        px = std::move(f.data);
    } else if (ends_with(a.samples, ".png")) {
        GAN_CHECK(!a.grid.empty(), a.samples, ": a PNG grid needs --grid ROWSxCOLS");
        int rows = 0, cols = 0;
        char x = 0, extra = 0;
        GAN_CHECK(std::sscanf(a.grid.c_str(), "%d%c%d%c", &rows, &x, &cols, &extra) == 3 && (x == 'x' || x == 'X') &&
                      rows >= 1 && cols >= 1,
                  "--grid must look like 8x8 (rows x columns), got '", a.grid, "'");
        px = gan::grid_split(gan::png_read_gray(a.samples), rows, cols, 28, 28);
        n = size_t(rows) * cols;
    } else {
        gan::IdxImages im = gan::idx_read_images(a.samples);
        GAN_CHECK(im.rows == 28 && im.cols == 28, a.samples, ": expected 28x28 images, got ", im.rows, "x", im.cols);
        n = size_t(im.n);
        px = std::move(im.pixels);
    }
    return px;
}

// What the report calls the reference and the features.
struct ReportNames {
    std::string fid = "MNIST-FID vs test set (128-d classifier features; 0 = same)";
    std::string test = "test";  // "test images", "held-out images"
};

void print_row(const std::string& name, double v, const char* fmt = "%10.3f") {
    std::printf("  %-62s ", name.c_str());
    std::printf(fmt, v);
    std::printf("\n");
}

void print_classes(const gan::EvalResult& r, const gan::Classifier& c) {
    const auto& s = r.scores;
    const int K = c.classes();
    print_row(gan::str("classifier score exp(E KL(p(y|x) || p(y))) (1..", K, ")"), s.classifier_score);
    std::printf("  %-62s %7d/%d\n", "classes covered (>= 2 % of samples each)", s.covered, K);
    print_row("KL(class histogram || uniform) (0 = balanced)", s.kl_uniform, "%10.4f");
}

void print_table(const gan::EvalResult& r, const gan::EvalReference& ref, const ReportNames& names) {
    print_row(names.fid, r.fid);
    if (r.has_classes) print_classes(r, *ref.classifier);
    const std::string& t = names.test;
    print_row(gan::str("precision (k=", ref.options.k, "; share of samples on the ", t, " manifold)"), r.prdc.precision);
    // A generator that draws a few images over and over scores high precision: say so beside it.
    if (r.prdc.precision >= 0.5 && std::min(r.prdc.recall, r.prdc.coverage) < 0.2)
        std::printf("    (with recall %.3f and coverage %.3f: the samples sit on a few modes of the data, as a "
                    "collapsed generator's do)\n",
                    r.prdc.recall, r.prdc.coverage);
    print_row(gan::str("recall (k=", ref.options.k, "; share of ", t, " images on the sample manifold)"),
              r.prdc.recall);
    print_row(gan::str("density (k=", ref.options.k, "; ~1 for real data)"), r.prdc.density);
    print_row(gan::str("coverage (k=", ref.options.k, "; share of ", t, " images with a sample nearby)"),
              r.prdc.coverage);
    print_row(gan::str("memorisation (nearer training than ", 100 - 100 * ref.memo.quantile, " % of ", t, ")"),
              100 * r.memo.share, "%9.2f%%");
    print_row(gan::str("median nearest-training distance, samples / ", t, " images"), r.memo.median_ratio);
    if (!r.has_classes) {
        std::printf("  not computed: classifier score, classes covered, class histogram (the data has no classes: "
                    "give an image folder one subfolder per class, or --classifier)\n");
        return;
    }
    std::printf("  class histogram:");
    for (int c = 0; c < ref.classifier->classes(); ++c)
        std::printf(" %s:%.1f%%", ref.classifier->class_names[size_t(c)].c_str(), 100 * r.scores.share[size_t(c)]);
    std::printf("\n");
}

// Conditional generators whose classes are the classifier's: draw n/K images of every class (running
// batch-norm statistics, as `gan sample --digit`) and return, per class d, the share the classifier
// labels d.
std::vector<double> digit_accuracy(gan::GanModel& model, gan::Classifier& classifier, int n, uint64_t seed) {
    const int K = model.config.num_classes, per = std::max(1, n / K);
    std::vector<int> labels;
    for (int i = 0; i < per * K; ++i) labels.push_back(i / per);
    gan::Rng rng(seed, 12);
    std::vector<uint8_t> px;
    gan::gan_generate(model, int(labels.size()), rng, px, labels.data(), false);
    std::vector<float> probs;
    gan::classifier_run(classifier, px.data(), labels.size(), nullptr, &probs);
    std::vector<double> acc(size_t(K), 0.0);
    for (size_t i = 0; i < labels.size(); ++i) {
        const float* p = probs.data() + i * size_t(K);
        int best = int(std::max_element(p, p + K) - p);
        if (best == labels[i]) acc[size_t(labels[i])] += 1.0 / per;
    }
    return acc;
}

// What the samples are: drawn from the checkpoint or read from --samples.
struct Samples {
    std::vector<uint8_t> px;
    size_t n = 0;
    int channels = 1, size = 28;  // shape of each image (CHW)
    std::string source;
    gan::LoadedModel m;
};

// .npy samples of any square shape: (N, S, S) gray or (N, S, S, 3) colour (as `gan sample --out`
// writes them), returned planar (CHW).
void read_image_samples(const std::string& path, Samples& s) {
    GAN_CHECK(ends_with(path, ".npy"), path, ": with an image folder or CIFAR-10 as --data, samples must be .npy "
              "(N, S, S) or (N, S, S, 3), as `gan sample --out X.npy` writes them");
    gan::NpyU8 f = gan::npy_read_u8(path);
    const auto& sh = f.shape;
    const bool gray = sh.size() == 3, colour = sh.size() == 4 && sh[3] == 3;
    GAN_CHECK((gray || colour) && sh[1] == sh[2] && sh[1] >= 1, path,
              ": expected uint8 images of shape (N, S, S) or (N, S, S, 3)");
    s.n = size_t(sh[0]), s.channels = gray ? 1 : 3, s.size = int(sh[1]);
    const size_t plane = size_t(s.size) * size_t(s.size), C = size_t(s.channels);
    s.px.resize(s.n * C * plane);
    for (size_t i = 0; i < s.n; ++i)
        for (size_t p = 0; p < plane; ++p)
            for (size_t c = 0; c < C; ++c) s.px[(i * C + c) * plane + p] = f.data[(i * plane + p) * C + c];
    s.source = path;
}

Samples get_samples(const EvalArgs& a, bool mnist) {
    Samples s;
    if (!a.checkpoint.empty()) {
        s.m = gan::checkpoint_load_model(a.checkpoint);
        const gan::ModelConfig& c = s.m.model->config;
        GAN_CHECK(!mnist || (c.channels == 1 && c.rows == 28 && c.cols == 28), s.m.path,
                  ": the MNIST metrics need 28x28 grayscale images, this generator makes ", c.channels, "x", c.rows,
                  "x", c.cols, " (give --data the folder it was trained on)");
        GAN_CHECK(c.rows == c.cols, s.m.path, ": the metrics need square images, this generator makes ", c.rows, "x",
                  c.cols);
        gan::Rng rng(a.seed, 11);
        gan::gan_generate(*s.m.model, a.n, rng, s.px);
        s.n = size_t(a.n), s.channels = c.channels, s.size = c.rows;
        s.source = s.m.path;
    } else if (mnist) {
        s.px = read_samples(a, s.n);
        s.source = a.samples;
    } else {
        read_image_samples(a.samples, s);
    }
    GAN_CHECK(s.n > size_t(a.k), "need more than k = ", a.k, " samples, got ", s.n);
    return s;
}

void log_line(const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

// The report and the JSON file, for MNIST and other data alike.
int report(const EvalArgs& a, Samples& s, gan::EvalReference& ref, const ReportNames& names,
           const std::string& data, const std::string& classifier_path,
           std::chrono::steady_clock::time_point t0) {
    gan::EvalResult r = gan::evaluate(ref, s.px.data(), s.n);
    std::vector<double> digits;
    const gan::ModelConfig* mc = s.m.model ? &s.m.model->config : nullptr;
    if (mc && mc->conditional && ref.classifier && mc->num_classes == ref.classifier->classes())
        digits = digit_accuracy(*s.m.model, *ref.classifier, a.n, a.seed);
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("gan eval: %zu samples from %s vs %zu %s images of %s\n", s.n, s.source.c_str(), ref.n_test,
                names.test.c_str(), data.c_str());
    if (ref.classifier) {
        const auto& meta = ref.classifier->metadata;
        const double acc = meta.count("test_accuracy") ? std::atof(meta.at("test_accuracy").c_str()) : 0;
        std::printf("classifier: %s (test accuracy %.2f %%%s)\n", classifier_path.c_str(), 100 * acc,
                    gan::classifier_near_chance(acc, ref.classifier->classes())
                        ? gan::str("; about chance for ", ref.classifier->classes(), " classes: its features "
                                   "and class scores say little").c_str()
                        : "");
    } else {
        std::printf("features: %d-d pixel means over an %dx%d grid (no classifier: the data has no classes)\n",
                    ref.dim, gan::kPixelFeatureGrid, gan::kPixelFeatureGrid);
    }
    print_table(r, ref, names);
    if (!digits.empty()) {
        double mean = 0, worst = 1;
        for (double d : digits) mean += d / double(digits.size()), worst = std::min(worst, d);
        std::printf("  conditional: share of class-d samples classified as d (mean %.2f %%, worst %.2f %%)\n   ",
                    100 * mean, 100 * worst);
        for (size_t d = 0; d < digits.size(); ++d)
            std::printf(" %s:%.1f%%", ref.classifier->class_names[d].c_str(), 100 * digits[d]);
        std::printf("\n");
    }
    std::printf("(%.1f s in all, %.1f s for the samples' metrics)\n", total, r.seconds);
    if (!a.json.empty()) {
        gan::file_write_atomic(a.json, gan::eval_json(r, ref, s.source, classifier_path, digits));
        std::printf("wrote %s\n", a.json.c_str());
    }
    return 0;
}

int run_eval_mnist(const EvalArgs& a, std::chrono::steady_clock::time_point t0) {
    Samples s = get_samples(a, true);
    const std::string data = gan::mnist_dir_find(a.data);
    gan::Dataset train = gan::dataset_load(data, true), test = gan::dataset_load(data, false);
    std::string classifier_path =
        a.classifier.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(train)) : a.classifier;
    auto classifier = gan::classifier_find_or_train(train, test, a.classifier, log_line);
    gan::EvalOptions opts;
    opts.k = a.k;
    gan::EvalReference ref = gan::eval_reference(std::move(classifier), &train, test, opts);
    return report(a, s, ref, ReportNames{}, data, classifier_path, t0);
}

// An image folder or CIFAR-10 set: the classifier given (it must take the samples' shape), else one
// found or trained for the data's classes, else (no classes) pixel features.
int run_eval_images(const EvalArgs& a, std::chrono::steady_clock::time_point t0) {
    Samples s = get_samples(a, false);
    const std::string shape = gan::str(s.channels, "x", s.size, "x", s.size);
    std::unique_ptr<gan::Classifier> classifier;
    if (!a.classifier.empty()) {
        classifier = gan::classifier_load(a.classifier);
        GAN_CHECK(classifier->input.channels == s.channels && classifier->input.size == s.size, a.classifier,
                  ": the classifier takes ", gan::to_string(classifier->input), " images, ",
                  s.m.model ? "the generator makes " : "the samples are ", shape,
                  " (train one on these with `gan classifier train --image-size ", s.size, " --channels ",
                  s.channels, "`)");
    }
    gan::EvalData d = gan::load_eval_data(a.data, s.channels, s.size, nullptr, std::max(1, a.threads));
    // A folder has no test set: its held-out tenth is the reference, of which the neighbour metrics need k + 1.
    GAN_CHECK(d.format != gan::DataFormat::image_folder || d.test.n > a.k, a.data, ": ", d.train.n + d.test.n,
              " images, of which ", d.test.n, " (every ", gan::kHeldOutEvery, "th of each class) are held out as the "
              "reference; precision, recall, density and coverage need more than --k ", a.k, " of them: give a "
              "folder of about ", gan::kHeldOutEvery * (a.k + 1), " images or more, or a smaller --k");
    std::string classifier_path = a.classifier;
    if (!classifier && d.labelled()) {
        classifier_path = gan::classifier_cache_path(gan::dataset_fingerprint(d.train), "images");
        classifier = gan::classifier_find_or_train(d.train, d.test, "", log_line);
    }
    gan::EvalOptions opts;
    opts.k = a.k;
    gan::EvalReference ref = gan::eval_reference(std::move(classifier), &d.train, d.test, opts);
    ReportNames names;
    names.test = d.format == gan::DataFormat::image_folder ? "held-out" : "test";
    names.fid = ref.classifier ? gan::str("FID vs ", names.test, " images (128-d classifier features; 0 = same)")
                               : gan::str("FID vs ", names.test, " images (", ref.dim, "-d pixel features; 0 = same)");
    return report(a, s, ref, names, a.data, classifier_path, t0);
}

int run_eval(const EvalArgs& a) {
    GAN_CHECK(a.checkpoint.empty() != a.samples.empty(), "give exactly one of --checkpoint and --samples");
    GAN_CHECK(a.n >= 6 && a.n <= 1000000, "--n must be in [6, 1000000] (got ", a.n, ")");
    gan::set_library_threads(a.threads);
    auto t0 = std::chrono::steady_clock::now();
    if (!a.data.empty() && !gan::is_mnist_folder(a.data)) return run_eval_images(a, t0);
    return run_eval_mnist(a, t0);
}

}  // namespace

Run add_eval(CLI::App& app) {
    auto a = std::make_shared<EvalArgs>();
    app.add_option("--checkpoint,-c", a->checkpoint, "Generator checkpoint or run directory: draws --n samples");
    app.add_option("--samples,-s", a->samples,
                   "Images to score instead: .npy (uint8 N x 28 x 28), a .png grid (with --grid) or an IDX file; "
                   "with an image folder or CIFAR-10 as --data, .npy (N x S x S or N x S x S x 3)");
    app.add_option("--grid", a->grid, "Rows x columns of the PNG grid, e.g. 8x8");
    app.add_option("--n,-n", a->n, "Samples drawn from the checkpoint")->capture_default_str();
    app.add_option("--seed", a->seed, "Seed of the latent draws")->capture_default_str();
    app.add_option("--json", a->json, "Also write the figures to this JSON file");
    app.add_option("--data", a->data, "MNIST folder (test set = reference, training set = memorisation check); "
                                      "default: ./data/mnist, else the per-user cache ~/.cache/gan.cpp/mnist "
                                      "($XDG_CACHE_HOME/gan.cpp/mnist), which gan fetch mnist --cache fills. "
                                      "Or the image folder or CIFAR-10 folder the model was trained on: with one "
                                      "subfolder per class (at least 2), every metric, in the features of a "
                                      "classifier of those classes, every tenth image of each class held out as the "
                                      "reference; without subfolders, no classifier score, class coverage or "
                                      "histogram, and FID, precision/recall/density/coverage and memorisation in "
                                      "pixel features (each channel's means over an 8x8 grid)");
    app.add_option("--classifier", a->classifier,
                   "Classifier weights (default: the cache, trained on first use; see `gan classifier train`); "
                   "it must take the generator's image shape");
    app.add_option("--k", a->k, "Neighbours for precision/recall/density/coverage")->capture_default_str()->check(
        CLI::Range(1, 100));
    app.add_option("--threads", a->threads, "BLAS threads")->capture_default_str()->check(CLI::Range(0, 256));
    return [a] { return run_eval(*a); };
}

}  // namespace gan_cli
