// libFuzzer target: png_read_gray and png_read_image on arbitrary files (through an in-memory file so
// the real path-based readers run), then grid_split on whatever they accept.
#include <cstdint>
#include <cstdlib>

#include "core/check.h"
#include "fuzz_util.h"
#include "io/png.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static gan_fuzz::MemFile file;
    const std::string& path = file.set(data, size);
    gan::GrayImage img;
    try {
        img = gan::png_read_gray(path);
    } catch (const gan::Error&) {
        return 0;
    }
    if (img.width < 1 || img.height < 1 || img.width > gan::kPngMaxSide || img.height > gan::kPngMaxSide ||
        img.pixels.size() != size_t(img.width) * size_t(img.height))
        std::abort();
    // The colour reader accepts the same files, at the same size, as gray or RGB.
    const gan::PngImage colour = gan::png_read_image(path);
    if (colour.width != img.width || colour.height != img.height || (colour.channels != 1 && colour.channels != 3) ||
        colour.pixels.size() != img.pixels.size() * size_t(colour.channels))
        std::abort();
    // A grid of 2x2 tiles of small images, as `gan` reads its own sample grids back.
    try {
        gan::grid_split(img, 2, 2, 5, 5);
    } catch (const gan::Error&) {
    }
    try {
        gan::grid_split(img, 1, 1, img.height, img.width);
    } catch (const gan::Error&) {
    }
    return 0;
}
