// The gancpp module's parts (module.cpp puts them together): each adds its functions and classes to m.
#pragma once
#include <pybind11/pybind11.h>

#include <functional>
#include <string>

namespace gancpp {

namespace py = pybind11;

void add_generator(py::module_& m);  // load(), Generator (generator.cpp)
void add_evaluate(py::module_& m);   // evaluate() (evaluate.cpp)
void add_train(py::module_& m);      // train() (train.cpp)

// A path argument: str or any os.PathLike (pathlib.Path).
std::string fspath(const py::object& path);

// The library's one-line messages (the trainer's data and classifier progress) printed on Python's
// sys.stdout, from any thread: the GIL is taken for each line.
std::function<void(const std::string&)> python_log();

}  // namespace gancpp
