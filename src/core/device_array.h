// A float array that lives on a device and keeps a copy on the host: the parameters, their gradients,
// Adam's moments and the EMA of G. Device code computes on device(); host code (initialisation,
// checkpoints, export, tests) reads and writes the host copy. In the host's memory the two are one
// array and nothing is ever copied; on another device, download() refreshes the host copy and upload()
// sends it, at the few places a run crosses (train/gan_step.h: to_host, to_device).
#pragma once
#include <cstddef>
#include <utility>

#include "core/aligned.h"
#include "core/memory.h"

namespace gan {

class DeviceArray {
  public:
    DeviceArray() = default;
    explicit DeviceArray(size_t n, float value = 0.0f) : host_(n, value) {}
    DeviceArray(const DeviceArray& o) : host_(o.host_) {}  // a copy starts on the host
    DeviceArray& operator=(const DeviceArray& o) {
        if (this != &o) {
            place(host_memory());
            host_ = o.host_;
        }
        return *this;
    }
    ~DeviceArray() { place(host_memory()); }

    // Moves the array into mem (contents copied from the host copy); on the host: drops the device's.
    void place(Memory& where) {
        Memory& mem = home_of(where);
        if (&mem == mem_) return;
        if (dev_) {
            mem_->download(host_.data(), dev_, host_.size());
            mem_->release(dev_);
            dev_ = nullptr;
        }
        mem_ = &mem;
        if (!mem.is_host()) {
            dev_ = mem.alloc(host_.size());
            mem.upload(dev_, host_.data(), host_.size());
        }
    }
    Memory& memory() const { return *mem_; }
    void download() {
        if (dev_) mem_->download(host_.data(), dev_, host_.size());
    }
    void upload() {
        if (dev_) mem_->upload(dev_, host_.data(), host_.size());
    }
    // Exchanges the contents (on both sides) with another array of the same memory.
    void swap(DeviceArray& o) noexcept {
        std::swap(host_, o.host_);
        std::swap(dev_, o.dev_);
        std::swap(mem_, o.mem_);
    }

    float* device() { return dev_ ? dev_ : host_.data(); }
    const float* device() const { return dev_ ? dev_ : host_.data(); }
    AlignedVec<float>& host() { return host_; }
    const AlignedVec<float>& host() const { return host_; }

    // The host copy, as a container.
    size_t size() const { return host_.size(); }
    bool empty() const { return host_.empty(); }
    float* data() { return host_.data(); }
    const float* data() const { return host_.data(); }
    float& operator[](size_t i) { return host_[i]; }
    float operator[](size_t i) const { return host_[i]; }
    auto begin() { return host_.begin(); }
    auto end() { return host_.end(); }
    auto begin() const { return host_.begin(); }
    auto end() const { return host_.end(); }
    bool operator==(const DeviceArray& o) const { return host_ == o.host_; }

  private:
    AlignedVec<float> host_;
    Memory* mem_ = &host_memory();
    float* dev_ = nullptr;  // null in the host's memory
};

// Several things that live on a device together (DeviceArrays, or what holds them: an Arena, Adam),
// each placed, downloaded or uploaded in the order given.
template <class... Arrays>
void place_all(Memory& mem, Arrays&... a) {
    (a.place(mem), ...);
}
template <class... Arrays>
void download_all(Arrays&... a) {
    (a.download(), ...);
}
template <class... Arrays>
void upload_all(Arrays&... a) {
    (a.upload(), ...);
}

}  // namespace gan
