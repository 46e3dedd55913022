// gancpp.load(run_or_file) -> Generator: G of a checkpoint; g.sample(n, seed=, labels=) draws images
// as `gan sample` does (the same bytes for the same seed), g(z) maps the caller's latents to G's
// values in [-1, 1] (what `gan sample --z` rounds to pixels).
#include <mutex>
#include <optional>

#include "arrays.h"
#include "core/check.h"
#include "core/rng.h"
#include "gancpp.h"
#include "models/gan_model.h"
#include "train/checkpoint.h"

namespace gancpp {

namespace {

class Generator {
  public:
    explicit Generator(const std::string& path) : m_(gan::checkpoint_load_model(path)) {}

    const gan::ModelConfig& config() const { return m_.model->config; }
    const std::string& path() const { return m_.path; }

    // `gan sample --n n --seed seed [--labels l.npy] --out x.npy`: the latents drawn from Rng(seed, 7);
    // batch-norm generators sample with each chunk's batch statistics, or with the running ones for
    // chosen labels (as --bn auto).
    py::array_t<uint8_t> sample(int n, uint64_t seed, const py::object& labels) {
        if (n < 1 || n > 10000000) throw py::value_error(gan::str("n must be in [1, 10000000] (got ", n, ")"));
        const std::vector<int32_t> lab = chosen_labels(labels, size_t(n));
        std::vector<int> l(lab.begin(), lab.end());
        std::vector<uint8_t> px;
        {
            py::gil_scoped_release free;
            std::lock_guard<std::mutex> hold(busy_);
            gan::Rng rng(seed, 7);
            gan::gan_generate(*m_.model, n, rng, px, l.empty() ? nullptr : l.data(), l.empty());
        }
        return planar_to_images(px.data(), shape(n));
    }

    // `gan sample --z z.npy [--labels l.npy]` before rounding: float32 (N, z_dim) latents, running
    // batch-norm statistics, G's values (N, H, W[, C]) in [-1, 1].
    py::array_t<float> call(const py::array& z, const py::object& labels) {
        check_array(z, "z", py::dtype::of<float>(), 2, 2);
        const gan::ModelConfig& c = config();
        if (z.shape(1) != c.z_dim || z.shape(0) < 1 || z.shape(0) > 10000000)
            throw py::value_error(gan::str("z: expected float32 latents of shape (N, ", c.z_dim,
                                           ") with N in [1, 10000000] for this generator, got (", z.shape(0), ", ",
                                           z.shape(1), ")"));
        const int n = int(z.shape(0));
        const std::vector<int32_t> lab = chosen_labels(labels, size_t(n));
        std::vector<int> l(lab.begin(), lab.end());
        std::vector<float> values;
        {
            py::gil_scoped_release free;
            std::lock_guard<std::mutex> hold(busy_);
            const gan::Latents latents{.rng = nullptr, .given = static_cast<const float*>(z.data()), .observe = {}};
            gan::gan_generate_values(*m_.model, n, latents, values, l.empty() ? nullptr : l.data(), false);
        }
        return planar_to_values(values.data(), shape(n));
    }

    std::string repr() const {
        const gan::ModelConfig& c = config();
        return gan::str("<gancpp.Generator ", gan::to_string(c.arch), " z_dim=", c.z_dim, " image=", c.rows, "x",
                        c.cols, "x", c.channels, c.conditional ? gan::str(" classes=", c.num_classes) : "", " from ",
                        path(), ">");
    }

  private:
    ImagesShape shape(int n) const { return {n, config().rows, config().cols, config().channels}; }

    std::vector<int32_t> chosen_labels(const py::object& labels, size_t n) const {
        if (labels.is_none()) return {};
        if (!config().conditional)
            throw py::value_error(gan::str(path(), ": this generator is not conditional, so labels cannot choose "
                                           "classes"));
        return labels_from_array(py::array::ensure(labels), "labels", n, config().num_classes);
    }

    gan::LoadedModel m_;
    std::mutex busy_;  // the model's buffers serve one draw at a time
};

}  // namespace

void add_generator(py::module_& m) {
    py::class_<Generator>(m, "Generator", "A trained generator (see gancpp.load)")
        .def("sample", &Generator::sample, py::arg("n"), py::kw_only(), py::arg("seed") = 0,
             py::arg("labels") = py::none(),
             "n images drawn as `gan sample --n n --seed seed` draws them (the same bytes): uint8 (n, H, W) for "
             "gray, (n, H, W, C) for colour. labels (conditional models): each image's class, integers (n,)")
        .def("__call__", &Generator::call, py::arg("z"), py::kw_only(), py::arg("labels") = py::none(),
             "G's output for the float32 latents z (N, z_dim): float32 (N, H, W[, C]) in [-1, 1], batch norm in "
             "eval mode; (g(z) + 1) * 127.5 rounded is what `gan sample --z` writes")
        .def_property_readonly("z_dim", [](const Generator& g) { return g.config().z_dim; })
        .def_property_readonly("shape", [](const Generator& g) {
            const gan::ModelConfig& c = g.config();
            return c.channels == 1 ? py::make_tuple(c.rows, c.cols) : py::make_tuple(c.rows, c.cols, c.channels);
        }, "One image's shape as sample returns it: (H, W) or (H, W, C)")
        .def_property_readonly("arch", [](const Generator& g) { return gan::to_string(g.config().arch); })
        .def_property_readonly("num_classes", [](const Generator& g) {
            return g.config().conditional ? g.config().num_classes : 0;
        }, "Classes of a conditional generator (0: unconditional)")
        .def_property_readonly("path", &Generator::path)
        .def("__repr__", &Generator::repr);
    m.def("load", [](const py::object& path) { return std::make_unique<Generator>(fspath(path)); }, py::arg("run_or_file"),
          "The generator of a run directory (its generator.safetensors) or of a checkpoint file, as `gan sample "
          "--checkpoint` takes them");
}

}  // namespace gancpp
