#include "data/image_folder.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "data/resize.h"

using gan::Image;
using gan::testing::error_of;
using gan::testing::flat_image;
using gan::testing::jpeg_of;
using gan::testing::noise_image;
using gan::testing::png_of;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

void put(const TempFolder& dir, const std::string& rel, const std::vector<uint8_t>& bytes) {
    std::filesystem::create_directories(std::filesystem::path(dir.file(rel)).parent_path());
    write_bytes(dir.file(rel), bytes);
}

std::vector<std::string> paths_of(const gan::ImageFolderScan& s) {
    std::vector<std::string> v;
    for (const auto& f : s.files) v.push_back(f.path);
    return v;
}

// A folder of two classes (cat: 2 images, one nested; dog: 1), a file in the root and a non-image.
void make_classes(const TempFolder& dir) {
    put(dir, "dog/d1.JPG", jpeg_of(flat_image(20, 30, {200, 100, 50})));
    put(dir, "cat/c2.png", png_of(flat_image(9, 9, {10, 20, 30})));
    put(dir, "cat/inner/c1.jpeg", jpeg_of(flat_image(16, 8, {0, 0, 255})));
    put(dir, "cat/notes.txt", {'h', 'i'});
    put(dir, "root.png", png_of(flat_image(4, 4, {1, 1, 1})));
}

}  // namespace

TEST(ImageFolder, ScansNestedSortedCaseInsensitive) {
    TempFolder dir;
    make_classes(dir);
    const auto all = gan::scan_image_folder(dir.path, false);
    EXPECT_EQ(paths_of(all),
              std::vector<std::string>({"cat/c2.png", "cat/inner/c1.jpeg", "dog/d1.JPG", "root.png"}));
    EXPECT_EQ(all.class_names, std::vector<std::string>({""}));
    for (const auto& f : all.files) EXPECT_EQ(f.label, 0);
    EXPECT_EQ(all.files[0].size, std::filesystem::file_size(dir.file("cat/c2.png")));

    const auto cls = gan::scan_image_folder(dir.path, true);
    EXPECT_EQ(cls.class_names, std::vector<std::string>({"cat", "dog"}));
    EXPECT_EQ(paths_of(cls), std::vector<std::string>({"cat/c2.png", "cat/inner/c1.jpeg", "dog/d1.JPG"}));
    EXPECT_EQ(cls.files[0].label, 0);
    EXPECT_EQ(cls.files[1].label, 0);
    EXPECT_EQ(cls.files[2].label, 1);
}

TEST(ImageFolder, ScanRefusesEmptyFolders) {
    TempFolder dir;
    EXPECT_CONTAINS(error_of([&] { gan::scan_image_folder(dir.path, false); }), "no .png, .jpg or .jpeg");
    EXPECT_CONTAINS(error_of([&] { gan::scan_image_folder(dir.path, true); }), "no class folders");
    put(dir, "a/x.png", png_of(flat_image(2, 2, {5})));
    std::filesystem::create_directories(dir.file("b/sub"));
    EXPECT_CONTAINS(error_of([&] { gan::scan_image_folder(dir.path, true); }), "/b: class folder holds no");
    EXPECT_CONTAINS(error_of([&] { gan::scan_image_folder(dir.file("a/x.png"), false); }), "not a folder");
}

TEST(ImageFolder, LoadsPlanarResizedCropped) {
    TempFolder dir;
    make_classes(dir);
    gan::ImageLoadOptions opt;
    opt.image_size = 8;
    const auto loaded = gan::load_image_folder(gan::scan_image_folder(dir.path, true), opt);
    const gan::ImageSet& s = loaded.set;
    ASSERT_EQ(s.n, 3);
    EXPECT_EQ(s.channels, 3);
    EXPECT_EQ(s.rows, 8);
    EXPECT_EQ(s.cols, 8);
    EXPECT_EQ(s.labels, std::vector<int32_t>({0, 0, 1}));
    EXPECT_TRUE(loaded.skipped.empty());
    // Image 0 is the flat PNG (exact): each plane holds one channel's value.
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 64; ++i) ASSERT_EQ(s.image(0)[c * 64 + i], 10 * (c + 1));
    // Image 2 is a JPEG of a flat colour: within JPEG's error of it.
    for (int i = 0; i < 64; ++i) {
        EXPECT_NEAR(s.image(2)[i], 200, 4);
        EXPECT_NEAR(s.image(2)[64 + i], 100, 4);
        EXPECT_NEAR(s.image(2)[128 + i], 50, 4);
    }
}

TEST(ImageFolder, PreparedLikeResizeAndCrop) {
    TempFolder dir;
    const Image img = noise_image(21, 13, 3, 21);
    put(dir, "x.png", png_of(img));
    gan::ImageLoadOptions opt;
    opt.image_size = 6;
    opt.channels = 1;
    const auto s = gan::load_image_folder(gan::scan_image_folder(dir.path, false), opt).set;
    Image gray = img;
    gan::convert_channels(gray, 1);
    EXPECT_EQ(std::vector<uint8_t>(s.image(0), s.image(0) + 36), gan::resize_and_crop(gray, 6).pixels);
}

TEST(ImageFolder, CorruptImagesSkippedOrRefused) {
    TempFolder dir;
    put(dir, "a.png", png_of(flat_image(5, 5, {9, 9, 9})));
    std::vector<uint8_t> cut = png_of(noise_image(30, 30, 3, 22));
    cut.resize(cut.size() / 2);
    put(dir, "b.png", cut);
    put(dir, "c.jpg", {'n', 'o', 'p', 'e'});
    put(dir, "d.jpg", jpeg_of(flat_image(5, 5, {9, 9, 9})));
    const auto scan = gan::scan_image_folder(dir.path, false);
    gan::ImageLoadOptions opt;
    opt.image_size = 4;
    EXPECT_CONTAINS(error_of([&] { gan::load_image_folder(scan, opt); }), dir.file("b.png") + ": bad PNG");
    opt.on_bad = gan::BadImagePolicy::skip;
    const auto loaded = gan::load_image_folder(scan, opt);
    EXPECT_EQ(loaded.set.n, 2);
    ASSERT_EQ(loaded.skipped.size(), 2u);
    EXPECT_EQ(loaded.skipped[0].path, dir.file("b.png"));
    EXPECT_CONTAINS(loaded.skipped[0].reason, "bad PNG");
    EXPECT_EQ(loaded.skipped[1].path, dir.file("c.jpg"));
    EXPECT_CONTAINS(loaded.skipped[1].reason, "not a PNG or JPEG");
    // The kept images are a.png and d.jpg, in order.
    EXPECT_EQ(loaded.set.image(0)[0], 9);
    EXPECT_NEAR(loaded.set.image(1)[0], 9, 2);
}

TEST(ImageFolder, ThreadsAndProgress) {
    TempFolder dir;
    for (int i = 0; i < 41; ++i)
        put(dir, "sub" + std::to_string(i % 3) + "/" + std::to_string(i) + ".png", png_of(noise_image(9 + i % 4, 7, 3, uint32_t(i))));
    const auto scan = gan::scan_image_folder(dir.path, false);
    gan::ImageLoadOptions opt;
    opt.image_size = 5;
    std::vector<size_t> seen;
    opt.progress = [&](size_t done, size_t total) {
        EXPECT_EQ(total, 41u);
        seen.push_back(done);
    };
    const auto one = gan::load_image_folder(scan, opt);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), 41u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    opt.threads = 3;
    const auto three = gan::load_image_folder(scan, opt);
    ASSERT_EQ(three.set.total_bytes(), one.set.total_bytes());
    EXPECT_TRUE(std::equal(one.set.pixels(), one.set.pixels() + one.set.total_bytes(), three.set.pixels()));
}

TEST(ImageFolder, RefusesBadOptionsAndAllBad) {
    TempFolder dir;
    put(dir, "a.png", {1, 2, 3});
    const auto scan = gan::scan_image_folder(dir.path, false);
    gan::ImageLoadOptions opt;
    opt.channels = 2;
    EXPECT_CONTAINS(error_of([&] { gan::load_image_folder(scan, opt); }), "channels must be 1 or 3");
    opt.channels = 3;
    opt.image_size = 0;
    EXPECT_CONTAINS(error_of([&] { gan::load_image_folder(scan, opt); }), "image size");
    opt.image_size = 4;
    opt.on_bad = gan::BadImagePolicy::skip;
    EXPECT_CONTAINS(error_of([&] { gan::load_image_folder(scan, opt); }), "none of its 1 images");
}
