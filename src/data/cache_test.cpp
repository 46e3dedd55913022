#include "data/cache.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "data/data_test_util.h"
#include "io/file.h"

using gan::testing::flat_image;
using gan::testing::noise_image;
using gan::testing::png_of;
using gan::testing::TempFolder;
using gan::testing::write_bytes;

namespace {

struct Fixture {
    TempFolder dir;
    std::string images, cache;
    gan::ImageLoadOptions opt;
    Fixture() {
        images = dir.file("images");
        cache = dir.file("cache/images.bin");
        std::filesystem::create_directories(images + "/a");
        std::filesystem::create_directories(images + "/b");
        write_bytes(images + "/a/1.png", png_of(noise_image(10, 12, 3, 1)));
        write_bytes(images + "/a/2.png", png_of(noise_image(12, 10, 3, 2)));
        write_bytes(images + "/b/3.png", png_of(flat_image(8, 8, {1, 2, 3})));
        opt.image_size = 6;
    }
    gan::CachedImages load(bool classes = true) { return gan::load_image_folder_cached(images, classes, opt, cache); }
};

void expect_same(const gan::ImageSet& a, const gan::ImageSet& b) {
    ASSERT_EQ(a.n, b.n);
    EXPECT_EQ(a.channels, b.channels);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.cols, b.cols);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.class_names, b.class_names);
    EXPECT_TRUE(std::equal(a.pixels(), a.pixels() + a.total_bytes(), b.pixels()));
}

void set_mtime(const std::string& path, long sec) {
    const struct timespec times[2] = {{sec, 0}, {sec, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

}  // namespace

TEST(ImageCache, BuiltOnceThenMapped) {
    Fixture f;
    int calls = 0;
    f.opt.progress = [&](size_t, size_t) { ++calls; };
    const auto first = f.load();
    EXPECT_TRUE(first.built);
    EXPECT_EQ(first.why_built, "no cache file");
    EXPECT_GT(calls, 0);
    EXPECT_TRUE(gan::file_exists(f.cache));
    calls = 0;
    const auto second = f.load();
    EXPECT_FALSE(second.built);
    EXPECT_EQ(calls, 0);
    expect_same(first.images.set, second.images.set);
    EXPECT_EQ(second.images.set.class_names, std::vector<std::string>({"a", "b"}));
    // Nothing but the cache is left in its folder (the temporary file was renamed).
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(f.dir.file("cache")), {}), 1);
}

TEST(ImageCache, RebuiltWhenTheFolderOrOptionsChange) {
    Fixture f;
    f.load();
    set_mtime(f.images + "/a/2.png", 1000000);  // touched
    auto r = f.load();
    EXPECT_TRUE(r.built);
    EXPECT_EQ(r.why_built, "folder or options changed");
    EXPECT_FALSE(f.load().built);
    write_bytes(f.images + "/b/4.png", png_of(flat_image(8, 8, {7, 7, 7})));  // added
    r = f.load();
    EXPECT_TRUE(r.built);
    EXPECT_EQ(r.images.set.n, 4);
    EXPECT_EQ(r.images.set.labels, std::vector<int32_t>({0, 0, 1, 1}));
    std::filesystem::remove(f.images + "/a/1.png");  // removed
    EXPECT_TRUE(f.load().built);
    f.opt.channels = 1;
    EXPECT_TRUE(f.load().built);
    EXPECT_FALSE(f.load().built);
    EXPECT_TRUE(f.load(false).built);
    f.opt.image_size = 5;
    r = f.load(false);
    EXPECT_TRUE(r.built);
    EXPECT_EQ(r.images.set.rows, 5);
}

TEST(ImageCache, CorruptCacheIsRebuiltNeverTrusted) {
    Fixture f;
    const auto good = f.load();
    const std::vector<uint8_t> bytes = gan::testing::read_bytes(f.cache);
    const auto rebuilt_after = [&](const std::vector<uint8_t>& damaged, const std::string& why) {
        write_bytes(f.cache, damaged);
        const auto r = f.load();
        EXPECT_TRUE(r.built) << why;
        EXPECT_CONTAINS(r.why_built, why);
        expect_same(good.images.set, r.images.set);
        EXPECT_EQ(gan::testing::read_bytes(f.cache), bytes);
    };
    rebuilt_after(std::vector<uint8_t>(bytes.begin(), bytes.end() - 100), "corrupt");  // truncated
    std::vector<uint8_t> flipped = bytes;
    flipped[bytes.size() - 10] ^= 0x40;  // a pixel byte
    rebuilt_after(flipped, "corrupt: checksum mismatch");
    std::vector<uint8_t> header = bytes;
    header[20] ^= 0x01;  // the image count
    rebuilt_after(header, "corrupt");
    rebuilt_after({'G', 'A', 'N'}, "corrupt");
    rebuilt_after({}, "corrupt");
    std::vector<uint8_t> magic = bytes;
    magic[0] = 'X';
    rebuilt_after(magic, "corrupt: not a gan image cache");
}

TEST(ImageCache, KeepsSkippedImages) {
    Fixture f;
    write_bytes(f.images + "/b/bad.jpg", {0xff, 0xd8, 0xff, 0xe0, 0, 0});
    EXPECT_THROW(f.load(), gan::Error);
    EXPECT_FALSE(gan::file_exists(f.cache));
    f.opt.on_bad = gan::BadImagePolicy::skip;
    const auto built = f.load();
    ASSERT_EQ(built.images.skipped.size(), 1u);
    const auto cached = f.load();
    EXPECT_FALSE(cached.built);
    ASSERT_EQ(cached.images.skipped.size(), 1u);
    EXPECT_EQ(cached.images.skipped[0].path, f.images + "/b/bad.jpg");
    EXPECT_EQ(cached.images.skipped[0].reason, built.images.skipped[0].reason);
    EXPECT_EQ(cached.images.set.n, 3);
}
