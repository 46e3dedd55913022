// libFuzzer target: the .npy readers (npy_read_u8, npy_read_f32) on arbitrary files, read
// through an in-memory file so the real path-based code runs.
#include <cstdint>
#include <cstdlib>

#include "core/check.h"
#include "fuzz_util.h"
#include "io/npy.h"

namespace {

template <typename T>
void check(const T& a) {
    uint64_t count = 1;
    for (int64_t d : a.shape) {
        if (d < 0) std::abort();
        count *= uint64_t(d);
    }
    if (count != a.data.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static gan_fuzz::MemFile file;
    const std::string& path = file.set(data, size);
    try {
        check(gan::npy_read_u8(path));
    } catch (const gan::Error&) {
    }
    try {
        check(gan::npy_read_f32(path));
    } catch (const gan::Error&) {
    }
    return 0;
}
