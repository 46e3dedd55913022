#include "train/report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "io/file.h"
#include "io/gif.h"
#include "gif_reader.h"
#include "test_util.h"
#include "io/png.h"
#include "train/run_dir.h"

namespace gan {
namespace {

using testing::TempFolder;
using testing::error_of;
using testing::gif_read_gray;
using testing::gif_read_image;
using testing::GifAnimation;
using testing::GifImageAnimation;

const std::string kHeader =
    "epoch,steps,d_loss,g_loss,d_loss_last,g_loss_last,d_real,d_fake,epoch_seconds,images_per_s,elapsed_s,data_share,comm_share\n";

std::string row(int epoch, double d_loss, double g_loss, double d_real, double d_fake) {
    return str(epoch, ",10,", d_loss, ",", g_loss, ",0,0,", d_real, ",", d_fake, ",1.0,100.0,", epoch, ".0,0.01,0\n");
}

// A 10x6 grid whose pixels are all `value`, as samples/fixed_epoch_NNN.png.
void write_grid(const std::string& run, int epoch, uint8_t value, int w = 10, int h = 6) {
    make_dirs(run + "/samples");
    char name[64];
    std::snprintf(name, sizeof name, "/samples/fixed_epoch_%03d.png", epoch);
    std::vector<uint8_t> px(size_t(w) * size_t(h), value);
    png_write_gray(run + name, px.data(), w, h);
}

TEST(Report, WritesGifAndChartsFromARunDirectory) {
    TempFolder run;
    // Epoch 2 twice: the later row (a resumed run) wins.
    file_write_atomic(run.file("metrics.csv"), kHeader + row(1, 1.3, 0.9, 0.6, 0.4) + row(2, 9, 9, 0.9, 0.9) +
                                                   row(2, 1.2, 1.0, 0.55, 0.45) + row(3, 1.1, 1.1, 0.52, 0.48));
    for (int e = 1; e <= 3; ++e) write_grid(run.path, e, uint8_t(e * 50));
    write_grid(run.path, 4, 0);  // no metrics row yet: the GIF still shows it
    file_write_atomic(run.file("samples/epoch_001.png"), std::string("not a grid"));
    file_write_atomic(run.file("samples/fixed_epoch_x.png"), std::string("ignored"));

    ReportOptions keep_size;
    keep_size.native_size = false;  // the flat test grids would otherwise count as upscaled
    const ReportSummary r = report_write(run.path, keep_size);
    EXPECT_EQ(r.epochs, 3);
    EXPECT_EQ(r.frames, 4);
    EXPECT_EQ(r.gif, run.file("progress.gif"));

    const GifAnimation a = gif_read_gray(r.gif);
    EXPECT_EQ(a.loop_count, 0);
    ASSERT_EQ(a.frames.size(), 4u);
    EXPECT_EQ(a.width, 10);
    EXPECT_EQ(a.height, 6 + 2 + 4);
    int last_filled = -1;
    for (int f = 0; f < 4; ++f) {
        const GrayImage& g = a.frames[size_t(f)].image;
        EXPECT_EQ(a.frames[size_t(f)].delay_cs, f == 3 ? 200 : 20);
        for (int i = 0; i < 60; ++i) ASSERT_EQ(g.pixels[size_t(i)], f == 3 ? 0 : (f + 1) * 50) << "frame " << f;
        int filled = 0;
        for (int x = 0; x < 10; ++x) filled += g.pixels[size_t(11 * 10 + x)] == 200;
        EXPECT_GT(filled, last_filled);
        last_filled = filled;
    }
    EXPECT_EQ(last_filled, 10);

    const std::string losses = testing::read_file(r.losses_svg), probs = testing::read_file(r.probabilities_svg);
    EXPECT_CONTAINS(losses, "discriminator (d_loss)");
    EXPECT_CONTAINS(losses, "generator (g_loss)");
    EXPECT_CONTAINS(probs, "D(G(z)), fake (d_fake)");
    EXPECT_CONTAINS(probs, "stroke-dasharray");  // the 0.5 line
    // Three epochs -> three points per line; the discarded row's 9.0 is not plotted.
    const size_t poly = losses.find("<polyline points=\"");
    ASSERT_NE(poly, std::string::npos);
    const std::string pts = losses.substr(poly, losses.find('"', poly + 18) - poly);
    EXPECT_EQ(std::count(pts.begin(), pts.end(), ','), 3);
    EXPECT_EQ(losses.find(">9</text>"), std::string::npos);
}

TEST(Report, SpreadsFramesAndWorksWithoutGrids) {
    TempFolder run;
    std::string csv = kHeader;
    for (int e = 1; e <= 9; ++e) csv += row(e, 1, 1, 0.5, 0.5), write_grid(run.path, e, uint8_t(e * 20));
    file_write_atomic(run.file("metrics.csv"), csv);
    ReportOptions o;
    o.max_frames = 3;
    o.native_size = false;
    const ReportSummary r = report_write(run.path, o);
    const GifAnimation a = gif_read_gray(r.gif);
    ASSERT_EQ(a.frames.size(), 3u);
    EXPECT_EQ(a.frames[0].image.pixels[0], 20);   // epoch 1
    EXPECT_EQ(a.frames[1].image.pixels[0], 100);  // epoch 5
    EXPECT_EQ(a.frames[2].image.pixels[0], 180);  // epoch 9

    std::filesystem::remove_all(run.file("samples"));
    std::filesystem::remove(run.file("progress.gif"));
    const ReportSummary none = report_write(run.path);
    EXPECT_EQ(none.gif, "");
    EXPECT_EQ(none.frames, 0);
    EXPECT_TRUE(file_exists(none.losses_svg));
    EXPECT_FALSE(file_exists(run.file("progress.gif")));
}

TEST(Report, StoresUpscaledGridsAtNativeSize) {
    TempFolder run;
    file_write_atomic(run.file("metrics.csv"), kHeader + row(1, 1, 1, 0.5, 0.5) + row(2, 1, 1, 0.5, 0.5));
    make_dirs(run.file("samples"));
    // A 3x2 image upscaled 2x (as the trainer's grids are), and a flat one that alone would fit 6x.
    const uint8_t small[6] = {1, 2, 3, 4, 5, 6};
    std::vector<uint8_t> big(6 * 4);
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 6; ++x) big[size_t(y * 6 + x)] = small[(y / 2) * 3 + x / 2];
    png_write_gray(run.file("samples/fixed_epoch_001.png"), big.data(), 6, 4);
    const std::vector<uint8_t> flat(6 * 4, 9);
    png_write_gray(run.file("samples/fixed_epoch_002.png"), flat.data(), 6, 4);
    const GifAnimation a = gif_read_gray(report_write(run.path).gif);
    ASSERT_EQ(a.frames.size(), 2u);
    EXPECT_EQ(a.width, 3);
    EXPECT_EQ(a.height, 2 + 2 + 4);
    EXPECT_EQ(std::vector<uint8_t>(a.frames[0].image.pixels.begin(), a.frames[0].image.pixels.begin() + 6),
              std::vector<uint8_t>(small, small + 6));
}

// Colour grids (an RGB run) give a colour GIF: each frame the grid's pixels within the palette's bound
// (25 levels a channel), upscaled grids stored at native size, the bar under each frame in gray.
TEST(Report, ColourGridsMakeAColourGif) {
    TempFolder run;
    file_write_atomic(run.file("metrics.csv"), kHeader + row(1, 1, 1, 0.5, 0.5) + row(2, 1, 1, 0.5, 0.5));
    make_dirs(run.file("samples"));
    const int w = 5, h = 4;  // native size; the PNGs are 2x
    std::vector<PngImage> small;
    for (int e = 1; e <= 2; ++e) {
        PngImage s{w, h, 3, std::vector<uint8_t>(size_t(w * h * 3))};
        for (size_t i = 0; i < s.pixels.size(); ++i) s.pixels[i] = uint8_t((i * 37 + size_t(e) * 91) % 256);
        PngImage big{2 * w, 2 * h, 3, std::vector<uint8_t>(size_t(4 * w * h * 3))};
        for (int y = 0; y < 2 * h; ++y)
            for (int x = 0; x < 2 * w; ++x)
                for (int c = 0; c < 3; ++c)
                    big.pixels[size_t((y * 2 * w + x) * 3 + c)] = s.pixels[size_t(((y / 2) * w + x / 2) * 3 + c)];
        png_write_image(run.file(str("samples/fixed_epoch_00", e, ".png")), big);
        small.push_back(s);
    }
    const GifImageAnimation a = gif_read_image(report_write(run.path).gif);
    ASSERT_EQ(a.frames.size(), 2u);
    EXPECT_EQ(a.width, w);
    EXPECT_EQ(a.height, h + 2 + 4);
    int colourful = 0;
    for (size_t f = 0; f < 2; ++f) {
        const std::vector<uint8_t>& got = a.frames[f].image.pixels;
        for (size_t i = 0; i < small[f].pixels.size(); ++i) {
            ASSERT_LE(std::abs(int(got[i]) - int(small[f].pixels[i])), 25) << "frame " << f << " byte " << i;
            if (i % 3 == 0) colourful += got[i] != got[i + 1] || got[i] != got[i + 2];
        }
        // The bar's last row: filled (200) up to epoch / 2 of the width, within the grays' bound of 3.
        const size_t last_row = size_t((h + 2 + 4 - 1) * w) * 3;
        for (int x = 0; x < w; ++x) {
            const int want = x < int(w * (f + 1) / 2) ? 200 : 48;
            for (int c = 0; c < 3; ++c) ASSERT_LE(std::abs(got[last_row + size_t(x * 3 + c)] - want), 3) << f << " " << x;
        }
    }
    EXPECT_GT(colourful, w * h);  // most pixels keep distinct channels
}

TEST(Report, ClearErrors) {
    TempFolder run;
    EXPECT_CONTAINS(error_of([&] { report_write(run.file("nope")); }), "nope: no such run directory");
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), run.file("metrics.csv") + ": not found");
    file_write_atomic(run.file("metrics.csv"), kHeader);
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "no epochs recorded yet");
    file_write_atomic(run.file("metrics.csv"), std::string("epoch,d_loss\n1,2\n"));
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "no 'g_loss' column");
    file_write_atomic(run.file("metrics.csv"), kHeader + row(1, 1, 1, 0.5, 0.5) + "2,3\n");
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "metrics.csv: line 3 has 2 fields");
    file_write_atomic(run.file("metrics.csv"), kHeader + "1,10,x,1,0,0,0.5,0.5,1,1,1,0,0\n");
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "line 2: d_loss = 'x' is not a number");
    file_write_atomic(run.file("metrics.csv"), std::string());
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "empty file");

    file_write_atomic(run.file("metrics.csv"), kHeader + row(1, 1, 1, 0.5, 0.5) + row(2, 1, 1, 0.5, 0.5));
    write_grid(run.path, 1, 10);
    write_grid(run.path, 2, 10, 12, 6);
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "fixed_epoch_002.png: grid is 12x6, the first is 10x6");
    file_write_atomic(run.file("samples/fixed_epoch_002.png"), std::string("garbage"));
    EXPECT_CONTAINS(error_of([&] { report_write(run.path); }), "fixed_epoch_002.png");
}

// A run started by a version whose metrics.csv had no data_share column: a resume widens the file so
// that its rows and the new ones share one header, and the report reads them all.
TEST(Report, ResumeWidensAnOlderMetricsHeader) {
    TempFolder run;
    const std::string old_header =
        "epoch,steps,d_loss,g_loss,d_loss_last,g_loss_last,d_real,d_fake,epoch_seconds,images_per_s,elapsed_s";
    file_write_atomic(run.file("metrics.csv"), old_header + "\n1,10,1.3,0.9,0,0,0.6,0.4,1.0,100.0,1.0\n"
                                                            "2,10,1.2,1.0,0,0,0.55,0.45,1.0,100.0,2.0\n");
    csv_keep_epochs(run.file("metrics.csv"), 1, kHeader.substr(0, kHeader.size() - 1));
    EXPECT_EQ(testing::read_file(run.file("metrics.csv")), kHeader + "1,10,1.3,0.9,0,0,0.6,0.4,1.0,100.0,1.0,,\n");
    file_append_atomic(run.file("metrics.csv"), row(2, 1.2, 1.0, 0.55, 0.45));
    write_grid(run.path, 1, 50);
    EXPECT_EQ(report_write(run.path).epochs, 2);
    // The same header again changes nothing.
    const std::string before = testing::read_file(run.file("metrics.csv"));
    csv_keep_epochs(run.file("metrics.csv"), 2, kHeader.substr(0, kHeader.size() - 1));
    EXPECT_EQ(testing::read_file(run.file("metrics.csv")), before);
}

}  // namespace
}  // namespace gan
