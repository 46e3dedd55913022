// Where tensors and parameters live: a device's memory, allocated, filled and read through it. The
// host's is host_memory(); each backend (backend/backend.h) is the memory of its device, so a Tensor
// or an Arena given a backend's memory lives on that device. Crossing between the host and a device
// is explicit (upload, download) and happens in few places: the batch and latents in; losses,
// statistics, samples and checkpoints out.
#pragma once
#include <cstddef>

namespace gan {

class Memory {
  public:
    virtual ~Memory() = default;
    // The host's memory: pointers into it may be read and written by host code.
    virtual bool is_host() const = 0;
    virtual float* alloc(size_t n) = 0;  // n floats, 64-byte aligned; never null (throws std::bad_alloc)
    virtual void release(float* p) = 0;
    virtual void upload(float* dst, const float* host, size_t n) = 0;
    virtual void download(float* host, const float* src, size_t n) = 0;
    virtual void copy(float* dst, const float* src, size_t n) = 0;  // within this memory
    virtual void zero(float* p, size_t n) = 0;
};

Memory& host_memory();
// The memory that holds what is placed on mem: host_memory() for every memory of the host (a CPU
// backend's included), so that host tensors never depend on the lifetime of a backend object.
inline Memory& home_of(Memory& mem) { return mem.is_host() ? host_memory() : mem; }

}  // namespace gan
