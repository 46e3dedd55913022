#include "io/arena_io.h"

#include <algorithm>

#include "core/check.h"

namespace gan {

void arena_append_views(const Arena& arena, std::vector<TensorView>& views) {
    for (const ParamInfo& p : arena.params()) views.push_back({p.name, p.shape, arena.value(p.offset)});
}

void arena_load(Arena& arena, const SafetensorsFile& file, const std::string& source) {
    for (const ParamInfo& p : arena.params()) {
        auto it = file.tensors.find(p.name);
        GAN_CHECK(it != file.tensors.end(), source, ": missing tensor '", p.name, "'");
        const StoredTensor& t = it->second;
        GAN_CHECK(t.dtype == "F32", source, ": tensor '", p.name, "' is ", t.dtype, ", not F32");
        GAN_CHECK(t.shape == p.shape, source, ": tensor '", p.name, "' has the wrong shape for this model");
        std::copy(t.data.begin(), t.data.end(), arena.value(p.offset));
    }
}

}  // namespace gan
