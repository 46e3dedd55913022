// gancpp.evaluate(images, data=...): `gan eval --samples` for images in memory. The figures are those
// `gan eval --json` writes, as a dict.
#include <pybind11/stl.h>

#include <memory>

#include "arrays.h"
#include "backend/backend.h"
#include "core/check.h"
#include "gancpp.h"
#include "io/idx.h"
#include "metrics/evaluate.h"
#include "train/eval_data.h"

namespace gancpp {

namespace {

struct Reference {
    gan::EvalReference ref;
    std::string data, classifier;  // where they came from ("" classifier: pixel features)
};

// MNIST: its classifier (the given file, else the cache, trained on first use) and its test set.
Reference mnist_reference(const std::string& data_dir, const std::string& classifier, const gan::EvalOptions& o,
                          const std::function<void(const std::string&)>& log) {
    Reference r;
    r.data = gan::mnist_dir_find(data_dir);
    gan::Dataset train = gan::dataset_load(r.data, true), test = gan::dataset_load(r.data, false);
    r.classifier = classifier.empty() ? gan::classifier_cache_path(gan::dataset_fingerprint(train)) : classifier;
    r.ref = gan::eval_reference(gan::classifier_find_or_train(train, test, classifier, log), &train, test, o);
    return r;
}

// An image folder or CIFAR-10: the classifier given (it must take the images' shape), else one found or
// trained for the data's classes, else (no classes) pixel features.
Reference images_reference(const std::string& data_dir, const std::string& classifier, const ImagesShape& s,
                           const gan::EvalOptions& o, int threads, const std::function<void(const std::string&)>& log) {
    GAN_CHECK(s.rows == s.cols, "images: the metrics need square images, got ", s.rows, "x", s.cols);
    Reference r;
    r.data = data_dir;
    std::unique_ptr<gan::Classifier> c;
    if (!classifier.empty()) {
        c = gan::classifier_load(classifier);
        GAN_CHECK(c->input.channels == s.channels && c->input.size == s.rows, classifier, ": the classifier takes ",
                  gan::to_string(c->input), " images, the images are ", s.channels, "x", s.rows, "x", s.cols);
    }
    gan::EvalData d = gan::load_eval_data(data_dir, s.channels, s.rows, nullptr, std::max(1, threads));
    r.classifier = classifier;
    if (!c && d.labelled()) {
        r.classifier = gan::classifier_cache_path(gan::dataset_fingerprint(d.train), "images");
        c = gan::classifier_find_or_train(d.train, d.test, "", log);
    }
    r.ref = gan::eval_reference(std::move(c), &d.train, d.test, o);
    return r;
}

// The keys and values of `gan eval --json` (less digit_accuracy, which needs a generator), with the
// samples' source named "data".
py::dict result_dict(const gan::EvalResult& e, const Reference& r) {
    py::dict d = py::module_::import("json").attr("loads")(gan::eval_json(e, r.ref, r.data, r.classifier));
    d["data"] = d.attr("pop")("source");
    return d;
}

py::dict evaluate(const py::array& images, const py::object& data, const py::object& classifier, int k, int threads) {
    const ImagesShape s = check_images(images, "images");
    if (k < 1 || k > 100) throw py::value_error(gan::str("k must be in [1, 100] (got ", k, ")"));
    if (threads < 0 || threads > 256) throw py::value_error(gan::str("threads must be in [0, 256] (got ", threads, ")"));
    if (s.n <= k) throw py::value_error(gan::str("images: need more than k = ", k, " images, got ", s.n));
    const std::string data_dir = data.is_none() ? "" : fspath(data);
    const std::string classifier_path = classifier.is_none() ? "" : fspath(classifier);
    const bool mnist = data_dir.empty() || gan::is_mnist_folder(data_dir);
    if (mnist && (s.channels != 1 || s.rows != 28 || s.cols != 28))
        throw py::value_error(gan::str("images: the MNIST metrics need 28x28 grayscale images (N, 28, 28), got ",
                                       s.n, " of ", s.rows, "x", s.cols, "x", s.channels,
                                       " (give data= the folder they were trained on)"));
    const std::vector<uint8_t> px = images_to_planar(images, s);
    const auto log = python_log();
    Reference r;
    gan::EvalResult e;
    {
        py::gil_scoped_release free;
        gan::set_library_threads(threads);
        gan::EvalOptions o;
        o.k = k;
        r = mnist ? mnist_reference(data_dir, classifier_path, o, log)
                  : images_reference(data_dir, classifier_path, s, o, threads, log);
        e = gan::evaluate(r.ref, px.data(), size_t(s.n));
    }
    return result_dict(e, r);
}

}  // namespace

void add_evaluate(py::module_& m) {
    m.def("evaluate", &evaluate, py::arg("images"), py::kw_only(), py::arg("data") = py::none(),
          py::arg("classifier") = py::none(), py::arg("k") = 5, py::arg("threads") = 1,
          "`gan eval --samples` for uint8 images in memory, (N, H, W) or (N, H, W, C): FID, classifier score, "
          "class coverage and histogram, precision/recall/density/coverage and memorisation against data (an "
          "MNIST folder, default: as gan eval finds it; or the image folder or CIFAR-10 folder the model was "
          "trained on), as a dict with the keys of `gan eval --json`. classifier: the metrics classifier's "
          "weights (default: the cache, trained on first use)");
}

}  // namespace gancpp
