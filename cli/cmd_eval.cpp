// gan eval --checkpoint FILE|RUN_DIR [--n 10000] | --samples FILE [--grid RxC]: how good are the
// digits? MNIST-FID, classifier score, class coverage, precision/recall/density/coverage and a
// memorisation check, in the feature space of the metrics classifier (src/metrics/evaluate.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "core/check.h"
#include "io/file.h"
#include "io/idx.h"
#include "io/npy.h"
#include "io/png.h"
#include "kernels/gemm.h"
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

void print_table(const gan::EvalResult& r, const gan::EvalReference& ref) {
    const auto& s = r.scores;
    std::printf("  %-58s %10.3f\n", "MNIST-FID vs test set (128-d classifier features; 0 = same)", r.fid);
    std::printf("  %-58s %10.3f\n", "classifier score exp(E KL(p(y|x) || p(y))) (1..10)", s.classifier_score);
    std::printf("  %-58s %7d/10\n", "classes covered (>= 2 % of samples each)", s.covered);
    std::printf("  %-58s %10.4f\n", "KL(class histogram || uniform) (0 = balanced)", s.kl_uniform);
    std::printf("  %-58s %10.3f\n", "precision (k=5; share of samples on the test manifold)", r.prdc.precision);
    std::printf("  %-58s %10.3f\n", "recall (k=5; share of test images on the sample manifold)", r.prdc.recall);
    std::printf("  %-58s %10.3f\n", "density (k=5; ~1 for real data)", r.prdc.density);
    std::printf("  %-58s %10.3f\n", "coverage (k=5; share of test images with a sample nearby)", r.prdc.coverage);
    std::printf("  %-58s %9.2f%%\n",
                gan::str("memorisation (nearer training than ", 100 - 100 * ref.memo.quantile, " % of test)").c_str(),
                100 * r.memo.share);
    std::printf("  %-58s %10.3f\n", "median nearest-training distance, samples / test images", r.memo.median_ratio);
    std::printf("  class histogram:");
    for (int c = 0; c < 10; ++c) std::printf(" %d:%.1f%%", c, 100 * s.share[c]);
    std::printf("\n");
}

void write_json(const std::string& path, const gan::EvalResult& r, const gan::EvalReference& ref,
                const std::string& source, const std::string& classifier, const std::vector<double>& digits) {
    nlohmann::json j;
    if (!digits.empty()) j["digit_accuracy"] = digits;
    j["source"] = source;
    j["n"] = r.n;
    j["classifier"] = classifier;
    j["fid"] = r.fid;
    j["classifier_score"] = r.scores.classifier_score;
    j["class_histogram"] = std::vector<double>(r.scores.share.begin(), r.scores.share.end());
    j["classes_covered"] = r.scores.covered;
    j["kl_uniform"] = r.scores.kl_uniform;
    j["k"] = ref.options.k;
    j["precision"] = r.prdc.precision;
    j["recall"] = r.prdc.recall;
    j["density"] = r.prdc.density;
    j["coverage"] = r.prdc.coverage;
    j["memorisation"] = r.memo.share;
    j["memorisation_quantile"] = ref.memo.quantile;
    j["nearest_train_distance_ratio"] = r.memo.median_ratio;
    j["seconds"] = r.seconds;
    gan::file_write_atomic(path, j.dump(2) + "\n");
}

// Conditional generators: draw n/K images of every class (running batch-norm statistics, as
// `gan sample --digit`) and return, per class d, the share the classifier labels d.
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
        const float* p = probs.data() + i * 10;
        int best = int(std::max_element(p, p + 10) - p);
        if (best == labels[i]) acc[size_t(labels[i])] += 1.0 / per;
    }
    return acc;
}

int run_eval(const EvalArgs& a) {
    GAN_CHECK(a.checkpoint.empty() != a.samples.empty(), "give exactly one of --checkpoint and --samples");
    GAN_CHECK(a.n >= 6 && a.n <= 1000000, "--n must be in [6, 1000000] (got ", a.n, ")");
    gan::blas_set_threads(a.threads);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<uint8_t> px;
    size_t n = 0;
    std::string source;
    gan::LoadedModel m;
    if (!a.checkpoint.empty()) {
        m = gan::checkpoint_load_model(a.checkpoint);
        const gan::ModelConfig& c = m.model->config;
        GAN_CHECK(c.channels == 1 && c.rows == 28 && c.cols == 28, m.path, ": the metrics need 28x28 grayscale images, "
                  "this generator makes ", c.channels, "x", c.rows, "x", c.cols);
        gan::Rng rng(a.seed, 11);
        gan::gan_generate(*m.model, a.n, rng, px);
        n = size_t(a.n);
        source = m.path;
    } else {
        px = read_samples(a, n);
        source = a.samples;
    }
    GAN_CHECK(n > size_t(a.k), "need more than k = ", a.k, " samples, got ", n);
    const std::string data = gan::mnist_dir_find(a.data);
    gan::Dataset train = gan::dataset_load(data, true), test = gan::dataset_load(data, false);
    auto log = [](const std::string& line) {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    };
    std::string classifier_path =
        a.classifier.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(train)) : a.classifier;
    auto classifier = gan::classifier_find_or_train(train, test, a.classifier, log);
    std::string acc = classifier->metadata.count("test_accuracy") ? classifier->metadata.at("test_accuracy") : "?";
    gan::EvalOptions opts;
    opts.k = a.k;
    gan::EvalReference ref = gan::eval_reference(std::move(classifier), &train, test, opts);
    gan::EvalResult r = gan::evaluate(ref, px.data(), n);
    std::vector<double> digits;
    if (m.model && m.model->config.conditional && m.model->config.num_classes == 10)
        digits = digit_accuracy(*m.model, *ref.classifier, a.n, a.seed);
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("gan eval: %zu samples from %s vs %zu test images of %s\n", n, source.c_str(), ref.n_test,
                data.c_str());
    std::printf("classifier: %s (test accuracy %.2f %%)\n", classifier_path.c_str(), 100 * std::atof(acc.c_str()));
    print_table(r, ref);
    if (!digits.empty()) {
        double mean = 0, worst = 1;
        for (double d : digits) mean += d / double(digits.size()), worst = std::min(worst, d);
        std::printf("  conditional: share of digit-d samples classified as d (mean %.2f %%, worst %.2f %%)\n   ",
                    100 * mean, 100 * worst);
        for (size_t d = 0; d < digits.size(); ++d) std::printf(" %zu:%.1f%%", d, 100 * digits[d]);
        std::printf("\n");
    }
    std::printf("(%.1f s in all, %.1f s for the samples' metrics)\n", total, r.seconds);
    if (!a.json.empty()) {
        write_json(a.json, r, ref, source, classifier_path, digits);
        std::printf("wrote %s\n", a.json.c_str());
    }
    return 0;
}

}  // namespace

Run add_eval(CLI::App& app) {
    auto a = std::make_shared<EvalArgs>();
    app.add_option("--checkpoint,-c", a->checkpoint, "Generator checkpoint or run directory: draws --n samples");
    app.add_option("--samples,-s", a->samples,
                   "Images to score instead: .npy (uint8 N x 28 x 28), a .png grid (with --grid) or an IDX file");
    app.add_option("--grid", a->grid, "Rows x columns of the PNG grid, e.g. 8x8");
    app.add_option("--n,-n", a->n, "Samples drawn from the checkpoint")->capture_default_str();
    app.add_option("--seed", a->seed, "Seed of the latent draws")->capture_default_str();
    app.add_option("--json", a->json, "Also write the figures to this JSON file");
    app.add_option("--data", a->data, "MNIST folder (test set = reference, training set = memorisation check); "
                                      "default: ./data/mnist, else the per-user cache ~/.cache/gan.cpp/mnist "
                                      "($XDG_CACHE_HOME/gan.cpp/mnist), which scripts/fetch_mnist.sh --cache fills");
    app.add_option("--classifier", a->classifier,
                   "Classifier weights (default: the cache, trained on first use; see `gan classifier train`)");
    app.add_option("--k", a->k, "Neighbours for precision/recall/density/coverage")->capture_default_str()->check(
        CLI::Range(1, 100));
    app.add_option("--threads", a->threads, "BLAS threads")->capture_default_str()->check(CLI::Range(0, 256));
    return [a] { return run_eval(*a); };
}

}  // namespace gan_cli
