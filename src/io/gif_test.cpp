#include "io/gif.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "gif_reader.h"
#include "test_util.h"

namespace gan {
namespace {

using testing::TempFolder;
using testing::error_of;
using testing::gif_decode_gray;
using testing::gif_read_gray;
using testing::GifAnimation;

GrayImage random_image(int w, int h, int levels, Rng& rng) {
    GrayImage g{w, h, std::vector<uint8_t>(size_t(w) * size_t(h))};
    for (auto& p : g.pixels) p = uint8_t(rng.below(uint32_t(levels)) * (256 / levels));
    return g;
}

void expect_same(const GrayImage& a, const GrayImage& b, const std::string& what) {
    ASSERT_EQ(a.width, b.width) << what;
    ASSERT_EQ(a.height, b.height) << what;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        ASSERT_EQ(int(a.pixels[i]), int(b.pixels[i])) << what << ": pixel " << i;
}

TEST(Gif, OnePixelMatchesHandEncodedBytes) {
    // clear (256), literal 0, end (257): three 9-bit codes packed LSB first -> 00 01 04 04.
    const std::vector<uint8_t> gif = gif_encode_gray({{GrayImage{1, 1, {0}}, 7}}, -1);
    const std::vector<uint8_t> tail = {0x21, 0xf9, 4, 4, 7, 0, 0, 0,               // control: delay 7
                                       0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0,           // descriptor 1x1
                                       8, 4, 0x00, 0x01, 0x04, 0x04, 0, 0x3b};  // LZW data, trailer
    ASSERT_EQ(gif.size(), 13 + 768 + tail.size());
    EXPECT_EQ(std::string(gif.begin(), gif.begin() + 6), "GIF89a");
    EXPECT_EQ(gif[10], 0xf7);  // global table of 256 entries
    EXPECT_EQ(gif[13 + 3 * 200], 200);
    EXPECT_EQ(std::vector<uint8_t>(gif.end() - long(tail.size()), gif.end()), tail);
}

TEST(Gif, RoundTripsFramesDelaysAndLoopCount) {
    Rng rng(3);
    std::vector<GifFrame> frames;
    // Noise of 256 levels fills the code table quickly (clear codes, 12-bit codes); flat and
    // two-level images make long strings.
    frames.push_back({random_image(300, 200, 256, rng), 5});
    frames.push_back({GrayImage{300, 200, std::vector<uint8_t>(300 * 200, 255)}, 0});
    frames.push_back({random_image(300, 200, 2, rng), 65535});
    GrayImage ramp{300, 200, std::vector<uint8_t>(300 * 200)};
    for (size_t i = 0; i < ramp.pixels.size(); ++i) ramp.pixels[i] = uint8_t(i % 300 * 255 / 299);
    frames.push_back({ramp, 20});
    TempFolder dir;
    gif_write_gray(dir.file("a.gif"), frames, 0);
    const GifAnimation a = gif_read_gray(dir.file("a.gif"));
    EXPECT_EQ(a.width, 300);
    EXPECT_EQ(a.height, 200);
    EXPECT_EQ(a.loop_count, 0);
    ASSERT_EQ(a.frames.size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(a.frames[i].delay_cs, frames[i].delay_cs);
        expect_same(a.frames[i].image, frames[i].image, "frame " + std::to_string(i));
    }
    EXPECT_EQ(gif_decode_gray(gif_encode_gray(frames, 3), "x").loop_count, 3);
    EXPECT_EQ(gif_decode_gray(gif_encode_gray(frames, -1), "x").loop_count, -1);
}

TEST(Gif, RoundTripsEveryLengthAcrossCodeWidthChanges) {
    // The end code's width depends on how many codes came before it; every length from 1 to 5000
    // pixels of a few alphabets crosses each 9->10->11->12 bit change and the table reset (what
    // giflib's encoder must get right for our frame sizes, read back by giflib's decoder).
    Rng rng(5);
    for (int levels : {2, 16, 256}) {
        for (int n = 1; n <= 5000; n += (n < 600 ? 1 : 37)) {
            GrayImage g = random_image(n, 1, levels, rng);
            const GifAnimation a = gif_decode_gray(gif_encode_gray({{g, 1}}), "x");
            ASSERT_EQ(a.frames.size(), 1u);
            expect_same(a.frames[0].image, g, "levels " + std::to_string(levels) + " n " + std::to_string(n));
        }
    }
}

TEST(Gif, RejectsBadInputWithOneLineErrors) {
    EXPECT_CONTAINS(error_of([] { gif_encode_gray({}); }), "no frames");
    const GrayImage a{2, 2, {1, 2, 3, 4}}, b{3, 2, {1, 2, 3, 4, 5, 6}};
    EXPECT_CONTAINS(error_of([&] { gif_encode_gray({{a, 1}, {b, 1}}); }), "frame 1 is 3x2");
    EXPECT_CONTAINS(error_of([&] { gif_encode_gray({{a, 70000}}); }), "delay 70000");
    EXPECT_CONTAINS(error_of([&] { gif_encode_gray({{GrayImage{2, 2, {1}}, 1}}); }), "holds 1 pixels");
    TempFolder dir;
    EXPECT_CONTAINS(error_of([&] { gif_write_gray(dir.file("no/such/dir.gif"), {{a, 1}}); }), "dir.gif");

    EXPECT_CONTAINS(error_of([&] { gif_encode_gray({{a, 1}}, 70000); }), "loop count 70000");
}

}  // namespace
}  // namespace gan
