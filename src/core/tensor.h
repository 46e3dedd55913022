// Tensor: float32, contiguous, NCHW (an (N, F) matrix is (N, F, 1, 1)), in the memory of a device
// (core/memory.h; the host's unless placed elsewhere with on()).
// Storage is reused: resize() only grows it, never shrinks it, so a tensor that alternates between
// sizes (D's activations on a stacked and on a single batch) is neither reallocated nor refilled, and
// the training loop reaches a steady state with no heap allocation. The tensor is its first size()
// floats. Element access ([]) and the host's view are for tensors in the host's memory only.
#pragma once
#include <cstddef>
#include <utility>

#include "core/memory.h"

namespace gan {

struct Shape {
    int n = 0, c = 1, h = 1, w = 1;
    size_t per_sample() const { return size_t(c) * h * w; }
    size_t size() const { return size_t(n) * per_sample(); }
    bool operator==(const Shape&) const = default;
};

class Tensor {
  public:
    Shape shape;

    Tensor() = default;
    explicit Tensor(Shape s, Memory& mem = host_memory()) : mem_(&mem) { resize(s); }
    Tensor(const Tensor& o) : shape(o.shape), mem_(o.mem_) {
        grow(o.size());
        mem_->copy(p_, o.p_, o.size());
    }
    Tensor(Tensor&& o) noexcept { swap(o); }
    Tensor& operator=(Tensor o) noexcept {
        swap(o);
        return *this;
    }
    ~Tensor() {
        if (p_) mem_->release(p_);
    }
    void swap(Tensor& o) noexcept {
        std::swap(shape, o.shape);
        std::swap(mem_, o.mem_);
        std::swap(p_, o.p_);
        std::swap(cap_, o.cap_);
    }

    void resize(Shape s) {
        shape = s;
        grow(s.size());
    }
    // Moves the tensor into mem (its size() floats copied across); nothing happens when it is there.
    void on(Memory& where) {
        Memory& mem = home_of(where);
        if (&mem == mem_) return;
        Tensor t(shape, mem);
        if (size() && mem_->is_host()) {
            mem.upload(t.p_, p_, size());
        } else if (size() && mem.is_host()) {
            mem_->download(t.p_, p_, size());
        } else if (size()) {  // between two devices, through the host
            Tensor host(shape);
            mem_->download(host.p_, p_, size());
            mem.upload(t.p_, host.p_, size());
        }
        swap(t);
    }
    Memory& memory() const { return *mem_; }

    float* data() { return p_; }
    const float* data() const { return p_; }
    size_t size() const { return shape.size(); }
    float* end() { return p_ + size(); }
    const float* end() const { return p_ + size(); }
    float& operator[](size_t i) { return p_[i]; }
    float operator[](size_t i) const { return p_[i]; }

  private:
    // Storage for n floats (zeroed on the host when it grows, as the vector it replaces did).
    void grow(size_t n) {
        if (n <= cap_) return;
        float* p = mem_->alloc(n);
        if (p_) {
            mem_->copy(p, p_, cap_);
            mem_->release(p_);
        }
        if (mem_->is_host())
            for (size_t i = cap_; i < n; ++i) p[i] = 0.0f;
        p_ = p;
        cap_ = n;
    }

    Memory* mem_ = &host_memory();
    float* p_ = nullptr;
    size_t cap_ = 0;
};

}  // namespace gan
