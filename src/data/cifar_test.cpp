#include "data/cifar.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "data/resize.h"

using gan::testing::error_of;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

// `records` CIFAR records with labels (first + r) % 10 and pixel bytes from the record and offset.
std::vector<uint8_t> batch(int records, int first) {
    std::vector<uint8_t> v;
    for (int r = 0; r < records; ++r) {
        v.push_back(uint8_t((first + r) % 10));
        for (int i = 0; i < 3072; ++i) v.push_back(uint8_t((i * 7 + r * 13 + first) & 0xff));
    }
    return v;
}

}  // namespace

TEST(Cifar, ReadsTrainBatchesInOrder) {
    TempFolder dir;
    write_bytes(dir.file("data_batch_1.bin"), batch(3, 0));
    write_bytes(dir.file("data_batch_2.bin"), batch(2, 5));
    write_bytes(dir.file("test_batch.bin"), batch(4, 1));
    EXPECT_TRUE(gan::is_cifar10_folder(dir.path));
    const gan::ImageSet s = gan::read_cifar10(dir.path, gan::CifarSplit::train);
    ASSERT_EQ(s.n, 5);
    EXPECT_EQ(s.channels, 3);
    EXPECT_EQ(s.rows, 32);
    EXPECT_EQ(s.cols, 32);
    EXPECT_EQ(s.labels, std::vector<int32_t>({0, 1, 2, 5, 6}));
    EXPECT_EQ(s.class_names.size(), 10u);
    EXPECT_EQ(s.class_names[0], "airplane");
    EXPECT_EQ(s.class_names[9], "truck");
    // The record's 3072 bytes are already planar R, G, B.
    const std::vector<uint8_t> b2 = batch(2, 5);
    EXPECT_TRUE(std::equal(s.image(4), s.image(4) + 3072, b2.begin() + 3073 + 1));
    const gan::ImageSet t = gan::read_cifar10(dir.path, gan::CifarSplit::test);
    EXPECT_EQ(t.n, 4);
    EXPECT_EQ(t.labels, std::vector<int32_t>({1, 2, 3, 4}));
}

TEST(Cifar, FindsBatchesFolderAndMetaNames) {
    TempFolder dir;
    std::filesystem::create_directories(dir.file("cifar-10-batches-bin"));
    write_bytes(dir.file("cifar-10-batches-bin/test_batch.bin"), batch(1, 3));
    std::string names = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n";
    write_bytes(dir.file("cifar-10-batches-bin/batches.meta.txt"), std::vector<uint8_t>(names.begin(), names.end()));
    EXPECT_TRUE(gan::is_cifar10_folder(dir.path));
    const gan::ImageSet t = gan::read_cifar10(dir.path, gan::CifarSplit::test);
    EXPECT_EQ(t.labels, std::vector<int32_t>({3}));
    EXPECT_EQ(t.class_names[3], "d");
    EXPECT_FALSE(gan::is_cifar10_folder(dir.file("cifar-10-batches-bin/none")));
}

TEST(Cifar, GrayAndResized) {
    TempFolder dir;
    write_bytes(dir.file("data_batch_1.bin"), batch(2, 0));
    const gan::ImageSet rgb = gan::read_cifar10(dir.path, gan::CifarSplit::train);
    const gan::ImageSet gray = gan::read_cifar10(dir.path, gan::CifarSplit::train, 1);
    ASSERT_EQ(gray.channels, 1);
    for (int i = 0; i < 1024; ++i)
        ASSERT_EQ(gray.image(1)[i], gan::gray_of_rgb(rgb.image(1)[i], rgb.image(1)[1024 + i], rgb.image(1)[2048 + i]));
    const gan::ImageSet small = gan::read_cifar10(dir.path, gan::CifarSplit::train, 3, 16);
    EXPECT_EQ(small.rows, 16);
    EXPECT_EQ(small.total_bytes(), size_t(2 * 3 * 16 * 16));
    gan::Image hwc{32, 32, 3, std::vector<uint8_t>(3072)};
    for (int p = 0; p < 1024; ++p)
        for (int c = 0; c < 3; ++c) hwc.pixels[size_t(p * 3 + c)] = rgb.image(0)[c * 1024 + p];
    const gan::Image ref = gan::resize_bilinear(hwc, 16, 16);
    for (int p = 0; p < 256; ++p)
        for (int c = 0; c < 3; ++c) ASSERT_EQ(small.image(0)[c * 256 + p], ref.pixels[size_t(p * 3 + c)]);
}

TEST(Cifar, RefusesMalformedBatches) {
    TempFolder dir;
    EXPECT_CONTAINS(error_of([&] { gan::read_cifar10(dir.path, gan::CifarSplit::train); }),
                    dir.file("data_batch_1.bin"));
    std::vector<uint8_t> bad = batch(2, 0);
    bad.pop_back();
    write_bytes(dir.file("data_batch_1.bin"), bad);
    EXPECT_CONTAINS(error_of([&] { gan::read_cifar10(dir.path, gan::CifarSplit::train); }),
                    dir.file("data_batch_1.bin") + ": 6145 bytes is not a whole number of CIFAR-10 records");
    bad = batch(2, 0);
    bad[3073] = 10;
    write_bytes(dir.file("data_batch_1.bin"), bad);
    EXPECT_CONTAINS(error_of([&] { gan::read_cifar10(dir.path, gan::CifarSplit::train); }), "record 1 has label 10");
    write_bytes(dir.file("data_batch_1.bin"), {});
    EXPECT_CONTAINS(error_of([&] { gan::read_cifar10(dir.path, gan::CifarSplit::train); }), "0 bytes is not");
    std::vector<uint8_t> px;
    std::vector<int32_t> labels;
    EXPECT_THROW(gan::cifar_parse_batch(bad.data(), 3072, "x", px, labels), gan::Error);
    EXPECT_TRUE(px.empty() && labels.empty());
}
