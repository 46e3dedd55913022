#include "core/memory.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace gan {

namespace {

class HostMemory final : public Memory {
  public:
    bool is_host() const override { return true; }
    float* alloc(size_t n) override {
        void* p = std::aligned_alloc(64, std::max<size_t>((n * sizeof(float) + 63) / 64 * 64, 64));
        if (!p) throw std::bad_alloc();
        return static_cast<float*>(p);
    }
    void release(float* p) override { std::free(p); }
    void upload(float* dst, const float* host, size_t n) override { copy(dst, host, n); }
    void download(float* host, const float* src, size_t n) override { copy(host, src, n); }
    void copy(float* dst, const float* src, size_t n) override {
        if (n && dst != src) std::memmove(dst, src, n * sizeof(float));
    }
    void zero(float* p, size_t n) override {
        if (n) std::memset(p, 0, n * sizeof(float));
    }
};

}  // namespace

Memory& host_memory() {
    static HostMemory host;
    return host;
}

}  // namespace gan
