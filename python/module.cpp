// The Python module gancpp (docs/python.md): gan.cpp's trainer, sampler and metrics from Python, with
// NumPy arrays in and out. The library's errors (gan::Error) arrive as gancpp.Error with the library's
// one-line message; arguments that are wrong at the boundary (dtype, rank, layout, shape) as ValueError.
#include "gancpp.h"

#include "core/check.h"

namespace gancpp {

std::string fspath(const py::object& path) {
    return py::str(py::module_::import("os").attr("fspath")(path)).cast<std::string>();
}

std::function<void(const std::string&)> python_log() {
    return [](const std::string& line) {
        py::gil_scoped_acquire held;
        py::print(line, py::arg("flush") = true);
    };
}

}  // namespace gancpp

PYBIND11_MODULE(gancpp, m) {
    namespace py = pybind11;
    m.doc() = "gan.cpp from Python: train GANs (train), draw from their generators (load), score samples "
              "(evaluate), with NumPy arrays in and out";
    m.attr("__version__") = GAN_VERSION;
    py::register_exception<gan::Error>(m, "Error", PyExc_RuntimeError);
    gancpp::add_generator(m);
    gancpp::add_evaluate(m);
    gancpp::add_train(m);
}
