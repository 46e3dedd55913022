// PNG and JPEG decoding (libpng through io/png.h, libjpeg-turbo) from bytes in memory into 8-bit interleaved pixels.
// Every decoder takes `name`, the path or label used in error messages: hostile or broken input gets
// a one-line gan::Error "<name>: <what is wrong>", never a crash, and memory is bounded by the image
// size the header claims, which is checked before anything is allocated for the pixels:
//  - width and height at most kImageMaxSide, width * height at most kImageMaxPixels;
//  - the claim must be plausible for the number of bytes given (see kJpegMaxPixelsPerByte and
//    png_decode), which refuses headers that no real file of that size could back.
// Those bounds are what a real large picture needs, not what a small file needs: a file of a few
// hundred kilobytes of one flat colour can still claim kImageMaxPixels, and its decode then holds the
// whole image (3 bytes per pixel as RGB; a JPEG also up to 8 bytes per pixel of
// libjpeg's working memory, jpeg_decode.cpp), hundreds of megabytes per decoding thread
// (docs/robustness.md measures it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

inline constexpr int kImageMaxSide = 16384;
// 134 million pixels (402 MB as RGB), a little below PIL's decompression bomb error (179 million).
inline constexpr uint64_t kImageMaxPixels = uint64_t(1) << 27;
// A JPEG may hold at most this many pixels per byte of file. Baseline Huffman coding cannot go
// beyond about 256 (two bits per 8x8 block at the least); only progressive or arithmetic-coded
// files of nearly uniform colour come near this bound.
inline constexpr uint64_t kJpegMaxPixelsPerByte = 1024;
// Progressive JPEGs with more scans than this are refused (each scan costs a pass over the image).
inline constexpr int kJpegMaxScans = 500;

// height rows of width pixels of `channels` bytes each (1: gray, 3: R, G, B).
struct Image {
    int height = 0, width = 0, channels = 0;
    std::vector<uint8_t> pixels;
};

enum class ImageFormat { unknown, png, jpeg };

// The format by its signature (PNG: 89 50 4E 47 0D 0A 1A 0A; JPEG: FF D8 FF).
ImageFormat image_format_of(const uint8_t* data, size_t n);

// Decodes PNG or JPEG bytes (chosen by signature; anything else is refused) into `channels` (1 or 3)
// channels. Conversions are those of PIL's Image.convert: alpha is dropped (not blended), gray
// becomes R = G = B, and RGB becomes gray as L = (299 R + 587 G + 114 B) / 1000 rounded to nearest.
Image decode_image(const uint8_t* data, size_t n, int channels, const std::string& name);

// The same for one format. PNG: every colour type and bit depth, interlaced or not; 16-bit samples
// keep their high byte, palettes and low bit depths are expanded, gamma is ignored (as PIL does).
// The raw image data the header implies must fit what deflate could have packed into n bytes.
// JPEG: baseline, progressive and arithmetic coded, gray or YCbCr (CMYK is refused); a file that
// ends before its image data does is refused.
Image decode_png(const uint8_t* data, size_t n, int channels, const std::string& name);
Image decode_jpeg(const uint8_t* data, size_t n, int channels, const std::string& name);

// Reads the file at path (at most kImageMaxFileBytes, only a regular file) and decodes it.
inline constexpr size_t kImageMaxFileBytes = size_t(256) << 20;
Image read_image(const std::string& path, int channels);

// PIL's RGB -> L: (299 R + 587 G + 114 B + 500) / 1000.
inline uint8_t gray_of_rgb(uint8_t r, uint8_t g, uint8_t b) {
    return uint8_t((299u * r + 587u * g + 114u * b + 500u) / 1000u);
}

// Converts img in place to `channels` (1 or 3) channels as decode_image describes.
void convert_channels(Image& img, int channels);

// Throws "<name>: image is WxH, more than ..." when width or height is outside
// [1, kImageMaxSide] or their product is more than kImageMaxPixels.
void check_image_dims(uint64_t width, uint64_t height, const std::string& name);

}  // namespace gan
