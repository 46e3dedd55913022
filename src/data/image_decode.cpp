#include "data/image_decode.h"

#include <cstring>
#include <utility>

#include "core/check.h"
#include "io/file.h"
#include "io/png.h"

namespace gan {

ImageFormat image_format_of(const uint8_t* data, size_t n) {
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    if (n >= 8 && std::memcmp(data, png_sig, 8) == 0) return ImageFormat::png;
    if (n >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return ImageFormat::jpeg;
    return ImageFormat::unknown;
}

Image decode_image(const uint8_t* data, size_t n, int channels, const std::string& name) {
    GAN_CHECK(channels == 1 || channels == 3, name, ": channels must be 1 or 3, not ", channels);
    switch (image_format_of(data, n)) {
        case ImageFormat::png:
            return decode_png(data, n, channels, name);
        case ImageFormat::jpeg:
            return decode_jpeg(data, n, channels, name);
        case ImageFormat::unknown:
            break;
    }
    throw Error(str(name, ": not a PNG or JPEG file (", n < 8 ? "too short" : "unknown signature", ")"));
}

Image decode_png(const uint8_t* data, size_t n, int channels, const std::string& name) {
    GAN_CHECK(channels == 1 || channels == 3, name, ": channels must be 1 or 3, not ", channels);
    static_assert(kPngMaxSide == kImageMaxSide && kPngMaxPixels == kImageMaxPixels, "one bound for all images");
    PngImage png = png_decode(data, n, name);
    Image img{png.height, png.width, png.channels, std::move(png.pixels)};
    convert_channels(img, channels);
    return img;
}

Image read_image(const std::string& path, int channels) {
    const std::vector<uint8_t> bytes = file_read_all(path, kImageMaxFileBytes);
    return decode_image(bytes.data(), bytes.size(), channels, path);
}

void convert_channels(Image& img, int channels) {
    GAN_CHECK(img.channels == 1 || img.channels == 3, "image has ", img.channels, " channels");
    GAN_CHECK(channels == 1 || channels == 3, "channels must be 1 or 3, not ", channels);
    if (img.channels == channels) return;
    const size_t pixels = size_t(img.width) * size_t(img.height);
    if (channels == 1) {
        // In place: output pixel i is written after input pixels 0..i have been read.
        uint8_t* p = img.pixels.data();
        for (size_t i = 0; i < pixels; ++i) p[i] = gray_of_rgb(p[3 * i], p[3 * i + 1], p[3 * i + 2]);
        img.pixels.resize(pixels);
    } else {
        img.pixels.resize(pixels * 3);
        uint8_t* p = img.pixels.data();
        for (size_t i = pixels; i-- > 0;) p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = p[i];
    }
    img.channels = channels;
}

void check_image_dims(uint64_t width, uint64_t height, const std::string& name) {
    GAN_CHECK(width >= 1 && height >= 1, name, ": image is ", width, "x", height, " (empty)");
    GAN_CHECK(width <= uint64_t(kImageMaxSide) && height <= uint64_t(kImageMaxSide), name,
              ": image is ", width, "x", height, ", more than ", kImageMaxSide, " pixels on a side");
    GAN_CHECK(width * height <= kImageMaxPixels, name, ": image is ", width, "x", height, ", more than ",
              kImageMaxPixels, " pixels");
}

}  // namespace gan
