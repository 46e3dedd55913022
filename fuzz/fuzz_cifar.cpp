// libFuzzer target: read_cifar10 on an arbitrary data_batch_1.bin (through a temporary folder, so the
// real path-based reader runs), to RGB and to gray resized.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/check.h"
#include "data/cifar.h"
#include "io/file.h"

namespace {

std::string folder() {
    char tmpl[] = "/tmp/gan_fuzz_cifar_XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    return tmpl;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string dir = folder();
    gan::file_write_atomic(dir + "/data_batch_1.bin", data, size);
    for (int channels : {3, 1}) {
        try {
            const gan::ImageSet s = gan::read_cifar10(dir, gan::CifarSplit::train, channels, channels == 3 ? 32 : 8);
            if (s.n < 1 || size_t(s.n) * gan::kCifarRecordBytes != size || s.labels.size() != size_t(s.n))
                std::abort();
            for (int32_t l : s.labels)
                if (l < 0 || l >= gan::kCifarClasses) std::abort();
        } catch (const gan::Error&) {
        }
    }
    return 0;
}
