// Animated GIF (GIF89a) of 8-bit grayscale frames, written without giflib: a 256-entry gray
// global palette (index i is the colour (i, i, i), so a pixel's byte is its palette index), the
// NETSCAPE2.0 application extension for looping, and per frame a graphic control extension
// (delay) and a full-canvas image of variable-width LZW codes (GIF89a spec, sections 20-23 and
// appendix F). A small reader for such files is included for tests and for checking output.
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

struct GifAnimation {
    int width = 0, height = 0;
    int loop_count = -1;  // from the NETSCAPE2.0 extension; -1 when the file has none
    std::vector<GifFrame> frames;
};

// Reads a GIF87a/GIF89a whose every image covers the whole canvas and is not interlaced (what
// gif_write_gray writes); pixels become gray as (r + g + b) / 3 rounded to nearest of the local or
// global palette colour. Checks the LZW data strictly (bad codes, missing end code, wrong pixel
// count). Throws a one-line gan::Error naming the path for anything else.
GifAnimation gif_read_gray(const std::string& path);
GifAnimation gif_decode_gray(const std::vector<uint8_t>& bytes, const std::string& path_for_errors);

}  // namespace gan
