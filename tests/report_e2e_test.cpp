// The watchable-run outputs through the real `gan` program (GAN_BINARY): train two epochs on the
// mini fixture, then `gan report` and `gan interpolate`, and decode what they wrote.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "io/gif.h"
#include "io/png.h"
#include "io/io_test_util.h"

namespace {

using gan::testing::TempFolder;

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

// Runs `gan args...` with output to dir/log.txt; returns the exit code.
int gan_run(const std::string& args, const std::string& dir) {
    const std::string cmd = std::string(GAN_BINARY) + " " + args + " > " + dir + "/log.txt 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

TEST(ReportE2E, TrainReportInterpolate) {
    TempFolder tmp;
    const std::string run = tmp.file("run");
    ASSERT_EQ(gan_run("train --data " + kMini + " --epochs 2 --batch 50 --threads 1 --out " + run, tmp.path), 0)
        << slurp(tmp.file("log.txt"));

    ASSERT_EQ(gan_run("report " + run, tmp.path), 0) << slurp(tmp.file("log.txt"));
    EXPECT_NE(slurp(tmp.file("log.txt")).find("progress.gif (2 frames)"), std::string::npos) << slurp(tmp.file("log.txt"));
    const gan::GifAnimation gif = gan::gif_read_gray(run + "/progress.gif");
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
        const std::string text = slurp(run + svg);
        EXPECT_EQ(text.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << svg;
        EXPECT_NE(text.find("</svg>"), std::string::npos) << svg;
        EXPECT_NE(text.find("<polyline"), std::string::npos) << svg;
    }
    EXPECT_NE(slurp(run + "/losses.svg").find("generator (g_loss)"), std::string::npos);

    const std::string walk = tmp.file("walk.gif");
    ASSERT_EQ(gan_run("interpolate --checkpoint " + run + " --steps 5 --points 3 --walks 4 --seed 7 --out " + walk,
                      tmp.path),
              0)
        << slurp(tmp.file("log.txt"));
    const gan::GifAnimation w = gan::gif_read_gray(walk);
    ASSERT_EQ(w.frames.size(), 15u);
    EXPECT_EQ(w.width, 4 * 30 * 2);
    EXPECT_EQ(w.height, 30 * 2);
    EXPECT_NE(w.frames[0].image.pixels, w.frames[2].image.pixels);  // it moves
    // The same seed draws the same walk.
    ASSERT_EQ(gan_run("interpolate --checkpoint " + run + " --steps 5 --points 3 --walks 4 --seed 7 --out " +
                          tmp.file("again.gif"),
                      tmp.path),
              0);
    EXPECT_EQ(slurp(walk), slurp(tmp.file("again.gif")));

    // Errors: one line naming the file, exit code 2.
    std::filesystem::create_directories(tmp.file("empty"));
    EXPECT_EQ(gan_run("report " + tmp.file("empty"), tmp.path), 2);
    const std::string err = slurp(tmp.file("log.txt"));
    EXPECT_EQ(err.rfind("gan: error: " + tmp.file("empty") + "/metrics.csv: not found", 0), 0u) << err;
    EXPECT_EQ(gan_run("interpolate --checkpoint " + run + " --out " + tmp.file("walk.png"), tmp.path), 2);
    EXPECT_NE(slurp(tmp.file("log.txt")).find("walk.png: the output must be a .gif file"), std::string::npos);
}

}  // namespace
