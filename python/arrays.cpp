#include "arrays.h"

#include <algorithm>
#include <limits>

#include "core/check.h"

namespace gancpp {

namespace {

std::string shape_text(const py::array& a) {
    std::string t = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) t += (i ? ", " : "") + std::to_string(a.shape(i));
    return t + (a.ndim() == 1 ? ",)" : ")");
}

std::string dtype_name(const py::dtype& d) { return d.attr("name").cast<std::string>(); }

[[noreturn]] void refuse(const std::string& message) { throw py::value_error(message); }

// A copy of n * channels planes of rows x cols, transposed between channels-last and planar.
template <class T>
void transpose_images(T* out, const T* in, const ImagesShape& s, bool to_planar) {
    const size_t plane = size_t(s.rows) * size_t(s.cols), C = size_t(s.channels);
    for (size_t i = 0; i < size_t(s.n); ++i) {
        const size_t base = i * C * plane;
        for (size_t p = 0; p < plane; ++p)
            for (size_t c = 0; c < C; ++c) {
                const size_t hwc = base + p * C + c, chw = base + c * plane + p;
                if (to_planar) out[chw] = in[hwc];
                else out[hwc] = in[chw];
            }
    }
}

template <class T>
py::array_t<T> planar_to_array(const T* planar, const ImagesShape& s) {
    std::vector<py::ssize_t> shape = {s.n, s.rows, s.cols};
    if (s.channels != 1) shape.push_back(s.channels);
    py::array_t<T> out(shape);
    transpose_images(out.mutable_data(), planar, s, false);
    return out;
}

}  // namespace

void check_array(const py::array& a, const char* what, const py::dtype& dtype, int min_rank, int max_rank) {
    if (!a.dtype().is(dtype))
        refuse(gan::str(what, ": expected a ", dtype_name(dtype), " array, got ",
                        dtype_name(a.dtype()), " (convert it with .astype(numpy.",
                        dtype_name(dtype), "))"));
    if (a.ndim() < min_rank || a.ndim() > max_rank) {
        const std::string ranks = min_rank == max_rank ? std::to_string(min_rank)
                                                       : gan::str(min_rank, " or ", max_rank);
        refuse(gan::str(what, ": expected ", ranks, " dimensions, got ", a.ndim(), " of shape ", shape_text(a)));
    }
    if (!(a.flags() & py::array::c_style))
        refuse(gan::str(what, ": the array is not C-contiguous (a view or a transpose): pass numpy.ascontiguousarray(",
                        what, ")"));
}

ImagesShape check_images(const py::array& a, const char* what) {
    check_array(a, what, py::dtype::of<uint8_t>(), 3, 4);
    ImagesShape s;
    constexpr py::ssize_t kMax = std::numeric_limits<int>::max();
    const bool ok = a.shape(0) >= 1 && a.shape(0) <= kMax && a.shape(1) >= 1 && a.shape(1) <= 65536 &&
                    a.shape(2) >= 1 && a.shape(2) <= 65536 && (a.ndim() == 3 || a.shape(3) == 1 || a.shape(3) == 3);
    if (!ok)
        refuse(gan::str(what, ": expected images of shape (N, H, W) or (N, H, W, C) with C 1 or 3, got ",
                        shape_text(a)));
    s.n = int(a.shape(0)), s.rows = int(a.shape(1)), s.cols = int(a.shape(2));
    s.channels = a.ndim() == 4 ? int(a.shape(3)) : 1;
    return s;
}

std::vector<uint8_t> images_to_planar(const py::array& a, const ImagesShape& s) {
    std::vector<uint8_t> px(size_t(s.n) * size_t(s.channels) * size_t(s.rows) * size_t(s.cols));
    const auto* in = static_cast<const uint8_t*>(a.data());
    if (s.channels == 1) std::copy(in, in + px.size(), px.begin());
    else transpose_images(px.data(), in, s, true);
    return px;
}

py::array_t<uint8_t> planar_to_images(const uint8_t* planar, const ImagesShape& s) { return planar_to_array(planar, s); }
py::array_t<float> planar_to_values(const float* planar, const ImagesShape& s) { return planar_to_array(planar, s); }

std::vector<int32_t> labels_from_array(const py::array& a, const char* what, size_t n, int classes) {
    if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u')
        refuse(gan::str(what, ": expected integer labels, got ", dtype_name(a.dtype())));
    if (a.ndim() != 1 || size_t(a.shape(0)) != n)
        refuse(gan::str(what, ": expected ", n, " labels, shape (", n, ",), got ", shape_text(a)));
    // Any integer dtype and layout, through NumPy's own conversion to int64.
    const auto l = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    const int64_t* p = l.data();
    std::vector<int32_t> out(n);
    for (size_t i = 0; i < n; ++i) {
        const int64_t hi = classes > 0 ? classes : std::numeric_limits<int32_t>::max();
        if (p[i] < 0 || p[i] >= hi)
            refuse(gan::str(what, ": label ", p[i], " at index ", i, " is not in [0, ", hi, ")"));
        out[i] = int32_t(p[i]);
    }
    return out;
}

gan::ImageSet image_set_from_arrays(const py::array& images, const py::object& labels) {
    const ImagesShape s = check_images(images, "data");
    std::vector<uint8_t> px = images_to_planar(images, s);
    std::vector<int32_t> l(size_t(s.n), 0);
    std::vector<std::string> names = {""};
    if (!labels.is_none()) {
        l = labels_from_array(py::array::ensure(labels), "labels", size_t(s.n), 0);
        const int32_t top = std::max(1, *std::max_element(l.begin(), l.end()));
        names.clear();
        for (int32_t c = 0; c <= top; ++c) names.push_back(std::to_string(c));
    }
    return gan::make_image_set(s.n, s.channels, s.rows, s.cols, std::move(px), std::move(l), std::move(names));
}

}  // namespace gancpp
