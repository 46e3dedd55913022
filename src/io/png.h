// PNG reading and writing (libpng), and image grids (many small images tiled into one picture, and
// back).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

// Largest width or height png_write_gray, png_decode and image_grid accept, and most pixels png_decode
// accepts (134 million, 402 MB as RGB: a little below PIL's decompression bomb error).
inline constexpr int kPngMaxSide = 16384;
inline constexpr uint64_t kPngMaxPixels = uint64_t(1) << 27;

struct GrayImage {
    int width = 0, height = 0;
    std::vector<uint8_t> pixels;  // height rows of width bytes; 0 = black, 255 = white
};

// 8-bit grayscale, non-interlaced, one IDAT per MiB of compressed data: the bytes of the PNG
// file. pixels holds height rows of width bytes; 1 <= width, height <= kPngMaxSide.
std::vector<uint8_t> png_encode_gray(const uint8_t* pixels, int width, int height);

// png_encode_gray written atomically to path.
void png_write_gray(const std::string& path, const uint8_t* pixels, int width, int height);

// An 8-bit gray (channels 1) or RGB (channels 3) picture: height rows of width * channels bytes, the
// samples of a pixel together (R, G, B).
struct PngImage {
    int width = 0, height = 0, channels = 1;
    std::vector<uint8_t> pixels;
};

// The PNG file's bytes of image (colour type 0 or 2, 8-bit, non-interlaced), and the same written
// atomically to path. 1 <= width, height <= kPngMaxSide.
std::vector<uint8_t> png_encode_image(const PngImage& image);
void png_write_image(const std::string& path, const PngImage& image);

// Decodes PNG bytes: every colour type and bit depth, interlaced or not. Gray and gray + alpha give
// channels 1, the others (RGB, RGBA, palette) channels 3; alpha is dropped (colours as they are, not
// blended), 16-bit samples keep their high byte, palettes and low bit depths are expanded, gamma is
// ignored (as PIL does). Bounded before any pixel memory is taken: width and height at most
// kPngMaxSide, their product at most kPngMaxPixels, and the raw image data the header implies must fit
// what deflate could have packed into n bytes. Anything wrong throws a one-line gan::Error starting
// "<name>: " ("<name>: bad PNG: <libpng's message>" for a broken file).
PngImage png_decode(const uint8_t* data, size_t n, const std::string& name);

// png_decode of the file at path (at most 1 GiB).
PngImage png_read_image(const std::string& path);

// png_read_image as gray: RGB becomes (r + g + b) / 3 rounded to nearest.
GrayImage png_read_gray(const std::string& path);

// image as RGB: channels 3 as it is, 1 with the gray sample in all three.
PngImage image_to_rgb(const PngImage& image);

// Tiles n images (each rows x cols bytes, row-major, stored one after another) into a grid of
// grid_cols columns and ceil(n / grid_cols) rows, in reading order. Each tile is the image with a
// black (0) border `pad` pixels wide on every side; tiles after the n-th are all black. The whole
// grid is then upscaled by `scale` (nearest neighbour), so
//   width  = grid_cols * (cols + 2 * pad) * scale,
//   height = ceil(n / grid_cols) * (rows + 2 * pad) * scale.
// n, rows, cols, grid_cols, scale >= 1; pad >= 0; the result must fit kPngMaxSide.
GrayImage image_grid(const uint8_t* images, int n, int rows, int cols, int grid_cols, int pad,
                     int scale);

// image_grid of n images of `channels` (1 or 3) planes each (CHW, as the models give them): for
// channels 1 the gray grid itself, for 3 each plane tiled so and the three interleaved as RGB.
PngImage image_grid_planar(const uint8_t* images, int n, int channels, int rows, int cols, int grid_cols, int pad,
                           int scale);

// n images of channels x rows x cols (CHW) as rows x cols x channels (HWC: NumPy's and PIL's layout).
std::vector<uint8_t> planar_to_interleaved(const uint8_t* images, size_t n, int channels, int rows, int cols);

// The inverse of image_grid for a grid of grid_rows x grid_cols tiles of rows x cols images:
// returns grid_rows * grid_cols images (rows * cols bytes each, reading order). pad (0, 1 or 2)
// and scale are inferred from the size; when several fit, the first in the order pad 1, 0, 2
// whose borders are black and whose scale x scale blocks are uniform is taken. Throws when no
// pad/scale fits the size, or when none of those that fit matches the pixels.
std::vector<uint8_t> grid_split(const GrayImage& grid, int grid_rows, int grid_cols, int rows,
                                int cols);

}  // namespace gan
