#include "data/resize.h"

#include <gtest/gtest.h>

#include <cmath>

#include "data/data_test_util.h"

using gan::Image;
using gan::testing::noise_image;

namespace {

Image row_image(const std::vector<uint8_t>& v) { return Image{1, int(v.size()), 1, v}; }

// A plain reading of PIL's antialiased bilinear filter, in doubles: each output sample is the
// normalised triangle-weighted mean of the inputs within scale (at least 1) of its centre.
std::vector<double> reference_weights(int in, int out, int o, int& first) {
    const double scale = double(in) / out, fs = std::max(1.0, scale);
    const double center = (o + 0.5) * scale;
    first = std::max(0, int(center - fs + 0.5));
    const int last = std::min(in, int(center + fs + 0.5));
    std::vector<double> w;
    double sum = 0;
    for (int i = first; i < last; ++i) {
        w.push_back(std::max(0.0, 1.0 - std::fabs((i - center + 0.5) / fs)));
        sum += w.back();
    }
    for (double& x : w) x /= sum;
    return w;
}

// Horizontal pass rounded to 8 bits, then the vertical pass, as PIL orders them.
Image reference_resize(const Image& in, int oh, int ow) {
    const int c = in.channels;
    Image mid{in.height, ow, c, std::vector<uint8_t>(size_t(in.height) * ow * c)};
    for (int y = 0; y < in.height; ++y)
        for (int o = 0; o < ow; ++o) {
            int first;
            const auto w = ow == in.width ? std::vector<double>{1.0} : reference_weights(in.width, ow, o, first);
            if (ow == in.width) first = o;
            for (int ch = 0; ch < c; ++ch) {
                double acc = 0;
                for (size_t k = 0; k < w.size(); ++k) acc += w[k] * in.pixels[(size_t(y) * in.width + first + k) * c + ch];
                mid.pixels[(size_t(y) * ow + o) * c + ch] = uint8_t(std::clamp(std::floor(acc + 0.5), 0.0, 255.0));
            }
        }
    Image out{oh, ow, c, std::vector<uint8_t>(size_t(oh) * ow * c)};
    for (int o = 0; o < oh; ++o) {
        int first;
        const auto w = oh == in.height ? std::vector<double>{1.0} : reference_weights(in.height, oh, o, first);
        if (oh == in.height) first = o;
        for (int x = 0; x < ow * c; ++x) {
            double acc = 0;
            for (size_t k = 0; k < w.size(); ++k) acc += w[k] * mid.pixels[(first + k) * size_t(ow) * c + x];
            out.pixels[size_t(o) * ow * c + x] = uint8_t(std::clamp(std::floor(acc + 0.5), 0.0, 255.0));
        }
    }
    return out;
}

}  // namespace

TEST(Resize, HandComputedDownscale) {
    // 4 -> 2, scale 2, support 2. Output 0: centre 1, inputs 0..2 at distances 0.5, 0.5, 1.5 (in
    // units of 2): weights 0.75, 0.75, 0.25 -> (0 * 3 + 100 * 3 + 200) / 7 = 71.4 -> 71. Output 1:
    // centre 3, inputs 1..3, weights 0.25, 0.75, 0.75 -> (100 + 600 + 765) / 7 = 209.3 -> 209.
    EXPECT_EQ(gan::resize_bilinear(row_image({0, 100, 200, 255}), 1, 2).pixels, std::vector<uint8_t>({71, 209}));
}

TEST(Resize, HandComputedUpscale) {
    // 2 -> 4, scale 0.5, support 1: centres 0.25, 0.75, 1.25, 1.75. Output 0 reaches input 0 only;
    // output 1: 0.75 * 0 + 0.25 * 200 = 50; output 2: 0.25 * 0 + 0.75 * 200 = 150; output 3: 200.
    EXPECT_EQ(gan::resize_bilinear(row_image({0, 200}), 1, 4).pixels, std::vector<uint8_t>({0, 50, 150, 200}));
    // The same along the vertical axis.
    const Image col{2, 1, 1, {0, 200}};
    EXPECT_EQ(gan::resize_bilinear(col, 4, 1).pixels, std::vector<uint8_t>({0, 50, 150, 200}));
}

TEST(Resize, SameSizeIsIdentityAndFlatStaysFlat) {
    const Image img = noise_image(9, 7, 3, 11);
    EXPECT_EQ(gan::resize_bilinear(img, 9, 7).pixels, img.pixels);
    const Image flat = gan::testing::flat_image(37, 23, {17, 250, 3});
    const Image small = gan::resize_bilinear(flat, 5, 8);
    for (size_t i = 0; i < small.pixels.size(); ++i) ASSERT_EQ(small.pixels[i], flat.pixels[i % 3]);
}

TEST(Resize, MatchesReferenceWithinOneLevel) {
    const int sizes[][4] = {{37, 23, 8, 5}, {64, 64, 17, 31}, {5, 7, 13, 11}, {100, 3, 9, 2}, {8, 8, 8, 3}};
    for (const auto& s : sizes) {
        for (int c : {1, 3}) {
            const Image img = noise_image(s[0], s[1], c, uint32_t(s[0] * 31 + s[1] + c));
            const Image got = gan::resize_bilinear(img, s[2], s[3]);
            const Image ref = reference_resize(img, s[2], s[3]);
            ASSERT_EQ(got.height, s[2]);
            ASSERT_EQ(got.width, s[3]);
            ASSERT_EQ(got.channels, c);
            int worst = 0;
            for (size_t i = 0; i < got.pixels.size(); ++i)
                worst = std::max(worst, std::abs(int(got.pixels[i]) - int(ref.pixels[i])));
            EXPECT_LE(worst, 1) << s[0] << "x" << s[1] << " -> " << s[2] << "x" << s[3] << " c" << c;
        }
    }
}

TEST(Resize, ShorterSideSize) {
    EXPECT_EQ(gan::shorter_side_size(100, 200, 64), std::make_pair(64, 128));
    EXPECT_EQ(gan::shorter_side_size(200, 100, 64), std::make_pair(128, 64));
    EXPECT_EQ(gan::shorter_side_size(3, 5, 2), std::make_pair(2, 3));  // 2 * 5 / 3 = 3.33
    EXPECT_EQ(gan::shorter_side_size(50, 50, 64), std::make_pair(64, 64));
}

TEST(Resize, CenterCropRoundsHalvesToEven) {
    // A 1 x 10 row of 0..9: widths 5, 7 and 9 leave 5, 3 and 1 columns; round(2.5) = 2,
    // round(1.5) = 2, round(0.5) = 0.
    Image row = row_image({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    EXPECT_EQ(gan::center_crop(row, 1, 5).pixels, std::vector<uint8_t>({2, 3, 4, 5, 6}));
    EXPECT_EQ(gan::center_crop(row, 1, 7).pixels, std::vector<uint8_t>({2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(gan::center_crop(row, 1, 9).pixels, std::vector<uint8_t>({0, 1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(gan::center_crop(row, 1, 4).pixels, std::vector<uint8_t>({3, 4, 5, 6}));
    const Image img = noise_image(6, 4, 3, 12);
    const Image crop = gan::center_crop(img, 2, 2);  // rows 2..3, columns 1..2
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
            for (int c = 0; c < 3; ++c)
                EXPECT_EQ(crop.pixels[size_t((y * 2 + x) * 3 + c)], img.pixels[size_t(((y + 2) * 4 + x + 1) * 3 + c)]);
    EXPECT_THROW(gan::center_crop(img, 7, 2), gan::Error);
}

TEST(Resize, ResizeAndCropIsSquare) {
    const Image img = noise_image(30, 47, 3, 13);
    const Image out = gan::resize_and_crop(img, 16);
    EXPECT_EQ(out.height, 16);
    EXPECT_EQ(out.width, 16);
    // 30x47 -> 16x25 (16 * 47 / 30 = 25.07), then columns 4..19 (round(4.5) = 4).
    const Image mid = gan::resize_bilinear(img, 16, 25);
    EXPECT_EQ(out.pixels, gan::center_crop(mid, 16, 16).pixels);
    EXPECT_EQ(std::vector<uint8_t>(out.pixels.begin(), out.pixels.begin() + 3),
              std::vector<uint8_t>(mid.pixels.begin() + 12, mid.pixels.begin() + 15));
    EXPECT_THROW(gan::resize_and_crop(Image{1, 16384, 1, std::vector<uint8_t>(16384)}, 4096), gan::Error);
}
