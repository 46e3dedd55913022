// Helpers shared by the src/data tests only (not part of the library): PNG and JPEG files written
// with libpng and libjpeg into memory, and small synthetic images.
#pragma once
// jpeglib.h needs size_t and FILE declared first.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <jpeglib.h>
#include <png.h>

#include <string>
#include <vector>

#include "data/image_decode.h"
#include "test_util.h"

namespace gan::testing {

// Options of a PNG written by png_bytes.
struct PngSpec {
    int width = 1, height = 1;
    int color_type = PNG_COLOR_TYPE_RGB;
    int bit_depth = 8;
    bool interlaced = false;
    std::vector<png_color> palette;  // for PNG_COLOR_TYPE_PALETTE
};

// A PNG of `raw`: height rows of packed samples exactly as the format stores them (big-endian for
// 16-bit, several pixels per byte below 8 bits). libpng's default error handling (abort) is enough
// here: the inputs are well formed.
inline std::vector<uint8_t> png_bytes(const PngSpec& s, const std::vector<uint8_t>& raw) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    std::vector<uint8_t> out;
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep data, png_size_t n) {
            auto* v = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(p));
            v->insert(v->end(), data, data + n);
        },
        nullptr);
    png_set_IHDR(png, info, png_uint_32(s.width), png_uint_32(s.height), s.bit_depth, s.color_type,
                 s.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (!s.palette.empty()) png_set_PLTE(png, info, s.palette.data(), int(s.palette.size()));
    png_write_info(png, info);
    const size_t row = raw.size() / size_t(s.height);
    std::vector<png_bytep> rows(size_t(s.height));
    for (int y = 0; y < s.height; ++y) rows[size_t(y)] = const_cast<png_bytep>(raw.data() + size_t(y) * row);
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

// An 8-bit gray (channels 1) or RGB (channels 3) PNG of img.
inline std::vector<uint8_t> png_of(const Image& img) {
    PngSpec s;
    s.width = img.width;
    s.height = img.height;
    s.color_type = img.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB;
    return png_bytes(s, img.pixels);
}

// A JPEG of img (gray or RGB) at `quality`: baseline Huffman, progressive or arithmetic-coded.
enum class JpegCoding { baseline, progressive, arithmetic };
inline std::vector<uint8_t> jpeg_of(const Image& img, int quality = 95,
                                    JpegCoding coding = JpegCoding::baseline) {
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* mem = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &mem, &size);
    c.image_width = JDIMENSION(img.width);
    c.image_height = JDIMENSION(img.height);
    c.input_components = img.channels;
    c.in_color_space = img.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (coding == JpegCoding::progressive) jpeg_simple_progression(&c);
    if (coding == JpegCoding::arithmetic) c.arith_code = TRUE;
    jpeg_start_compress(&c, TRUE);
    const size_t row = size_t(img.width) * size_t(img.channels);
    while (c.next_scanline < c.image_height) {
        JSAMPROW r = const_cast<JSAMPROW>(img.pixels.data() + size_t(c.next_scanline) * row);
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    std::vector<uint8_t> out(mem, mem + size);
    std::free(mem);
    return out;
}

// An image whose every byte comes from a fixed pseudo-random sequence of `seed`.
inline Image noise_image(int height, int width, int channels, uint32_t seed) {
    Image img{height, width, channels, std::vector<uint8_t>(size_t(height) * width * channels)};
    uint32_t x = seed * 2654435761u + 1;
    for (uint8_t& b : img.pixels) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = uint8_t(x >> 24);
    }
    return img;
}

// An image of one colour (channels values).
inline Image flat_image(int height, int width, const std::vector<uint8_t>& colour) {
    const int c = int(colour.size());
    Image img{height, width, c, std::vector<uint8_t>(size_t(height) * width * c)};
    for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = colour[i % size_t(c)];
    return img;
}

// A smooth image (JPEG keeps it within a few levels): each channel a different diagonal ramp,
// never wrapping (values 0..249).
inline Image ramp_image(int height, int width, int channels) {
    Image img{height, width, channels, std::vector<uint8_t>(size_t(height) * width * channels)};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c)
                img.pixels[(size_t(y) * width + x) * channels + c] =
                    uint8_t(x * 150 / width + y * 50 / height + c * 25);
    return img;
}

}  // namespace gan::testing
