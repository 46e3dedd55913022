// Colour GIFs (gif.h): the fixed 256-entry palette, nearest-colour quantisation and the frame
// checks of gif_encode_image.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/check.h"
#include "io/file.h"
#include "io/gif.h"

namespace gan {

namespace {

constexpr int kCubeLevels = 6, kCubeStep = 51;       // cube levels 0, 51, ..., 255
constexpr int kCubeEntries = 216, kGraysBetween = 8;  // 216 + 5 * 8 = 256 entries

// Every gray of the palette (the cube's six and the 40 others) by value, with its index.
struct GrayLevel {
    int value, index;
};

std::vector<GrayLevel> gray_levels() {
    std::vector<GrayLevel> g;
    const std::vector<uint8_t>& p = gif_colour_palette();
    for (int i = 0; i < 256; ++i)
        if (p[size_t(i) * 3] == p[size_t(i) * 3 + 1] && p[size_t(i) * 3] == p[size_t(i) * 3 + 2])
            g.push_back({p[size_t(i) * 3], i});
    std::sort(g.begin(), g.end(), [](const GrayLevel& a, const GrayLevel& b) { return a.value < b.value; });
    return g;
}

// nearest_gray[v]: the palette gray nearest the value v.
const std::array<GrayLevel, 256>& nearest_gray() {
    static const std::array<GrayLevel, 256> table = [] {
        const std::vector<GrayLevel> g = gray_levels();
        std::array<GrayLevel, 256> t{};
        for (int v = 0; v < 256; ++v) {
            t[size_t(v)] = g[0];
            for (const GrayLevel& l : g)
                if (std::abs(l.value - v) < std::abs(t[size_t(v)].value - v)) t[size_t(v)] = l;
        }
        return t;
    }();
    return table;
}

// Per channel value v: its nearest cube level (v + 25) / 51 and the distance to it.
struct CubeLevel {
    uint8_t level, error;
};

const std::array<CubeLevel, 256>& cube_levels() {
    static const std::array<CubeLevel, 256> table = [] {
        std::array<CubeLevel, 256> t{};
        for (int v = 0; v < 256; ++v) {
            const int q = (v + kCubeStep / 2) / kCubeStep;
            t[size_t(v)] = {uint8_t(q), uint8_t(std::abs(v - q * kCubeStep))};
        }
        return t;
    }();
    return table;
}

// out[i] = gif_colour_index of the i-th of n RGB pixels: by table lookups, with the tables fetched
// once per call (a GIF's frames are a few million pixels).
void colour_indices(const uint8_t* rgb, size_t n, uint8_t* out) {
    const std::array<CubeLevel, 256>& cube = cube_levels();
    const std::array<GrayLevel, 256>& grays = nearest_gray();
    for (size_t p = 0; p < n; ++p, rgb += 3) {
        const CubeLevel r = cube[rgb[0]], g = cube[rgb[1]], b = cube[rgb[2]];
        const int index = (r.level * kCubeLevels + g.level) * kCubeLevels + b.level;
        const int cube_err = std::max({r.error, g.error, b.error});
        // The gray minimising the largest difference is the one nearest the middle of the smallest
        // and largest channel.
        const int lo = std::min({rgb[0], rgb[1], rgb[2]}), hi = std::max({rgb[0], rgb[1], rgb[2]});
        const GrayLevel& gray = grays[size_t((lo + hi + 1) / 2)];
        const int gray_err = std::max(hi - gray.value, gray.value - lo);
        out[p] = uint8_t(gray_err < cube_err ? gray.index : index);
    }
}

std::vector<uint8_t> encode_image(const std::vector<GifImageFrame>& frames, int loop_count, const std::string& what) {
    bool all_gray = true;
    for (size_t i = 0; i < frames.size(); ++i) {
        const PngImage& im = frames[i].image;
        GAN_CHECK(im.channels == 1 || im.channels == 3, what, ": frame ", i, " has ", im.channels,
                  " channels; 1 or 3 are supported");
        GAN_CHECK(im.pixels.size() == size_t(im.width) * size_t(im.height) * size_t(im.channels), what, ": frame ",
                  i, " holds ", im.pixels.size(), " bytes, expected ", im.width, "x", im.height, "x", im.channels);
        all_gray = all_gray && im.channels == 1;
    }
    std::vector<GifFrame> indexed;
    indexed.reserve(frames.size());
    for (const GifImageFrame& f : frames) {
        const PngImage& im = f.image;
        GifFrame g{GrayImage{im.width, im.height, {}}, f.delay_cs};
        if (all_gray || im.channels == 1) {
            g.image.pixels = im.pixels;
            if (!all_gray)
                for (uint8_t& v : g.image.pixels) v = uint8_t(gif_colour_index(v, v, v));
        } else {
            g.image.pixels.resize(im.pixels.size() / 3);
            colour_indices(im.pixels.data(), g.image.pixels.size(), g.image.pixels.data());
        }
        indexed.push_back(std::move(g));
    }
    return gif_encode_indexed(indexed, all_gray ? gif_gray_palette() : gif_colour_palette(), loop_count, what);
}

}  // namespace

const std::vector<uint8_t>& gif_colour_palette() {
    static const std::vector<uint8_t> palette = [] {
        std::vector<uint8_t> p;
        p.reserve(768);
        for (int i = 0; i < kCubeEntries; ++i)
            p.insert(p.end(), {uint8_t(i / 36 * kCubeStep), uint8_t(i / 6 % 6 * kCubeStep), uint8_t(i % 6 * kCubeStep)});
        for (int k = 0; k < (kCubeLevels - 1) * kGraysBetween; ++k) {
            // Gray j of the 8 between cube grays 51 s and 51 (s + 1): 51 (s + j / 9), rounded.
            const int s = k / kGraysBetween, j = k % kGraysBetween + 1;
            const int v = (2 * kCubeStep * (9 * s + j) + 9) / 18;
            p.insert(p.end(), {uint8_t(v), uint8_t(v), uint8_t(v)});
        }
        return p;
    }();
    return palette;
}

int gif_colour_index(uint8_t r, uint8_t g, uint8_t b) {
    const uint8_t rgb[3] = {r, g, b};
    uint8_t index = 0;
    colour_indices(rgb, 1, &index);
    return index;
}

std::vector<uint8_t> gif_encode_image(const std::vector<GifImageFrame>& frames, int loop_count) {
    return encode_image(frames, loop_count, "cannot encode GIF");
}

void gif_write_image(const std::string& path, const std::vector<GifImageFrame>& frames, int loop_count) {
    const std::vector<uint8_t> out = encode_image(frames, loop_count, path + ": cannot write GIF");
    file_write_atomic(path, out.data(), out.size());
}

}  // namespace gan
