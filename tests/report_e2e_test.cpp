// The watchable-run outputs through the real `gan` program (GAN_BINARY): train two epochs on the
// mini fixture (and on a folder of colour pictures), then `gan report` and `gan interpolate`, and
// decode what they wrote.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/gif.h"
#include "io/png.h"
#include "gif_reader.h"
#include "test_util.h"

namespace {

using gan::testing::read_bytes;
using gan::testing::read_file;
using gan::testing::run_gan;
using gan::testing::TempFolder;

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

TEST(ReportE2E, TrainReportInterpolate) {
    TempFolder tmp;
    const std::string run = tmp.file("run");
    const auto trained = run_gan("train --data " + kMini + " --epochs 2 --batch 50 --threads 1 --out " + run);
    ASSERT_EQ(trained.code, 0) << trained.out;

    const auto report = run_gan("report " + run);
    ASSERT_EQ(report.code, 0) << report.out;
    EXPECT_NE(report.out.find("progress.gif (2 frames)"), std::string::npos) << report.out;
    const gan::testing::GifAnimation gif = gan::testing::gif_read_gray(run + "/progress.gif");
    ASSERT_EQ(gif.frames.size(), 2u);
    EXPECT_EQ(gif.loop_count, 0);
    // Each frame is the epoch's fixed-latent grid at native size (the PNG is 2x), over a bar.
    for (int e = 1; e <= 2; ++e) {
        const gan::GrayImage png = gan::png_read_gray(run + "/samples/fixed_epoch_00" + std::to_string(e) + ".png");
        const gan::GrayImage& f = gif.frames[size_t(e - 1)].image;
        ASSERT_EQ(f.width * 2, png.width);
        ASSERT_GT(f.height * 2, png.height);
        for (int y = 0; y < png.height / 2; ++y)
            for (int x = 0; x < f.width; ++x)
                ASSERT_EQ(f.pixels[size_t(y * f.width + x)], png.pixels[size_t(2 * y * png.width + 2 * x)])
                    << "epoch " << e << " at " << x << "," << y;
    }
    for (const char* svg : {"/losses.svg", "/probabilities.svg"}) {
        const std::string text = read_file(run + svg);
        EXPECT_EQ(text.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << svg;
        EXPECT_NE(text.find("</svg>"), std::string::npos) << svg;
        EXPECT_NE(text.find("<polyline"), std::string::npos) << svg;
    }
    EXPECT_NE(read_file(run + "/losses.svg").find("generator (g_loss)"), std::string::npos);

    const std::string walk = tmp.file("walk.gif");
    const auto walked = run_gan("interpolate --checkpoint " + run + " --steps 5 --points 3 --walks 4 --seed 7 --out " + walk);
    ASSERT_EQ(walked.code, 0) << walked.out;
    const gan::testing::GifAnimation w = gan::testing::gif_read_gray(walk);
    ASSERT_EQ(w.frames.size(), 15u);
    EXPECT_EQ(w.width, 4 * 30 * 2);
    EXPECT_EQ(w.height, 30 * 2);
    EXPECT_NE(w.frames[0].image.pixels, w.frames[2].image.pixels);  // it moves
    // The same seed draws the same walk.
    ASSERT_EQ(run_gan("interpolate --checkpoint " + run + " --steps 5 --points 3 --walks 4 --seed 7 --out " +
                      tmp.file("again.gif")).code,
              0);
    EXPECT_EQ(read_file(walk), read_file(tmp.file("again.gif")));

    // Errors: one line naming the file, exit code 2.
    std::filesystem::create_directories(tmp.file("empty"));
    const auto empty = run_gan("report " + tmp.file("empty"));
    EXPECT_EQ(empty.code, 2);
    const std::string err = empty.out;
    EXPECT_EQ(err.rfind("gan: error: " + tmp.file("empty") + "/metrics.csv: not found", 0), 0u) << err;
    const auto not_gif = run_gan("interpolate --checkpoint " + run + " --out " + tmp.file("walk.png"));
    EXPECT_EQ(not_gif.code, 2);
    EXPECT_NE(not_gif.out.find("walk.png: the output must be a .gif file"), std::string::npos);
}

// The 768 bytes of a GIF's global colour table (after the 13-byte screen descriptor).
std::vector<uint8_t> global_palette(const std::string& gif) {
    const std::vector<uint8_t> b = read_bytes(gif);
    return b.size() >= 13 + 768 ? std::vector<uint8_t>(b.begin() + 13, b.begin() + 13 + 768) : std::vector<uint8_t>{};
}

// A colour run: its progress GIF and its walk are colour GIFs (the colour palette) whose pixels are
// the grids' within the palette's bound; its TensorBoard image is an RGB PNG.
TEST(ReportE2E, ColourRunReportInterpolateTensorboard) {
    TempFolder tmp;
    const std::string data = tmp.file("pictures"), run = tmp.file("run");
    std::filesystem::create_directories(data);
    for (uint32_t i = 0; i < 16; ++i) {
        gan::PngImage noise{16, 16, 3, std::vector<uint8_t>(16 * 16 * 3)};
        uint32_t x = i * 2654435761u + 1;
        for (uint8_t& b : noise.pixels) b = uint8_t((x = x * 1664525u + 1013904223u) >> 24);
        gan::png_write_image(data + "/p" + std::to_string(i) + ".png", noise);
    }
    const auto trained = run_gan("train --data " + data + " --image-size 16 --channels 3 --epochs 2 --batch 8 "
                                 "--threads 1 --tensorboard --out " + run);
    ASSERT_EQ(trained.code, 0) << trained.out;

    ASSERT_EQ(run_gan("report " + run).code, 0);
    EXPECT_EQ(global_palette(run + "/progress.gif"), gan::gif_colour_palette());
    const gan::testing::GifImageAnimation gif = gan::testing::gif_read_image(run + "/progress.gif");
    ASSERT_EQ(gif.frames.size(), 2u);
    for (int e = 1; e <= 2; ++e) {
        const gan::PngImage png = gan::png_read_image(run + "/samples/fixed_epoch_00" + std::to_string(e) + ".png");
        ASSERT_EQ(png.channels, 3);
        const gan::PngImage& f = gif.frames[size_t(e - 1)].image;
        ASSERT_EQ(f.width * 2, png.width);
        for (int y = 0; y < png.height / 2; ++y)
            for (int x = 0; x < f.width; ++x)
                for (int c = 0; c < 3; ++c)
                    ASSERT_LE(std::abs(int(f.pixels[size_t((y * f.width + x) * 3 + c)]) -
                                       int(png.pixels[size_t((2 * y * png.width + 2 * x) * 3 + c)])),
                              25)
                        << "epoch " << e << " at " << x << "," << y << " channel " << c;
    }

    const std::string walk = tmp.file("walk.gif");
    const auto walked = run_gan("interpolate --checkpoint " + run + " --steps 3 --points 2 --walks 3 --out " + walk);
    ASSERT_EQ(walked.code, 0) << walked.out;
    EXPECT_EQ(global_palette(walk), gan::gif_colour_palette());
    const gan::testing::GifImageAnimation w = gan::testing::gif_read_image(walk);
    ASSERT_EQ(w.frames.size(), 6u);
    EXPECT_EQ(w.width, 3 * 18 * 2);
    EXPECT_EQ(w.height, 18 * 2);
    EXPECT_NE(w.frames[0].image.pixels, w.frames[2].image.pixels);

    // The TensorBoard event of each epoch's grid holds an RGB PNG (IHDR colour type 2).
    std::vector<uint8_t> events;
    for (const auto& entry : std::filesystem::directory_iterator(run + "/tensorboard")) events = read_bytes(entry.path());
    const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    int pngs = 0;
    for (auto it = events.begin(); (it = std::search(it, events.end(), sig, sig + 8)) != events.end(); ++it) {
        ASSERT_GT(events.end() - it, 26);
        EXPECT_EQ(it[25], 2) << "PNG " << pngs;
        ++pngs;
    }
    EXPECT_EQ(pngs, 2);
}

}  // namespace
