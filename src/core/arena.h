// The parameter arena: all of a model's parameters in one flat buffer and their gradients in
// another, so Adam is one loop over the arena and a checkpoint is one table of names and offsets.
// Parameters are added while the model is built; afterwards the buffers never move, so layers may
// keep offsets.
// zero_grad() zeroes lazily: each parameter's gradient is cleared when it is next asked for, and a
// kernel that writes a whole gradient in one pass (a GEMM with beta 0) may ask for it through
// grad_to_write() and skip the clearing: a write of x equals 0 + x.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "core/aligned.h"
#include "core/tensor.h"

namespace gan {

struct ParamInfo {
    std::string name;            // PyTorch state_dict name, e.g. "generator.0.weight"
    std::vector<int64_t> shape;  // PyTorch layout, e.g. [out, in]
    size_t offset = 0, size = 0;
};

class Arena {
  public:
    size_t add(const std::string& name, std::vector<int64_t> shape);  // returns the offset
    float* value(size_t offset) { return values_.data() + offset; }
    const float* value(size_t offset) const { return values_.data() + offset; }
    // The gradient of the parameter that starts at `offset`, for a kernel that adds into it.
    float* grad(size_t offset);
    // The same, with *overwrite set when it is all zeros from zero_grad() and not yet cleared: the
    // caller then writes every element of it (instead of adding).
    float* grad_to_write(size_t offset, bool* overwrite);
    void zero_grad() { std::fill(cleared_.begin(), cleared_.end(), char(1)); }
    size_t size() const { return values_.size(); }
    AlignedVec<float>& values() { return values_; }
    const AlignedVec<float>& values() const { return values_; }
    AlignedVec<float>& grads();  // every gradient, cleared where zero_grad() left it pending
    const std::vector<ParamInfo>& params() const { return params_; }
    const ParamInfo* find(const std::string& name) const;

  private:
    AlignedVec<float> values_, grads_;  // 64-byte aligned: weight rows of 784 floats start on a line
    std::vector<ParamInfo> params_;
    std::vector<char> cleared_;  // per parameter: zero_grad() pending
    size_t index_of(size_t offset) const;
    void clear(size_t index);
};

}  // namespace gan
