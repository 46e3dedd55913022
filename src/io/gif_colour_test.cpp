// Colour GIFs: the fixed palette, its quantisation bound, gif_encode_image and gif_decode_image.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/rng.h"
#include "io/gif.h"
#include "gif_reader.h"
#include "test_util.h"

namespace gan {
namespace {

using testing::TempFolder;
using testing::error_of;
using testing::gif_decode_image;
using testing::gif_read_image;
using testing::GifImageAnimation;

PngImage random_rgb(int w, int h, Rng& rng) {
    PngImage im{w, h, 3, std::vector<uint8_t>(size_t(w) * size_t(h) * 3)};
    for (auto& p : im.pixels) p = uint8_t(rng.below(256));
    return im;
}

// The largest difference of one channel between the colour c and palette entry i.
int channel_error(const uint8_t* c, int i) {
    const uint8_t* p = &gif_colour_palette()[size_t(i) * 3];
    return std::max({std::abs(c[0] - p[0]), std::abs(c[1] - p[1]), std::abs(c[2] - p[2])});
}

TEST(GifColour, PaletteIsTheCubeAndFortyGrays) {
    const std::vector<uint8_t>& p = gif_colour_palette();
    ASSERT_EQ(p.size(), 768u);
    std::set<std::vector<uint8_t>> distinct;
    for (size_t i = 0; i < 256; ++i) distinct.insert({p[i * 3], p[i * 3 + 1], p[i * 3 + 2]});
    EXPECT_EQ(distinct.size(), 256u);
    EXPECT_EQ(std::vector<uint8_t>(p.begin() + 3 * (36 * 5 + 6 * 2 + 1), p.begin() + 3 * (36 * 5 + 6 * 2 + 2)),
              (std::vector<uint8_t>{255, 102, 51}));
    std::vector<int> grays;
    for (size_t i = 216; i < 256; ++i) {
        ASSERT_TRUE(p[i * 3] == p[i * 3 + 1] && p[i * 3] == p[i * 3 + 2]) << i;
        grays.push_back(p[i * 3]);
    }
    for (int v = 0; v <= 255; v += 51) grays.push_back(v);
    std::sort(grays.begin(), grays.end());
    for (size_t i = 1; i < grays.size(); ++i) EXPECT_LE(grays[i] - grays[i - 1], 6) << grays[i];
}

TEST(GifColour, NearestColourIsWithin25AChannelAndGraysWithin3) {
    int worst = 0, worst_gray = 0;
    for (int r = 0; r < 256; r += 3)
        for (int g = 0; g < 256; g += 5)
            for (int b = 0; b < 256; b += 7) {
                const uint8_t c[3] = {uint8_t(r), uint8_t(g), uint8_t(b)};
                const int i = gif_colour_index(c[0], c[1], c[2]);
                ASSERT_TRUE(i >= 0 && i < 256);
                worst = std::max(worst, channel_error(c, i));
            }
    for (int v = 0; v < 256; ++v) {
        const uint8_t c[3] = {uint8_t(v), uint8_t(v), uint8_t(v)};
        worst_gray = std::max(worst_gray, channel_error(c, gif_colour_index(c[0], c[1], c[2])));
    }
    EXPECT_LE(worst, 25);
    EXPECT_GE(worst, 20);  // the cube's spacing: a bound much below 25 would mean the test samples nothing
    EXPECT_LE(worst_gray, 3);
    // Palette colours map to themselves.
    const std::vector<uint8_t>& p = gif_colour_palette();
    for (int i = 0; i < 256; ++i)
        EXPECT_EQ(gif_colour_index(p[size_t(i) * 3], p[size_t(i) * 3 + 1], p[size_t(i) * 3 + 2]), i);
}

// The entry chosen is a nearest one: no palette entry has a smaller largest channel difference
// (against a search of all 256).
TEST(GifColour, ChosenEntryIsNearestOfAllEntries) {
    int checked = 0;
    for (int r = 0; r < 256; r += 3)
        for (int g = 1; g < 256; g += 5)
            for (int b = 2; b < 256; b += 7) {
                const uint8_t c[3] = {uint8_t(r), uint8_t(g), uint8_t(b)};
                int best = 256;
                for (int i = 0; i < 256; ++i) best = std::min(best, channel_error(c, i));
                ASSERT_EQ(channel_error(c, gif_colour_index(c[0], c[1], c[2])), best) << r << " " << g << " " << b;
                ++checked;
            }
    EXPECT_EQ(checked, 86 * 51 * 37);
}

TEST(GifColour, ColourFramesDecodeToTheirNearestPaletteColours) {
    Rng rng(8);
    std::vector<GifImageFrame> frames = {{random_rgb(40, 30, rng), 5}, {random_rgb(40, 30, rng), 9}};
    PngImage gray{40, 30, 1, std::vector<uint8_t>(40 * 30)};
    for (size_t i = 0; i < gray.pixels.size(); ++i) gray.pixels[i] = uint8_t(i * 7);
    frames.push_back({gray, 11});  // a gray frame among colour ones is taken as RGB
    TempFolder dir;
    gif_write_image(dir.file("c.gif"), frames, 2);
    const GifImageAnimation a = gif_read_image(dir.file("c.gif"));
    EXPECT_EQ(a.width, 40);
    EXPECT_EQ(a.height, 30);
    EXPECT_EQ(a.loop_count, 2);
    ASSERT_EQ(a.frames.size(), 3u);
    for (size_t f = 0; f < 3; ++f) {
        EXPECT_EQ(a.frames[f].delay_cs, frames[f].delay_cs);
        const PngImage& got = a.frames[f].image;
        const PngImage want = image_to_rgb(frames[f].image);
        ASSERT_EQ(got.channels, 3);
        ASSERT_EQ(got.pixels.size(), want.pixels.size());
        for (size_t p = 0; p < got.pixels.size() / 3; ++p) {
            const uint8_t* w = &want.pixels[p * 3];
            const int i = gif_colour_index(w[0], w[1], w[2]);
            ASSERT_EQ(0, std::memcmp(&got.pixels[p * 3], &gif_colour_palette()[size_t(i) * 3], 3)) << f << " " << p;
            ASSERT_LE(channel_error(w, i), f == 2 ? 3 : 25);
        }
    }
}

TEST(GifColour, AllGrayFramesAreTheGrayGif) {
    const GrayImage g{3, 2, {0, 10, 20, 200, 250, 255}};
    const PngImage p{3, 2, 1, g.pixels};
    EXPECT_EQ(gif_encode_image({{p, 4}, {p, 6}}, 1), gif_encode_gray({{g, 4}, {g, 6}}, 1));
    // And a gray GIF reads as its gray colours.
    const GifImageAnimation a = gif_decode_image(gif_encode_gray({{g, 4}}), "g.gif");
    EXPECT_EQ(a.frames[0].image.pixels, image_to_rgb(p).pixels);
}

TEST(GifColour, RejectsBadFrames) {
    EXPECT_CONTAINS(error_of([] { gif_encode_image({}); }), "no frames");
    EXPECT_CONTAINS(error_of([] { gif_encode_image({{PngImage{1, 1, 2, {1, 2}}, 1}}); }), "frame 0 has 2 channels");
    EXPECT_CONTAINS(error_of([] { gif_encode_image({{PngImage{2, 2, 3, {1, 2, 3}}, 1}}); }), "holds 3 bytes");
    const PngImage a{2, 2, 3, std::vector<uint8_t>(12)}, b{3, 2, 3, std::vector<uint8_t>(18)};
    EXPECT_CONTAINS(error_of([&] { gif_encode_image({{a, 1}, {b, 1}}); }), "frame 1 is 3x2");
    TempFolder dir;
    EXPECT_CONTAINS(error_of([&] { gif_write_image(dir.file("no/such/dir.gif"), {{a, 1}}); }), "dir.gif");
    EXPECT_CONTAINS(error_of([&] { gif_encode_indexed({{GrayImage{1, 1, {0}}, 1}}, {1, 2, 3}, 0, "x"); }),
                    "palette holds 3 bytes");
}

}  // namespace
}  // namespace gan
