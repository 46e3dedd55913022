#include "data/image_decode.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "data/data_test_util.h"

using gan::Image;
using gan::testing::error_of;
using gan::testing::flat_image;
using gan::testing::jpeg_of;
using gan::testing::noise_image;
using gan::testing::png_bytes;
using gan::testing::png_of;
using gan::testing::PngSpec;
using gan::testing::ramp_image;

namespace {

Image decode(const std::vector<uint8_t>& bytes, int channels) {
    return gan::decode_image(bytes.data(), bytes.size(), channels, "img");
}

std::string decode_error(const std::vector<uint8_t>& bytes, int channels = 3) {
    return error_of([&] { decode(bytes, channels); });
}

// A PNG made of the signature, an IHDR chunk claiming width x height (8-bit, colour type ct), an
// IDAT chunk of 8 bytes and IEND.
std::vector<uint8_t> png_header_only(uint32_t width, uint32_t height, uint8_t ct) {
    std::vector<uint8_t> v = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    auto chunk = [&](const char* type, const std::vector<uint8_t>& data) {
        for (int s = 24; s >= 0; s -= 8) v.push_back(uint8_t(data.size() >> s));
        std::vector<uint8_t> body(type, type + 4);
        body.insert(body.end(), data.begin(), data.end());
        v.insert(v.end(), body.begin(), body.end());
        const uint32_t crc = uint32_t(crc32(0, body.data(), uInt(body.size())));
        for (int s = 24; s >= 0; s -= 8) v.push_back(uint8_t(crc >> s));
    };
    std::vector<uint8_t> ihdr;
    for (uint32_t x : {width, height})
        for (int s = 24; s >= 0; s -= 8) ihdr.push_back(uint8_t(x >> s));
    ihdr.insert(ihdr.end(), {8, ct, 0, 0, 0});
    chunk("IHDR", ihdr);
    chunk("IDAT", std::vector<uint8_t>(8, 0));
    chunk("IEND", {});
    return v;
}

int max_abs_diff(const Image& a, const Image& b) {
    EXPECT_EQ(a.pixels.size(), b.pixels.size());
    int d = 0;
    for (size_t i = 0; i < a.pixels.size() && i < b.pixels.size(); ++i)
        d = std::max(d, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    return d;
}

}  // namespace

TEST(ImageDecode, GrayOfRgbIsPilsFormula) {
    // 0.299 * 255 = 76.245, 0.587 * 255 = 149.685, 0.114 * 255 = 29.07.
    EXPECT_EQ(gan::gray_of_rgb(255, 0, 0), 76);
    EXPECT_EQ(gan::gray_of_rgb(0, 255, 0), 150);
    EXPECT_EQ(gan::gray_of_rgb(0, 0, 255), 29);
    EXPECT_EQ(gan::gray_of_rgb(255, 255, 255), 255);
    // 299 * 10 + 587 * 20 + 114 * 30 = 18150 -> 18.15 -> 18.
    EXPECT_EQ(gan::gray_of_rgb(10, 20, 30), 18);
}

TEST(ImageDecode, PngRgbAndGrayExact) {
    const Image rgb = noise_image(5, 7, 3, 1);
    const Image got = decode(png_of(rgb), 3);
    EXPECT_EQ(got.height, 5);
    EXPECT_EQ(got.width, 7);
    EXPECT_EQ(got.channels, 3);
    EXPECT_EQ(got.pixels, rgb.pixels);
    const Image gray = decode(png_of(rgb), 1);
    ASSERT_EQ(gray.pixels.size(), 35u);
    for (size_t i = 0; i < 35; ++i)
        EXPECT_EQ(gray.pixels[i], gan::gray_of_rgb(rgb.pixels[3 * i], rgb.pixels[3 * i + 1], rgb.pixels[3 * i + 2]));
    const Image g = noise_image(3, 4, 1, 2);
    EXPECT_EQ(decode(png_of(g), 1).pixels, g.pixels);
    const Image g3 = decode(png_of(g), 3);
    ASSERT_EQ(g3.pixels.size(), 36u);
    for (size_t i = 0; i < 12; ++i)
        for (size_t c = 0; c < 3; ++c) EXPECT_EQ(g3.pixels[3 * i + c], g.pixels[i]);
}

TEST(ImageDecode, PngAlphaIsDroppedNotBlended) {
    PngSpec s;
    s.width = 2;
    s.height = 1;
    s.color_type = PNG_COLOR_TYPE_RGBA;
    const Image got = decode(png_bytes(s, {10, 20, 30, 0, 200, 100, 50, 128}), 3);
    EXPECT_EQ(got.pixels, std::vector<uint8_t>({10, 20, 30, 200, 100, 50}));
    s.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
    EXPECT_EQ(decode(png_bytes(s, {7, 0, 9, 255}), 1).pixels, std::vector<uint8_t>({7, 9}));
}

TEST(ImageDecode, PngPaletteSixteenBitAndOneBit) {
    PngSpec s;
    s.width = 3;
    s.height = 1;
    s.color_type = PNG_COLOR_TYPE_PALETTE;
    s.palette = {{1, 2, 3}, {40, 50, 60}, {255, 0, 128}};
    EXPECT_EQ(decode(png_bytes(s, {2, 0, 1}), 3).pixels,
              std::vector<uint8_t>({255, 0, 128, 1, 2, 3, 40, 50, 60}));
    PngSpec s16;
    s16.width = 2;
    s16.height = 1;
    s16.color_type = PNG_COLOR_TYPE_GRAY;
    s16.bit_depth = 16;
    // 16-bit samples 0xABCD and 0x12FF keep their high bytes.
    EXPECT_EQ(decode(png_bytes(s16, {0xab, 0xcd, 0x12, 0xff}), 1).pixels, std::vector<uint8_t>({0xab, 0x12}));
    PngSpec s1;
    s1.width = 8;
    s1.height = 1;
    s1.color_type = PNG_COLOR_TYPE_GRAY;
    s1.bit_depth = 1;
    EXPECT_EQ(decode(png_bytes(s1, {0xa5}), 1).pixels, std::vector<uint8_t>({255, 0, 255, 0, 0, 255, 0, 255}));
}

TEST(ImageDecode, PngInterlacedEqualsPlain) {
    const Image img = noise_image(13, 11, 3, 3);
    PngSpec s;
    s.width = 11;
    s.height = 13;
    s.interlaced = true;
    EXPECT_EQ(decode(png_bytes(s, img.pixels), 3).pixels, img.pixels);
}

TEST(ImageDecode, JpegCloseToSourceAndProgressiveEqualsBaseline) {
    const Image flat = flat_image(16, 24, {200, 30, 90});
    EXPECT_LE(max_abs_diff(decode(jpeg_of(flat, 95), 3), flat), 3);
    const Image ramp = ramp_image(40, 56, 3);
    const Image base = decode(jpeg_of(ramp, 95), 3);
    EXPECT_EQ(base.width, 56);
    EXPECT_EQ(base.height, 40);
    EXPECT_LE(max_abs_diff(base, ramp), 12);
    // Same quantisation, same coefficients: progressive and arithmetic coding decode to the very
    // same pixels.
    EXPECT_EQ(decode(jpeg_of(ramp, 95, gan::testing::JpegCoding::progressive), 3).pixels, base.pixels);
    EXPECT_EQ(decode(jpeg_of(ramp, 95, gan::testing::JpegCoding::arithmetic), 3).pixels, base.pixels);
    // Colour to gray goes through RGB and PIL's formula.
    const Image gray = decode(jpeg_of(ramp, 95), 1);
    ASSERT_EQ(gray.pixels.size(), size_t(40 * 56));
    for (size_t i = 0; i < gray.pixels.size(); ++i)
        ASSERT_EQ(gray.pixels[i],
                  gan::gray_of_rgb(base.pixels[3 * i], base.pixels[3 * i + 1], base.pixels[3 * i + 2]));
    const Image g = ramp_image(9, 17, 1);
    const Image gd = decode(jpeg_of(g, 100), 1);
    EXPECT_LE(max_abs_diff(gd, g), 3);
    const Image gd3 = decode(jpeg_of(g, 100), 3);
    for (size_t i = 0; i < gd.pixels.size(); ++i) EXPECT_EQ(gd3.pixels[3 * i + 1], gd.pixels[i]);
}

TEST(ImageDecode, RefusesWhatIsNotAnImage) {
    EXPECT_CONTAINS(decode_error({}), "img: not a PNG or JPEG");
    EXPECT_CONTAINS(decode_error({'G', 'I', 'F', '8', '9', 'a', 0, 0, 0}), "not a PNG or JPEG");
    EXPECT_CONTAINS(error_of([] { decode(png_of(noise_image(2, 2, 3, 4)), 2); }), "channels must be 1 or 3");
}

TEST(ImageDecode, RefusesBrokenPng) {
    std::vector<uint8_t> png = png_of(noise_image(20, 20, 3, 5));
    const std::vector<uint8_t> cut(png.begin(), png.begin() + long(png.size() / 2));
    EXPECT_CONTAINS(decode_error(cut), "img: bad PNG");
    std::vector<uint8_t> bad_crc = png;
    bad_crc[29] ^= 0x01;  // the IHDR chunk's CRC
    EXPECT_CONTAINS(decode_error(bad_crc), "img: bad PNG");
    std::vector<uint8_t> bad_data = png;
    bad_data[bad_data.size() / 2] ^= 0xff;  // inside IDAT: its CRC no longer matches
    EXPECT_CONTAINS(decode_error(bad_data), "bad PNG");
}

TEST(ImageDecode, PngSizeIsCheckedBeforeAllocating) {
    EXPECT_CONTAINS(decode_error(png_header_only(20000, 10, 2)), "img: bad PNG");
    EXPECT_CONTAINS(decode_error(png_header_only(0, 10, 2)), "img: bad PNG");
    // 8000 x 8000 RGB claims 192 MB of raw data in a 65-byte file.
    const std::vector<uint8_t> bomb = png_header_only(8000, 8000, 2);
    EXPECT_EQ(bomb.size(), 65u);
    EXPECT_CONTAINS(decode_error(bomb), "img: bad PNG: 8000x8000 needs 192008000 bytes of image data, more than 65 bytes");
    // Within the size limits but past the pixel limit.
    EXPECT_CONTAINS(error_of([] { gan::check_image_dims(16384, 16385, "x"); }), "x: image is 16384x16385");
    EXPECT_CONTAINS(error_of([] { gan::check_image_dims(16384, 8193, "x"); }), "more than 134217728 pixels");
    EXPECT_NO_THROW(gan::check_image_dims(16384, 8192, "x"));
}

TEST(ImageDecode, RefusesBrokenJpeg) {
    const std::vector<uint8_t> jpg = jpeg_of(noise_image(32, 32, 3, 6));
    const std::vector<uint8_t> cut(jpg.begin(), jpg.begin() + long(jpg.size() * 3 / 4));
    EXPECT_CONTAINS(decode_error(cut), "img: bad JPEG: file ends before the image data does");
    EXPECT_CONTAINS(decode_error({0xff, 0xd8, 0xff, 0x00, 0x11}), "img: bad JPEG");
    // Cut in its scan data but ending with the end-of-image marker FF D9: truncated all the same.
    std::vector<uint8_t> cut_marked = cut;
    cut_marked.insert(cut_marked.end(), {0xff, 0xd9});
    EXPECT_CONTAINS(decode_error(cut_marked), "img: bad JPEG: file ends before the image data does");
    // A JPEG header claiming 8192 x 16384 pixels in a few hundred bytes.
    std::vector<uint8_t> big = jpeg_of(flat_image(8, 8, {1, 2, 3}));
    for (size_t i = 0; i + 8 < big.size(); ++i) {
        if (big[i] == 0xff && big[i + 1] == 0xc0) {  // SOF0: length, precision, height, width
            big[i + 5] = 0x20, big[i + 6] = 0x00, big[i + 7] = 0x40, big[i + 8] = 0x00;
            break;
        }
    }
    EXPECT_CONTAINS(decode_error(big), "16384x8192 pixels from only");
}

TEST(ImageDecode, EveryPrefixIsDecodedOrRefused) {
    // Truncation at every byte: a gan::Error or an image, never a crash or another exception.
    for (const auto& file : {png_of(noise_image(6, 5, 3, 7)), jpeg_of(ramp_image(6, 5, 3), 90, gan::testing::JpegCoding::progressive)}) {
        for (size_t n = 0; n < file.size(); ++n) {
            try {
                const Image img = gan::decode_image(file.data(), n, 3, "prefix");
                EXPECT_EQ(img.pixels.size(), 90u);
            } catch (const gan::Error&) {
            }
        }
    }
}

TEST(ImageDecode, ReadImageNamesTheFile) {
    gan::testing::TempFolder dir;
    const Image img = noise_image(3, 3, 3, 8);
    gan::testing::write_bytes(dir.file("a.png"), png_of(img));
    EXPECT_EQ(gan::read_image(dir.file("a.png"), 3).pixels, img.pixels);
    gan::testing::write_bytes(dir.file("b.jpg"), {1, 2, 3});
    EXPECT_CONTAINS(error_of([&] { gan::read_image(dir.file("b.jpg"), 3); }), dir.file("b.jpg") + ": not a PNG");
    EXPECT_CONTAINS(error_of([&] { gan::read_image(dir.file("none.png"), 3); }), dir.file("none.png"));
}
