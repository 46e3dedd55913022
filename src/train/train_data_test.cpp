// The training data of `gan train --data DIR`: which format a folder holds, and the image set each
// gives at the options' size and channels; the model shape taken from the data.
#include "train/train_data.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "io/idx.h"

using gan::testing::error_of;
using gan::testing::flat_image;
using gan::testing::jpeg_of;
using gan::testing::noise_image;
using gan::testing::png_of;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

const std::string kMini = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";

gan::TrainOptions options_for(const std::string& data, const std::string& out) {
    gan::TrainOptions o;
    o.data_dir = data;
    o.out_dir = out;
    return o;
}

// `records` CIFAR-10 records, labels r % 10, every pixel byte of record r equal to r.
std::vector<uint8_t> cifar_batch(int records) {
    std::vector<uint8_t> v;
    for (int r = 0; r < records; ++r) {
        v.push_back(uint8_t(r % 10));
        v.insert(v.end(), 3072, uint8_t(r));
    }
    return v;
}

}  // namespace

TEST(TrainData, MnistIsTheFilesAsTheyAre) {
    TempFolder tmp;
    gan::TrainData d = gan::load_train_data(options_for(kMini, tmp.path));
    EXPECT_EQ(d.format, gan::DataFormat::mnist);
    const gan::Dataset raw = gan::dataset_load(kMini, true);
    ASSERT_EQ(d.set.n, raw.images.n);
    EXPECT_EQ(d.set.channels, 1);
    EXPECT_EQ(d.set.rows, 28);
    EXPECT_EQ(d.set.cols, 28);
    EXPECT_TRUE(std::equal(raw.images.pixels.begin(), raw.images.pixels.end(), d.set.pixels()));
    EXPECT_EQ(d.set.labels, std::vector<int32_t>(raw.labels.labels.begin(), raw.labels.labels.end()));
    EXPECT_EQ(d.set.class_names.size(), 10u);
    EXPECT_TRUE(d.cache_path.empty());
}

TEST(TrainData, MnistAsColourAtAnotherSize) {
    TempFolder tmp;
    gan::TrainOptions o = options_for(kMini, tmp.path);
    o.channels = 3;
    o.image_size = 16;
    gan::TrainData d = gan::load_train_data(o);
    ASSERT_EQ(d.set.channels, 3);
    ASSERT_EQ(d.set.rows, 16);
    ASSERT_EQ(d.set.cols, 16);
    // Gray made RGB: the three planes of each image are equal, and not all black.
    const size_t plane = 16 * 16;
    for (int i = 0; i < 5; ++i) {
        const uint8_t* im = d.set.image(i);
        EXPECT_TRUE(std::equal(im, im + plane, im + plane));
        EXPECT_TRUE(std::equal(im, im + plane, im + 2 * plane));
        EXPECT_GT(*std::max_element(im, im + plane), 100);
    }
}

TEST(TrainData, CifarFolder) {
    TempFolder tmp;
    write_bytes(tmp.file("data_batch_1.bin"), cifar_batch(12));
    gan::TrainOptions o = options_for(tmp.path, tmp.file("run"));
    EXPECT_EQ(gan::detect_data_format(tmp.path), gan::DataFormat::cifar10);
    gan::TrainData d = gan::load_train_data(o);
    EXPECT_EQ(d.set.n, 12);
    EXPECT_EQ(d.set.channels, 3);
    EXPECT_EQ(d.set.rows, 32);
    EXPECT_EQ(d.set.image(7)[100], 7);
    o.channels = 1;
    o.image_size = 8;
    d = gan::load_train_data(o);
    EXPECT_EQ(d.set.channels, 1);
    EXPECT_EQ(d.set.rows, 8);
    EXPECT_EQ(d.set.image(7)[10], 7);  // a flat gray image stays its value
}

TEST(TrainData, ImageFolderIsDecodedOnceIntoTheRunDirectory) {
    TempFolder tmp;
    const std::string images = tmp.file("images");
    std::filesystem::create_directories(images + "/sub");
    write_bytes(images + "/a.png", png_of(noise_image(20, 30, 3, 1)));
    write_bytes(images + "/sub/b.jpg", jpeg_of(flat_image(17, 13, {200, 20, 20})));
    gan::TrainOptions o = options_for(images, tmp.file("run"));
    EXPECT_EQ(gan::detect_data_format(images), gan::DataFormat::image_folder);
    gan::TrainData d = gan::load_train_data(o);
    EXPECT_EQ(d.format, gan::DataFormat::image_folder);
    EXPECT_EQ(d.set.n, 2);
    EXPECT_EQ(d.set.channels, 3);  // a folder's own: colour
    EXPECT_EQ(d.set.rows, gan::kFolderImageSize);
    EXPECT_EQ(d.cache_path, tmp.file("run") + "/data_cache.bin");
    EXPECT_TRUE(d.cache_built);
    EXPECT_TRUE(std::filesystem::exists(d.cache_path));
    gan::TrainData again = gan::load_train_data(o);
    EXPECT_FALSE(again.cache_built);
    ASSERT_EQ(again.set.total_bytes(), d.set.total_bytes());
    EXPECT_TRUE(std::equal(d.set.pixels(), d.set.pixels() + d.set.total_bytes(), again.set.pixels()));
    // The flat red JPEG, in the image's planes: red high, green and blue low.
    const uint8_t* red = d.set.image(1);
    const size_t plane = size_t(gan::kFolderImageSize) * gan::kFolderImageSize;
    EXPECT_GT(red[0], 180);
    EXPECT_LT(red[plane], 60);
    EXPECT_LT(red[2 * plane], 60);
}

TEST(TrainData, ImageFolderSkipsBadFilesWhenAsked) {
    TempFolder tmp;
    write_bytes(tmp.file("good.png"), png_of(noise_image(9, 9, 1, 2)));
    write_bytes(tmp.file("bad.jpg"), {0xff, 0xd8, 0xff, 0x00});
    gan::TrainOptions o = options_for(tmp.path, tmp.file("run"));
    o.image_size = 4;
    EXPECT_NE(error_of([&] { gan::load_train_data(o); }).find(tmp.file("bad.jpg")), std::string::npos);
    o.bad_images = "skip";
    gan::TrainData d = gan::load_train_data(o);
    EXPECT_EQ(d.set.n, 1);
    ASSERT_EQ(d.skipped.size(), 1u);
    EXPECT_EQ(d.skipped[0].path, tmp.file("bad.jpg"));
}

TEST(TrainData, FoldersWithoutImagesAreRefusedNamingThem) {
    TempFolder tmp;
    write_bytes(tmp.file("notes.txt"), {'x'});
    const std::string e = error_of([&] { gan::detect_data_format(tmp.path); });
    EXPECT_NE(e.find(tmp.path + ": no training images"), std::string::npos) << e;
    const std::string missing = error_of([&] { gan::detect_data_format(tmp.file("nope")); });
    EXPECT_NE(missing.find(tmp.file("nope")), std::string::npos) << missing;
}

TEST(TrainData, ModelTakesTheDataShapeAndClasses) {
    gan::TrainOptions o;
    gan::ImageSet s = gan::make_image_set(2, 3, 16, 16, std::vector<uint8_t>(2 * 3 * 16 * 16), {0, 2},
                                          {"a", "b", "c"});
    o.model.conditional = true;
    gan::fit_model_to_data(o, s);
    EXPECT_EQ(o.model.channels, 3);
    EXPECT_EQ(o.model.rows, 16);
    EXPECT_EQ(o.model.cols, 16);
    EXPECT_EQ(o.model.num_classes, 3);
    s.class_names = {"only"};
    s.labels = {0, 0};
    EXPECT_NE(error_of([&] { gan::fit_model_to_data(o, s); }).find("has 1 class"), std::string::npos);
    o.model.conditional = false;
    o.model.arch = gan::Arch::dcgan;
    EXPECT_NE(error_of([&] { gan::fit_model_to_data(o, s); }).find("--arch dcgan draws 28x28"), std::string::npos);
}
