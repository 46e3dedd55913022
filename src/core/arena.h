// The parameter arena: all of a model's parameters in one flat buffer and their gradients in
// another, so zero-grad is one memset, Adam is one loop over the arena and a checkpoint is one
// table of names and offsets. Parameters are added while the model is built; afterwards the
// buffers never move, so layers may keep offsets.
#pragma once
#include <cstring>
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
    float* grad(size_t offset) { return grads_.data() + offset; }
    void zero_grad() {
        if (!grads_.empty()) std::memset(grads_.data(), 0, grads_.size() * sizeof(float));  // memset(null, 0) is UB
    }
    size_t size() const { return values_.size(); }
    AlignedVec<float>& values() { return values_; }
    const AlignedVec<float>& values() const { return values_; }
    AlignedVec<float>& grads() { return grads_; }
    const std::vector<ParamInfo>& params() const { return params_; }
    const ParamInfo* find(const std::string& name) const;

  private:
    AlignedVec<float> values_, grads_;  // 64-byte aligned: weight rows of 784 floats start on a line
    std::vector<ParamInfo> params_;
};

}  // namespace gan
