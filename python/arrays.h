// The NumPy side of the gancpp module: arrays checked at the boundary (dtype, rank, layout, shape;
// a py::value_error naming the argument otherwise) and images between NumPy's layout, (N, H, W) or
// (N, H, W, C) with channels last, and the library's planar one (CHW per image).
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/image_set.h"

namespace gancpp {

namespace py = pybind11;

// The shape of a batch of images as NumPy holds them.
struct ImagesShape {
    int n = 0, rows = 0, cols = 0, channels = 1;
};

// `what` (the argument's name) as a C-contiguous array of dtype T and rank in [min_rank, max_rank];
// throws py::value_error saying which of those it is not.
void check_array(const py::array& a, const char* what, const py::dtype& dtype, int min_rank, int max_rank);

// uint8 images (N, H, W) or (N, H, W, C) with C 1 or 3, N >= 1.
ImagesShape check_images(const py::array& a, const char* what);
// Their pixels planar (CHW per image), as the library reads them.
std::vector<uint8_t> images_to_planar(const py::array& a, const ImagesShape& s);
// Planar pixels (n images of channels x rows x cols) as a new uint8 array (N, H, W) for one channel,
// else (N, H, W, C).
py::array_t<uint8_t> planar_to_images(const uint8_t* planar, const ImagesShape& s);
// The same for G's values (float32, [-1, 1]).
py::array_t<float> planar_to_values(const float* planar, const ImagesShape& s);

// Integer labels (N,) of any integer dtype, each in [0, classes) (classes 0: any non-negative label).
std::vector<int32_t> labels_from_array(const py::array& a, const char* what, size_t n, int classes);

// A training set from memory: images as check_images takes them, labels (None: all class 0) as
// labels_from_array; the classes are named "0", "1", ... up to the largest label (at least two when
// labels are given).
gan::ImageSet image_set_from_arrays(const py::array& images, const py::object& labels);

}  // namespace gancpp
