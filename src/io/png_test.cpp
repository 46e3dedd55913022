#include "io/png.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>

#include "data/image_decode.h"
#include "io/bytes.h"
#include "test_util.h"

using gan::put_be32;
using gan::testing::error_of;
using gan::testing::read_bytes;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

std::vector<uint8_t> noise(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) {
        seed = seed * 1664525u + 1013904223u;
        b = uint8_t(seed >> 24);
    }
    return v;
}

void put_chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
    put_be32(out, uint32_t(data.size()));
    std::vector<uint8_t> td(type, type + 4);
    td.insert(td.end(), data.begin(), data.end());
    out.insert(out.end(), td.begin(), td.end());
    put_be32(out, uint32_t(crc32(0L, td.data(), uInt(td.size()))));
}

std::vector<uint8_t> ihdr(uint32_t w, uint32_t h, uint8_t depth, uint8_t ctype, uint8_t interlace = 0) {
    std::vector<uint8_t> d;
    put_be32(d, w);
    put_be32(d, h);
    d.push_back(depth);
    d.push_back(ctype);
    d.push_back(0);
    d.push_back(0);
    d.push_back(interlace);
    return d;
}

std::vector<uint8_t> zcompress(const std::vector<uint8_t>& raw) {
    uLongf n = compressBound(uLong(raw.size()));
    std::vector<uint8_t> z(n);
    EXPECT_EQ(compress2(z.data(), &n, raw.data(), uLong(raw.size()), 9), Z_OK);
    z.resize(n);
    return z;
}

// A whole PNG from an IHDR and the (unfiltered-then-filtered) scanline bytes, IDAT split in two.
std::vector<uint8_t> build_png(const std::vector<uint8_t>& header, const std::vector<uint8_t>& scanlines) {
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_chunk(png, "IHDR", header);
    put_chunk(png, "tEXt", {'C', 'o', 'm', 'm', 'e', 'n', 't', 0, 'h', 'i'});  // ignored
    auto z = zcompress(scanlines);
    size_t half = z.size() / 2;
    put_chunk(png, "IDAT", std::vector<uint8_t>(z.begin(), z.begin() + long(half)));
    put_chunk(png, "IDAT", std::vector<uint8_t>(z.begin() + long(half), z.end()));
    put_chunk(png, "IEND", {});
    return png;
}

int paeth(int a, int b, int c) {
    int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    if (pa <= pb && pa <= pc) return a;
    return pb <= pc ? b : c;
}

// Encoder side of the PNG filters: filter row `y` of `img` (stride bytes per row, bpp bytes per
// pixel) with filter type ft.
std::vector<uint8_t> filter_row(const std::vector<uint8_t>& img, size_t y, size_t stride, size_t bpp,
                                int ft) {
    std::vector<uint8_t> out = {uint8_t(ft)};
    const uint8_t* cur = &img[y * stride];
    const uint8_t* prev = y ? &img[(y - 1) * stride] : nullptr;
    for (size_t i = 0; i < stride; ++i) {
        int a = i >= bpp ? cur[i - bpp] : 0, b = prev ? prev[i] : 0, c = prev && i >= bpp ? prev[i - bpp] : 0;
        int pred = ft == 0 ? 0 : ft == 1 ? a : ft == 2 ? b : ft == 3 ? (a + b) / 2 : paeth(a, b, c);
        out.push_back(uint8_t(cur[i] - pred));
    }
    return out;
}

// A PNG of colour type ctype holding `samples` (h rows of w * channels bytes), rows filtered
// with types 0, 1, 2, 3, 4, 0, 1, ... in turn.
std::vector<uint8_t> filtered_png(const std::vector<uint8_t>& samples, uint32_t w, uint32_t h,
                                  uint8_t ctype, size_t channels) {
    std::vector<uint8_t> scan;
    for (size_t y = 0; y < h; ++y) {
        auto row = filter_row(samples, y, w * channels, channels, int(y % 5));
        scan.insert(scan.end(), row.begin(), row.end());
    }
    return build_png(ihdr(w, h, 8, ctype), scan);
}

}  // namespace

TEST(Png, WriteThenReadIsIdentical) {
    TempFolder dir;
    for (auto [w, h] : {std::pair{37, 23}, std::pair{1, 1}, std::pair{300, 2}, std::pair{1, 500}}) {
        auto px = noise(size_t(w) * size_t(h), uint32_t(w * 1000 + h));
        const std::string path = dir.file("img.png");
        gan::png_write_gray(path, px.data(), w, h);
        gan::GrayImage img = gan::png_read_gray(path);
        EXPECT_EQ(img.width, w);
        EXPECT_EQ(img.height, h);
        EXPECT_EQ(img.pixels, px);
    }
    EXPECT_EQ(dir.list(), std::vector<std::string>{"img.png"});
    auto bytes = read_bytes(dir.file("img.png"));
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 8),
              std::vector<uint8_t>({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}));
}

TEST(Png, WriteRejectsBadSize) {
    TempFolder dir;
    uint8_t px[1] = {};
    EXPECT_EQ(error_of([&] { gan::png_write_gray(dir.file("a.png"), px, 0, 5); }),
              dir.file("a.png") + ": cannot write PNG: image is 0x5; width and height must be 1..16384");
    EXPECT_CONTAINS(error_of([&] { gan::png_write_gray(dir.file("a.png"), px, 16385, 1); }), "16385x1");
    EXPECT_TRUE(dir.list().empty());
}

TEST(Png, DecodesEveryFilterTypeAndColourType) {
    TempFolder dir;
    const uint32_t w = 13, h = 11;  // 11 rows: every filter type at least twice
    const std::string path = dir.file("f.png");

    auto gray = noise(w * h, 1);
    write_bytes(path, filtered_png(gray, w, h, 0, 1));
    gan::GrayImage img = gan::png_read_gray(path);
    EXPECT_EQ(img.width, int(w));
    EXPECT_EQ(img.height, int(h));
    EXPECT_EQ(img.pixels, gray);

    // Gray + alpha: alpha is ignored.
    auto ga = noise(w * h * 2, 2);
    write_bytes(path, filtered_png(ga, w, h, 4, 2));
    img = gan::png_read_gray(path);
    for (size_t i = 0; i < w * h; ++i) ASSERT_EQ(img.pixels[i], ga[2 * i]) << i;

    // RGB and RGBA: (r + g + b) / 3 rounded to nearest.
    auto rgb = noise(w * h * 3, 3);
    write_bytes(path, filtered_png(rgb, w, h, 2, 3));
    img = gan::png_read_gray(path);
    for (size_t i = 0; i < w * h; ++i) {
        int sum = rgb[3 * i] + rgb[3 * i + 1] + rgb[3 * i + 2];
        ASSERT_EQ(img.pixels[i], uint8_t((sum + 1) / 3)) << i;
    }
    auto rgba = noise(w * h * 4, 4);
    write_bytes(path, filtered_png(rgba, w, h, 6, 4));
    img = gan::png_read_gray(path);
    for (size_t i = 0; i < w * h; ++i) {
        int sum = rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2];
        ASSERT_EQ(img.pixels[i], uint8_t((sum + 1) / 3)) << i;
    }
}

TEST(Png, RgbRounding) {
    TempFolder dir;
    // 1 + 1 + 2 = 4 -> 1.33 -> 1;  1 + 2 + 2 = 5 -> 1.67 -> 2;  255 * 3 -> 255.
    std::vector<uint8_t> rgb = {1, 1, 2, 1, 2, 2, 255, 255, 255};
    write_bytes(dir.file("r.png"), filtered_png(rgb, 3, 1, 2, 3));
    EXPECT_EQ(gan::png_read_gray(dir.file("r.png")).pixels, std::vector<uint8_t>({1, 2, 255}));
}

TEST(Png, RejectsBadCrc) {
    TempFolder dir;
    auto px = noise(64, 5);
    gan::png_write_gray(dir.file("ok.png"), px.data(), 8, 8);
    auto bytes = read_bytes(dir.file("ok.png"));
    // The IDAT chunk starts right after the signature (8) and IHDR (25 bytes): flip a bit of its CRC.
    ASSERT_EQ(std::string(bytes.begin() + 37, bytes.begin() + 41), "IDAT");
    const size_t idat_len = size_t(bytes[33]) << 24 | size_t(bytes[34]) << 16 | size_t(bytes[35]) << 8 | bytes[36];
    bytes[41 + idat_len] ^= 0x01;
    write_bytes(dir.file("bad.png"), bytes);
    EXPECT_EQ(error_of([&] { gan::png_read_gray(dir.file("bad.png")); }), dir.file("bad.png") + ": bad PNG: IDAT: CRC error");
    bytes = read_bytes(dir.file("ok.png"));
    bytes[8 + 4 + 4 + 2] ^= 0x40;  // inside IHDR's width
    write_bytes(dir.file("bad.png"), bytes);
    EXPECT_EQ(error_of([&] { gan::png_read_gray(dir.file("bad.png")); }), dir.file("bad.png") + ": bad PNG: IHDR: CRC error");
}

// What the reader takes beyond what the writer writes: palettes, 16 bits, interlacing (as libpng
// expands them).
TEST(Png, ReadsPaletteSixteenBitAndInterlaced) {
    TempFolder dir;
    const std::string path = dir.file("x.png");
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_chunk(png, "IHDR", ihdr(2, 1, 8, 3));
    put_chunk(png, "PLTE", {10, 20, 30, 40, 50, 60});
    put_chunk(png, "IDAT", zcompress({0, 1, 0}));
    put_chunk(png, "IEND", {});
    write_bytes(path, png);
    gan::PngImage img = gan::png_read_image(path);
    EXPECT_EQ(img.channels, 3);
    EXPECT_EQ(img.pixels, std::vector<uint8_t>({40, 50, 60, 10, 20, 30}));

    write_bytes(path, build_png(ihdr(2, 1, 16, 0), {0, 0xab, 0xcd, 0x12, 0xff}));
    EXPECT_EQ(gan::png_read_gray(path).pixels, std::vector<uint8_t>({0xab, 0x12}));

    // Adam7 of a 1x2 image: pass 1 holds pixel (0, 0), pass 7 row 1.
    write_bytes(path, build_png(ihdr(1, 2, 8, 0, 1), {0, 7, 0, 9}));
    EXPECT_EQ(gan::png_read_gray(path).pixels, std::vector<uint8_t>({7, 9}));
}

TEST(Png, RejectsMalformed) {
    TempFolder dir;
    const std::string path = dir.file("x.png");
    std::vector<uint8_t> scan(2 * (1 + 2), 0);
    auto expect_error = [&](const std::vector<uint8_t>& png, const std::string& text) {
        write_bytes(path, png);
        std::string msg = error_of([&] { gan::png_read_gray(path); });
        EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
        EXPECT_CONTAINS(msg, text);
    };
    expect_error(build_png(ihdr(2, 2, 8, 5), scan), "bad PNG");
    expect_error(build_png(ihdr(16385, 2, 8, 0), scan), "bad PNG");
    expect_error(build_png(ihdr(0, 2, 8, 0), scan), "bad PNG");
    expect_error(build_png(ihdr(16384, 16384, 8, 0), scan), "image is 16384x16384, more than 134217728 pixels");
    // Plausibility: a tiny IDAT cannot hold a 16384x8192 image; rejected before inflating.
    expect_error(build_png(ihdr(16384, 8192, 8, 0), scan),
                 "bad PNG: 16384x8192 needs 134225920 bytes of image data, more than");
    // Too little image data, a bad filter byte.
    expect_error(build_png(ihdr(2, 3, 8, 0), scan), "bad PNG");
    std::vector<uint8_t> bad_filter = {0, 1, 2, 7, 3, 4};
    expect_error(build_png(ihdr(2, 2, 8, 0), bad_filter), "bad PNG");
    expect_error({'G', 'I', 'F', '8', '9', 'a', 0, 0, 0}, "not a PNG file (no PNG signature)");
    expect_error({}, "not a PNG file");

    // Truncated file: cut a good one inside its image data (a file cut after it, in IEND, still decodes).
    auto good = build_png(ihdr(2, 2, 8, 0), scan);
    expect_error(std::vector<uint8_t>(good.begin(), good.end() - 15), "bad PNG: file ends early");
    expect_error(std::vector<uint8_t>(good.begin(), good.end() - 20), "bad PNG: file ends early");

    // IHDR must come first; unknown critical chunks are rejected.
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_chunk(png, "IDAT", zcompress(scan));
    expect_error(png, "bad PNG");
    png.resize(8);
    put_chunk(png, "IHDR", ihdr(2, 2, 8, 0));
    put_chunk(png, "ABCD", {1, 2});
    expect_error(png, "bad PNG");
    EXPECT_EQ(error_of([&] { gan::png_read_gray(dir.file("missing.png")); }),
              dir.file("missing.png") + ": cannot open: No such file or directory");
}

// A chunk's claimed length is not taken before the file shows it holds that much: a tEXt chunk claiming
// 2 GiB in a 60-byte file is skipped unread (the file ends early), the reading process (a child, so its
// peak resident memory is its own) staying far below 2 GiB.
TEST(Png, HugeAncillaryChunkTakesNoMemory) {
    TempFolder dir;
    std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_chunk(png, "IHDR", ihdr(2, 2, 8, 0));
    put_be32(png, 0x7a000000u);
    png.insert(png.end(), {'t', 'E', 'X', 't', 'a', 0, 'b', 'c'});
    write_bytes(dir.file("t.png"), png);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const std::string msg = error_of([&] { gan::png_read_gray(dir.file("t.png")); });
        _exit(msg == dir.file("t.png") + ": bad PNG: file ends early" ? 0 : 1);
    }
    int status = 0;
    rusage usage{};
    ASSERT_EQ(wait4(pid, &status, 0, &usage), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_LT(usage.ru_maxrss, 512 * 1024) << "KiB";
}

TEST(Png, ImageGridLayout) {
    // Three 2x3 images, 2 grid columns, pad 1, scale 2: tiles of 4x5, grid 2 rows x 2 cols.
    std::vector<uint8_t> imgs(3 * 6);
    for (size_t i = 0; i < imgs.size(); ++i) imgs[i] = uint8_t(10 + i);
    gan::GrayImage g = gan::image_grid(imgs.data(), 3, 2, 3, 2, 1, 2);
    EXPECT_EQ(g.width, 2 * 5 * 2);
    EXPECT_EQ(g.height, 2 * 4 * 2);
    ASSERT_EQ(g.pixels.size(), size_t(g.width * g.height));
    auto at = [&](int x, int y) { return g.pixels[size_t(y * g.width + x)]; };
    // Image 0 pixel (0, 0) lands at unscaled (1, 1) -> scaled block (2..3, 2..3).
    EXPECT_EQ(at(2, 2), 10);
    EXPECT_EQ(at(3, 3), 10);
    EXPECT_EQ(at(0, 0), 0);
    EXPECT_EQ(at(1, 2), 0);
    // Image 1 (second column), its pixel (row 1, col 2) = 10 + 6 + 5.
    EXPECT_EQ(at((5 + 1 + 2) * 2, (1 + 1) * 2 + 1), 21);
    // Image 2 at row 1, col 0; the fourth tile is black.
    EXPECT_EQ(at(2, (4 + 1) * 2), 22);
    for (int y = 8; y < 16; ++y)
        for (int x = 10; x < 20; ++x) EXPECT_EQ(at(x, y), 0);
    EXPECT_CONTAINS(error_of([&] { gan::image_grid(imgs.data(), 3, 2, 3, 0, 1, 2); }), "image_grid: invalid arguments");
    EXPECT_CONTAINS(error_of([&] { gan::image_grid(imgs.data(), 3, 2, 3, 2, 1, 100000); }),
                    "larger than 16384 on a side");
}

TEST(Png, ImageGridThenSplitRoundTrips) {
    const int rows = 5, cols = 4;
    for (int pad : {0, 1, 2})
        for (int scale : {1, 2, 3})
            for (int n : {1, 6, 7}) {
                const int grid_cols = 3, grid_rows = (n + grid_cols - 1) / grid_cols;
                auto imgs = noise(size_t(n * rows * cols), uint32_t(pad * 100 + scale * 10 + n));
                for (auto& p : imgs) p |= 1;  // no black pixels: pads are the only zeros
                gan::GrayImage g = gan::image_grid(imgs.data(), n, rows, cols, grid_cols, pad, scale);
                auto back = gan::grid_split(g, grid_rows, grid_cols, rows, cols);
                ASSERT_EQ(back.size(), size_t(grid_rows * grid_cols * rows * cols));
                EXPECT_EQ(std::vector<uint8_t>(back.begin(), back.begin() + long(imgs.size())), imgs)
                    << "pad " << pad << " scale " << scale << " n " << n;
                for (size_t i = imgs.size(); i < back.size(); ++i) ASSERT_EQ(back[i], 0);
            }
}

TEST(Png, GridSplitDisambiguatesPadAndScale) {
    // 28x28 images: pad 0 scale 8 and pad 2 scale 7 both give 224x224. MNIST-like images (black
    // margins) must still come back right either way.
    std::vector<uint8_t> img(28 * 28, 0);
    auto inner = noise(20 * 20, 9);
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 20; ++x) img[size_t((y + 4) * 28 + x + 4)] = inner[size_t(y * 20 + x)] | 1;
    for (auto [pad, scale] : {std::pair{0, 8}, std::pair{2, 7}}) {
        gan::GrayImage g = gan::image_grid(img.data(), 1, 28, 28, 1, pad, scale);
        EXPECT_EQ(g.width, 224);
        EXPECT_EQ(gan::grid_split(g, 1, 1, 28, 28), img) << "pad " << pad;
    }
}

TEST(Png, GridSplitRejectsWrongSize) {
    gan::GrayImage g;
    g.width = 100;
    g.height = 61;
    g.pixels.assign(100 * 61, 0);
    EXPECT_EQ(error_of([&] { gan::grid_split(g, 2, 3, 28, 28); }),
              "grid_split: a 100x61 image is not a grid of 2x3 tiles of 28x28 images with pad 0, 1 "
              "or 2 and a whole-number scale");
    // Right size (pad 1, scale 1) but the border is not black.
    g.width = 3 * 30;
    g.height = 2 * 30;
    g.pixels.assign(size_t(g.width * g.height), 200);
    EXPECT_CONTAINS(error_of([&] { gan::grid_split(g, 2, 3, 28, 28); }), "its pixels do not match");
    g.pixels.resize(10);
    EXPECT_CONTAINS(error_of([&] { gan::grid_split(g, 2, 3, 28, 28); }), "holds 10 pixels");
}

TEST(Png, GridThroughPngFile) {
    TempFolder dir;
    auto imgs = noise(10 * 28 * 28, 11);
    gan::GrayImage g = gan::image_grid(imgs.data(), 10, 28, 28, 4, 1, 2);
    gan::png_write_gray(dir.file("grid.png"), g.pixels.data(), g.width, g.height);
    gan::GrayImage back = gan::png_read_gray(dir.file("grid.png"));
    EXPECT_EQ(back.pixels, g.pixels);
    auto split = gan::grid_split(back, 3, 4, 28, 28);
    EXPECT_EQ(std::vector<uint8_t>(split.begin(), split.begin() + long(imgs.size())), imgs);
}

// An RGB grid of planar images: each plane tiled as image_grid tiles it, the planes interleaved;
// libpng (data/image_decode.h) reads back exactly those bytes.
TEST(PngColour, PlanarGridIsRgbAndDecodesBack) {
    const int n = 5, rows = 3, cols = 4, plane = rows * cols;
    const std::vector<uint8_t> images = noise(size_t(n) * 3 * plane, 9);
    const gan::PngImage grid = gan::image_grid_planar(images.data(), n, 3, rows, cols, 3, 1, 2);
    EXPECT_EQ(grid.channels, 3);
    for (int c = 0; c < 3; ++c) {
        std::vector<uint8_t> one;
        for (int i = 0; i < n; ++i)
            one.insert(one.end(), images.begin() + (i * 3 + c) * plane, images.begin() + (i * 3 + c + 1) * plane);
        const gan::GrayImage g = gan::image_grid(one.data(), n, rows, cols, 3, 1, 2);
        ASSERT_EQ(grid.width, g.width);
        ASSERT_EQ(grid.height, g.height);
        for (size_t p = 0; p < g.pixels.size(); ++p) ASSERT_EQ(grid.pixels[p * 3 + size_t(c)], g.pixels[p]) << c << " " << p;
    }
    const std::vector<uint8_t> file = gan::png_encode_image(grid);
    EXPECT_EQ(file[25], 2);  // IHDR colour type: RGB
    const gan::Image back = gan::decode_image(file.data(), file.size(), 3, "grid.png");
    EXPECT_EQ(back.width, grid.width);
    EXPECT_EQ(back.height, grid.height);
    EXPECT_EQ(back.pixels, grid.pixels);
}

TEST(PngColour, GrayPlanarGridIsTheGrayGrid) {
    const std::vector<uint8_t> images = noise(6 * 5 * 5, 4);
    const gan::PngImage p = gan::image_grid_planar(images.data(), 6, 1, 5, 5, 2, 1, 1);
    const gan::GrayImage g = gan::image_grid(images.data(), 6, 5, 5, 2, 1, 1);
    EXPECT_EQ(p.channels, 1);
    EXPECT_EQ(p.pixels, g.pixels);
    EXPECT_EQ(gan::png_encode_image(p), gan::png_encode_gray(g.pixels.data(), g.width, g.height));
    EXPECT_NE(error_of([&] { gan::image_grid_planar(images.data(), 3, 2, 5, 5, 2, 1, 1); }).find("channels"),
              std::string::npos);
}

TEST(PngColour, PlanarToInterleaved) {
    // Two images of 3 channels x 1 x 2: planes (R0 R1)(G0 G1)(B0 B1) become R0 G0 B0 R1 G1 B1.
    const std::vector<uint8_t> chw = {1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16};
    EXPECT_EQ(gan::planar_to_interleaved(chw.data(), 2, 3, 1, 2),
              (std::vector<uint8_t>{1, 3, 5, 2, 4, 6, 11, 13, 15, 12, 14, 16}));
    EXPECT_EQ(gan::planar_to_interleaved(chw.data(), 3, 1, 2, 2), chw);
}

// png_read_image keeps colour: every colour type through every filter, alpha dropped, gray as one
// channel; the colour files' bytes are what png_read_gray averages.
TEST(PngColour, ReadImageKeepsColourOfEveryColourType) {
    TempFolder dir;
    const uint32_t w = 13, h = 11;
    const std::string path = dir.file("f.png");
    struct Case {
        int ctype, in_channels, out_channels;
    };
    for (const Case k : {Case{0, 1, 1}, Case{4, 2, 1}, Case{2, 3, 3}, Case{6, 4, 3}}) {
        const std::vector<uint8_t> px = noise(w * h * size_t(k.in_channels), uint32_t(10 + k.ctype));
        write_bytes(path, filtered_png(px, w, h, uint8_t(k.ctype), size_t(k.in_channels)));
        const gan::PngImage img = gan::png_read_image(path);
        EXPECT_EQ(img.width, int(w));
        EXPECT_EQ(img.height, int(h));
        ASSERT_EQ(img.channels, k.out_channels) << "colour type " << k.ctype;
        ASSERT_EQ(img.pixels.size(), w * h * size_t(k.out_channels));
        for (size_t i = 0; i < w * h; ++i)
            for (int c = 0; c < k.out_channels; ++c)
                ASSERT_EQ(img.pixels[i * size_t(k.out_channels) + size_t(c)], px[i * size_t(k.in_channels) + size_t(c)])
                    << "colour type " << k.ctype << " pixel " << i << " channel " << c;
    }
}

TEST(PngColour, WriteImageThenReadImageIsIdentical) {
    TempFolder dir;
    for (int channels : {1, 3}) {
        const gan::PngImage img{17, 9, channels, noise(17 * 9 * size_t(channels), uint32_t(channels))};
        gan::png_write_image(dir.file("c.png"), img);
        const gan::PngImage back = gan::png_read_image(dir.file("c.png"));
        EXPECT_EQ(back.channels, channels);
        EXPECT_EQ(back.width, 17);
        EXPECT_EQ(back.height, 9);
        EXPECT_EQ(back.pixels, img.pixels);
    }
    EXPECT_CONTAINS(error_of([&] { gan::png_read_image(dir.file("missing.png")); }), dir.file("missing.png"));
    write_bytes(dir.file("bad.png"), {1, 2, 3});
    EXPECT_CONTAINS(error_of([&] { gan::png_read_image(dir.file("bad.png")); }), "not a PNG file");
}

TEST(PngColour, ImageToRgbRepeatsTheGraySample) {
    const gan::PngImage gray{2, 1, 1, {7, 200}};
    const gan::PngImage rgb = gan::image_to_rgb(gray);
    EXPECT_EQ(rgb.channels, 3);
    EXPECT_EQ(rgb.pixels, (std::vector<uint8_t>{7, 7, 7, 200, 200, 200}));
    EXPECT_EQ(gan::image_to_rgb(rgb).pixels, rgb.pixels);
    EXPECT_CONTAINS(error_of([] { gan::image_to_rgb(gan::PngImage{1, 1, 2, {1, 2}}); }), "channels");
}
