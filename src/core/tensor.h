// Tensor: float32, contiguous, NCHW (an (N, F) matrix is (N, F, 1, 1)).
// Storage is reused: resize() only grows it, never shrinks it, so a tensor that alternates between
// sizes (D's activations on a stacked and on a single batch) is neither reallocated nor refilled, and
// the training loop reaches a steady state with no heap allocation. The tensor is its first size()
// floats of v.
#pragma once
#include <cstddef>
#include <vector>

#include "core/aligned.h"

namespace gan {

struct Shape {
    int n = 0, c = 1, h = 1, w = 1;
    size_t per_sample() const { return size_t(c) * h * w; }
    size_t size() const { return size_t(n) * per_sample(); }
    bool operator==(const Shape&) const = default;
};

struct Tensor {
    Shape shape;
    AlignedVec<float> v;  // 64-byte aligned (core/aligned.h)

    Tensor() = default;
    explicit Tensor(Shape s) { resize(s); }
    void resize(Shape s) {
        shape = s;
        if (v.size() < s.size()) v.resize(s.size());
    }
    float* data() { return v.data(); }
    const float* data() const { return v.data(); }
    size_t size() const { return shape.size(); }
    float* end() { return v.data() + size(); }
    const float* end() const { return v.data() + size(); }
    float& operator[](size_t i) { return v[i]; }
    float operator[](size_t i) const { return v[i]; }
};

}  // namespace gan
