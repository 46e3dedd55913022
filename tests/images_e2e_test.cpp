// `gan train` on the user's own images, end to end through the real program: a folder of PNG and
// JPEG colour pictures of odd sizes (decoded once into the run's cache), CIFAR-10's binary format,
// colour made gray, classes from subfolders; colour sample grids and .npy files in NumPy's layout;
// a resumed run that is given data of another shape is refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "data/data_test_util.h"
#include "io/npy.h"
#include "io/safetensors.h"
#include "test_util.h"

namespace fs = std::filesystem;
using gan::testing::jpeg_of;
using gan::testing::noise_image;
using gan::testing::png_of;
using gan::testing::ramp_image;
using gan::testing::read_bytes;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

gan::testing::RunResult run(const std::string& args) { return gan::testing::run_gan(args); }

// 12 PNG and 12 JPEG RGB pictures of assorted sizes, half of them in `sub` (or, with classes, the
// PNGs in class folder "a" and the JPEGs in "b").
std::string colour_folder(const TempFolder& tmp, bool classes = false) {
    const std::string root = tmp.file("pictures");
    const std::string png_dir = root + (classes ? "/a" : ""), jpg_dir = root + (classes ? "/b" : "/sub");
    fs::create_directories(png_dir);
    fs::create_directories(jpg_dir);
    for (int i = 0; i < 12; ++i) {
        write_bytes(png_dir + "/p" + std::to_string(i) + ".png", png_of(noise_image(20 + i, 31 - i, 3, uint32_t(i))));
        write_bytes(jpg_dir + "/j" + std::to_string(i) + ".JPG", jpeg_of(ramp_image(40 - i, 23 + i, 3)));
    }
    return root;
}

// The colour type byte of a PNG's IHDR (0 gray, 2 RGB).
int png_colour_type(const std::string& path) {
    const std::vector<uint8_t> b = read_bytes(path);
    return b.size() > 25 ? b[25] : -1;
}

std::string train(const std::string& data, const std::string& out, const std::string& extra) {
    return "train --data " + data + " --out " + out + " --epochs 1 --batch 8 --threads 1 --seed 5 " + extra;
}

}  // namespace

TEST(OwnImages, ColourFolderTrainsWithColourSamples) {
    TempFolder tmp("gan_images_e2e");
    const std::string data = colour_folder(tmp), out = tmp.file("run");
    gan::testing::RunResult r = run(train(data, out, "--image-size 16 --channels 3"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("Decoded 24 images into " + out + "/data_cache.bin"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("image folder, 24 images of 3x16x16"), std::string::npos) << r.out;
    EXPECT_EQ(png_colour_type(out + "/samples/epoch_001.png"), 2);
    EXPECT_EQ(png_colour_type(out + "/samples/fixed_epoch_001.png"), 2);
    EXPECT_EQ(gan::npy_read_u8(out + "/samples/all_samples.npy").shape, (std::vector<int64_t>{1, 16, 16, 16, 3}));

    r = run("sample --checkpoint " + out + "/generator.safetensors --n 5 --out " + tmp.file("s.npy"));
    ASSERT_EQ(r.code, 0) << r.out;
    const gan::NpyU8 s = gan::npy_read_u8(tmp.file("s.npy"));
    EXPECT_EQ(s.shape, (std::vector<int64_t>{5, 16, 16, 3}));
    r = run("sample --checkpoint " + out + "/generator.safetensors --n 4 --out " + tmp.file("s.png"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(png_colour_type(tmp.file("s.png")), 2);
    r = run("sample --checkpoint " + out + "/generator.safetensors --n 4 --out " + tmp.file("s.idx"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("IDX files hold gray images"), std::string::npos) << r.out;

    // Resumed: the cache is read, not rebuilt, and all_samples.npy keeps the first epoch.
    const std::vector<uint8_t> first = gan::npy_read_u8(out + "/samples/all_samples.npy").data;
    r = run("train --resume " + out + " --epochs 2");
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("Read 24 decoded images from " + out + "/data_cache.bin"), std::string::npos) << r.out;
    const gan::NpyU8 all = gan::npy_read_u8(out + "/samples/all_samples.npy");
    EXPECT_EQ(all.shape, (std::vector<int64_t>{2, 16, 16, 16, 3}));
    EXPECT_TRUE(std::equal(first.begin(), first.end(), all.data.begin()));
}

// Colour made gray, with gray pictures and a corrupt file among them: --bad-images skip leaves it out
// and says so.
TEST(OwnImages, ColourFolderAsGray) {
    TempFolder tmp("gan_images_e2e");
    const std::string data = colour_folder(tmp), out = tmp.file("run");
    write_bytes(data + "/gray.png", png_of(noise_image(15, 9, 1, 7)));
    write_bytes(data + "/sub/gray.jpeg", jpeg_of(ramp_image(9, 15, 1)));
    write_bytes(data + "/sub/corrupt.jpg", {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F'});
    gan::testing::RunResult r = run(train(data, out, "--image-size 12 --channels 1"));
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find(data + "/sub/corrupt.jpg"), std::string::npos) << r.out;
    r = run(train(data, out, "--image-size 12 --channels 1 --bad-images skip"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("Skipped " + data + "/sub/corrupt.jpg: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("image folder, 26 images of 1x12x12"), std::string::npos) << r.out;
    EXPECT_EQ(png_colour_type(out + "/samples/epoch_001.png"), 0);
    EXPECT_EQ(gan::npy_read_u8(out + "/samples/all_samples.npy").shape, (std::vector<int64_t>{1, 16, 12, 12}));
    r = run("sample --checkpoint " + out + " --n 3 --out " + tmp.file("s.npy"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(gan::npy_read_u8(tmp.file("s.npy")).shape, (std::vector<int64_t>{3, 12, 12}));
}

TEST(OwnImages, ClassesFromSubfolders) {
    TempFolder tmp("gan_images_e2e");
    const std::string data = colour_folder(tmp, true), out = tmp.file("run");
    gan::testing::RunResult r = run(train(data, out, "--image-size 8 --conditional"));
    ASSERT_EQ(r.code, 0) << r.out;
    const std::string config = gan::testing::read_file(out + "/config.json");
    EXPECT_NE(config.find("\"num_classes\": 2"), std::string::npos) << config;
    EXPECT_NE(config.find("\"image\": [\n    3,\n    8,\n    8\n  ]"), std::string::npos) << config;
    r = run("sample --checkpoint " + out + " --digit 1 --n 2 --out " + tmp.file("b.npy"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(gan::npy_read_u8(tmp.file("b.npy")).shape, (std::vector<int64_t>{2, 8, 8, 3}));

    // The class names (the subfolders) are stored in config.json and the checkpoints, and name a class
    // for gan sample --class as its number does.
    const gan::SafetensorsFile g = gan::safetensors_read(out + "/generator.safetensors");
    const std::string names = g.metadata.at("class_names");
    EXPECT_EQ(names, "[\"a\",\"b\"]");
    EXPECT_NE(config.find("\"class_names\": [\n    \"a\",\n    \"b\"\n  ]"), std::string::npos) << config;
    r = run("sample --checkpoint " + out + " --class b --n 2 --out " + tmp.file("class_b.npy"));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(gan::npy_read_u8(tmp.file("class_b.npy")).data == gan::npy_read_u8(tmp.file("b.npy")).data);
    r = run("sample --checkpoint " + out + " --class purple --n 2 --out " + tmp.file("c.npy"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("--class purple: not a class of " + out), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("its classes are a, b (or their numbers, 0 to 1)"), std::string::npos) << r.out;
}

TEST(OwnImages, CifarFolderTrainsAndResumeRefusesAnotherShape) {
    TempFolder tmp("gan_images_e2e");
    std::vector<uint8_t> batch;
    for (int r = 0; r < 40; ++r) {
        batch.push_back(uint8_t(r % 10));
        for (int i = 0; i < 3072; ++i) batch.push_back(uint8_t(i * 3 + r));
    }
    write_bytes(tmp.file("data_batch_1.bin"), batch);
    const std::string out = tmp.file("run");
    gan::testing::RunResult r = run(train(tmp.path, out, ""));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("CIFAR-10 (binary), 40 images of 3x32x32"), std::string::npos) << r.out;
    EXPECT_EQ(gan::npy_read_u8(out + "/samples/all_samples.npy").shape, (std::vector<int64_t>{1, 16, 32, 32, 3}));
    r = run("train --resume " + out + " --epochs 2 --data " + kMini);
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("images are 1x28x28 (channels x rows x cols) but the model expects 3x32x32"),
              std::string::npos)
        << r.out;
    r = run("train --resume " + out + " --epochs 2 --image-size 16");
    EXPECT_EQ(r.code, 2) << r.out;
    EXPECT_NE(r.out.find("which a resumed run cannot change"), std::string::npos) << r.out;
}

// --arch dcgan at 32x32 and 64x64 (PyTorch's example model, narrow here: --ngf 8 --ndf 8), plain and
// conditional on the subfolders: colour grids, and samples of the data's shape.
TEST(OwnImages, DcganAt32And64) {
    for (const char* size : {"32", "64"}) {
        for (bool classes : {false, true}) {
            TempFolder tmp("gan_images_e2e");
            const std::string data = colour_folder(tmp, classes), out = tmp.file("run");
            const std::string extra = std::string("--arch dcgan --ngf 8 --ndf 8 --image-size ") + size +
                                      (classes ? " --conditional" : "");
            gan::testing::RunResult r = run(train(data, out, extra));
            ASSERT_EQ(r.code, 0) << size << " " << classes << "\n" << r.out;
            EXPECT_EQ(png_colour_type(out + "/samples/fixed_epoch_001.png"), 2);
            r = run("sample --checkpoint " + out + " --n 3 --out " + tmp.file("s.npy"));
            ASSERT_EQ(r.code, 0) << r.out;
            const int64_t side = std::stoi(size);
            EXPECT_EQ(gan::npy_read_u8(tmp.file("s.npy")).shape, (std::vector<int64_t>{3, side, side, 3}));
        }
    }
}
