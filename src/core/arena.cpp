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
    GAN_CHECK(memory().is_host(), "parameter '", name, "' added after the arena moved to a device");
    ParamInfo p{name, std::move(shape), values_.size(), n};
    values_.host().resize(values_.size() + n, 0.0f);
    grads_.host().resize(grads_.size() + n, 0.0f);
    params_.push_back(std::move(p));
    cleared_.push_back(0);
    return params_.back().offset;
}

size_t Arena::index_of(size_t offset) const {
    size_t lo = 0, hi = params_.size();
    while (hi - lo > 1) {  // the last parameter starting at or before offset
        const size_t mid = (lo + hi) / 2;
        if (params_[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void Arena::clear(size_t i) {
    if (!cleared_[i]) return;
    grads_.memory().zero(grads_.device() + params_[i].offset, params_[i].size);
    cleared_[i] = 0;
}

float* Arena::grad(size_t offset) {
    if (!params_.empty()) clear(index_of(offset));
    return grads_.device() + offset;
}

float* Arena::grad_to_write(size_t offset, bool* overwrite) {
    const size_t i = index_of(offset);
    *overwrite = !params_.empty() && cleared_[i] && params_[i].offset == offset;
    if (*overwrite)
        cleared_[i] = 0;
    else if (!params_.empty())
        clear(i);
    return grads_.device() + offset;
}

AlignedVec<float>& Arena::grads() {
    for (size_t i = 0; i < params_.size(); ++i) clear(i);
    return grads_.host();
}

float* Arena::grads_device() {
    for (size_t i = 0; i < params_.size(); ++i) clear(i);
    return grads_.device();
}

void Arena::place(Memory& mem) { place_all(mem, values_, grads_); }
void Arena::download() { download_all(values_, grads_); }
void Arena::upload() { upload_all(values_, grads_); }

void Arena::rename(size_t offset, const std::string& name) {
    GAN_CHECK(!params_.empty() && params_[index_of(offset)].offset == offset, "no parameter starts at offset ",
              offset);
    GAN_CHECK(find(name) == nullptr, "parameter '", name, "' added twice");
    params_[index_of(offset)].name = name;
}

const ParamInfo* Arena::find(const std::string& name) const {
    for (const ParamInfo& p : params_)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace gan
