// Animated GIF (GIF89a) of 8-bit grayscale or RGB frames, written with giflib. Gray frames get a
// 256-entry gray global palette (index i is the colour (i, i, i), so a pixel's byte is its palette
// index), colour frames a fixed 256-entry colour palette (each pixel its nearest entry); then the
// NETSCAPE2.0 application extension for looping, and per frame a graphic control extension
// (delay) and a full-canvas image (GIF89a spec, sections 20-23). The palette choice is kept here
// rather than giflib's median-cut quantiser (GifQuantizeBuffer): a fixed palette keeps frames of the
// same picture identical and bounds every pixel's error (BENCHMARKS.md compares the two).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/png.h"

namespace gan {

// Largest width or height the GIF format can store.
inline constexpr int kGifMaxSide = 65535;

struct GifFrame {
    GrayImage image;
    int delay_cs = 10;  // display time in 1/100 s; browsers show 0 and 1 as 10
};

// The bytes of an animated GIF. Every frame must have the same width and height (1..kGifMaxSide)
// and a delay in 0..65535. loop_count 0 loops forever, n > 0 plays n + 1 times in total (the
// NETSCAPE2.0 convention), -1 writes no loop extension (plays once). At least one frame.
std::vector<uint8_t> gif_encode_gray(const std::vector<GifFrame>& frames, int loop_count = 0);

// gif_encode_gray written atomically to path; errors name the path.
void gif_write_gray(const std::string& path, const std::vector<GifFrame>& frames, int loop_count = 0);

// A frame of gray (channels 1) or RGB (channels 3) pixels.
struct GifImageFrame {
    PngImage image;
    int delay_cs = 10;
};

// The bytes of an animated GIF of gray or colour frames, with gif_encode_gray's rules on sizes, delays
// and loop_count. When every frame has channels 1 the bytes are exactly gif_encode_gray's (the gray
// palette, lossless); otherwise gray frames are taken as RGB and every pixel becomes the entry of the
// colour palette nearest it (gif_colour_index): no dithering, so the error bound holds pixel by pixel,
// frames of the same picture stay identical and flat areas compress well.
std::vector<uint8_t> gif_encode_image(const std::vector<GifImageFrame>& frames, int loop_count = 0);

// gif_encode_image written atomically to path; errors name the path.
void gif_write_image(const std::string& path, const std::vector<GifImageFrame>& frames, int loop_count = 0);

// The fixed colour palette: entries 0..215 are the 6 x 6 x 6 cube, entry 36 r + 6 g + b the colour
// (51 r, 51 g, 51 b); entries 216..255 are 40 more grays, 8 evenly spaced between each two of the cube's
// six grays (0, 51, ..., 255), so that gray and nearly gray pixels (borders, backgrounds, gray
// pictures) come out within 3 levels. 768 bytes: R, G, B of each entry.
const std::vector<uint8_t>& gif_colour_palette();

// The palette entry nearest (r, g, b) by the largest of the three channel differences (ties: the cube
// entry): every channel comes out within 25 levels of the input, a gray input within 3.
int gif_colour_index(uint8_t r, uint8_t g, uint8_t b);

// The gray palette of gif_encode_gray: entry i is (i, i, i). 768 bytes.
const std::vector<uint8_t>& gif_gray_palette();

// The bytes of a GIF of the given frames, whose pixels are palette indices (GrayImage bytes), under
// palette (768 bytes: 256 RGB entries); what starts error messages. gif_encode_gray and
// gif_encode_image write through it.
std::vector<uint8_t> gif_encode_indexed(const std::vector<GifFrame>& frames, const std::vector<uint8_t>& palette,
                                        int loop_count, const std::string& what);

}  // namespace gan
