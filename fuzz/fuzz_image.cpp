// libFuzzer target: decode_image (PNG and JPEG through libpng and libjpeg-turbo) on arbitrary bytes,
// to gray and to RGB, then resize_and_crop on whatever it accepts.
#include <cstdint>
#include <cstdlib>

#include "core/check.h"
#include "data/image_decode.h"
#include "data/resize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    for (int channels : {1, 3}) {
        gan::Image img;
        try {
            img = gan::decode_image(data, size, channels, "fuzz");
        } catch (const gan::Error&) {
            continue;
        }
        if (img.channels != channels || img.width < 1 || img.height < 1 || img.width > gan::kImageMaxSide ||
            img.height > gan::kImageMaxSide ||
            img.pixels.size() != size_t(img.width) * size_t(img.height) * size_t(channels))
            std::abort();
        // Large images (up to the PNG deflate bound) are decoded but not resized: it would only slow the run.
        if (size_t(img.width) * size_t(img.height) > (size_t(1) << 20)) continue;
        try {
            const gan::Image out = gan::resize_and_crop(img, 8);
            if (out.width != 8 || out.height != 8 || out.pixels.size() != size_t(64 * channels)) std::abort();
        } catch (const gan::Error&) {
        }
    }
    return 0;
}
