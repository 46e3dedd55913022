// The parameter arena: all of a model's parameters in one flat buffer and their gradients in
// another, so Adam is one loop over the arena and a checkpoint is one table of names and offsets.
// Parameters are added while the model is built, on the host; afterwards the buffers never move, so
// layers may keep offsets. place() moves the arena onto a device (core/device_array.h): value(),
// grad() and the *_device() pointers are then the device's, values() and grads() the host's copies,
// refreshed by download() and sent back by upload(). On the host they are one and the same.
// zero_grad() zeroes lazily: each parameter's gradient is cleared when it is next asked for, and a
// kernel that writes a whole gradient in one pass (a GEMM with beta 0) may ask for it through
// grad_to_write() and skip the clearing: a write of x equals 0 + x.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "core/aligned.h"
#include "core/device_array.h"
#include "core/tensor.h"

namespace gan {

struct ParamInfo {
    std::string name;            // PyTorch state_dict name, e.g. "generator.0.weight"
    std::vector<int64_t> shape;  // PyTorch layout, e.g. [out, in]
    size_t offset = 0, size = 0;
};

class Arena {
  public:
    size_t add(const std::string& name, std::vector<int64_t> shape);  // returns the offset (host only)
    float* value(size_t offset) { return values_.device() + offset; }
    const float* value(size_t offset) const { return values_.device() + offset; }
    // The gradient of the parameter that starts at `offset`, for a kernel that adds into it.
    float* grad(size_t offset);
    // The same, with *overwrite set when it is all zeros from zero_grad() and not yet cleared: the
    // caller then writes every element of it (instead of adding).
    float* grad_to_write(size_t offset, bool* overwrite);
    void zero_grad() { std::fill(cleared_.begin(), cleared_.end(), char(1)); }
    size_t size() const { return values_.size(); }
    // The host's copies (the arena itself on the host).
    AlignedVec<float>& values() { return values_.host(); }
    const AlignedVec<float>& values() const { return values_.host(); }
    AlignedVec<float>& grads();  // every gradient, cleared where zero_grad() left it pending
    // Where the device computes: every value, every gradient (cleared where pending).
    float* values_device() { return values_.device(); }
    float* grads_device();
    DeviceArray& value_array() { return values_; }

    void place(Memory& mem);
    Memory& memory() const { return values_.memory(); }
    void download();  // values and gradients to the host's copies
    void upload();    // the host's copies of the values and gradients to the device
    const std::vector<ParamInfo>& params() const { return params_; }
    const ParamInfo* find(const std::string& name) const;
    // Gives the parameter that starts at `offset` another name (a parametrisation's: weight -> weight_orig).
    void rename(size_t offset, const std::string& name);

  private:
    DeviceArray values_, grads_;  // 64-byte aligned: weight rows of 784 floats start on a line
    std::vector<ParamInfo> params_;
    std::vector<char> cleared_;  // per parameter: zero_grad() pending
    size_t index_of(size_t offset) const;
    void clear(size_t index);
};

}  // namespace gan
