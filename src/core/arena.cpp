#include "core/arena.h"

#include "core/check.h"

namespace gan {

size_t Arena::add(const std::string& name, std::vector<int64_t> shape) {
    GAN_CHECK(find(name) == nullptr, "parameter '", name, "' added twice");
    size_t n = 1;
    for (int64_t d : shape) {
        GAN_CHECK(d > 0, "parameter '", name, "' has a non-positive dimension");
        n *= size_t(d);
    }
    ParamInfo p{name, std::move(shape), values_.size(), n};
    values_.resize(values_.size() + n, 0.0f);
    grads_.resize(grads_.size() + n, 0.0f);
    params_.push_back(std::move(p));
    return params_.back().offset;
}

const ParamInfo* Arena::find(const std::string& name) const {
    for (const ParamInfo& p : params_)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace gan
