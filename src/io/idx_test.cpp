#include "io/idx.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data/image_set.h"
#include "io/bytes.h"
#include "test_util.h"

using gan::put_be32;
using gan::testing::error_of;
using gan::testing::TempFolder;
using gan::testing::write_bytes;
using gan::testing::write_sparse;

namespace {

// Raw IDX bytes: magic, dims, then `data_bytes` bytes of a pattern.
std::vector<uint8_t> idx_bytes(uint32_t magic, const std::vector<uint32_t>& dims, size_t data_bytes) {
    std::vector<uint8_t> v;
    put_be32(v, magic);
    for (uint32_t d : dims) put_be32(v, d);
    for (size_t i = 0; i < data_bytes; ++i) v.push_back(uint8_t(i * 7 + 3));
    return v;
}

// Writes bytes gzip-compressed with zlib's gz* file API.
void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    if (!bytes.empty()) {
        ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())), int(bytes.size()));
    }
    ASSERT_EQ(gzclose(f), Z_OK);
}

std::vector<uint8_t> pixels(size_t n) {
    std::vector<uint8_t> p(n);
    for (size_t i = 0; i < n; ++i) p[i] = uint8_t((i * 37 + i / 5) & 0xff);
    return p;
}

}  // namespace

TEST(Idx, ReadsPlain) {
    TempFolder dir;
    auto px = pixels(3 * 4 * 5);
    gan::idx_write_images(dir.file("img"), px.data(), 3, 4, 5);
    gan::IdxImages im = gan::idx_read_images(dir.file("img"));
    EXPECT_EQ(im.n, 3);
    EXPECT_EQ(im.rows, 4);
    EXPECT_EQ(im.cols, 5);
    EXPECT_EQ(im.pixels, px);
    // The exact bytes of the format.
    auto raw = gan::testing::read_bytes(dir.file("img"));
    ASSERT_EQ(raw.size(), 16u + 60u);
    EXPECT_EQ(std::vector<uint8_t>(raw.begin(), raw.begin() + 16),
              std::vector<uint8_t>({0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}));

    std::vector<uint8_t> labels = {5, 0, 4, 1, 9};
    gan::idx_write_labels(dir.file("lab"), labels.data(), 5);
    EXPECT_EQ(gan::idx_read_labels(dir.file("lab")).labels, labels);
    EXPECT_EQ(dir.list(), std::vector<std::string>({"img", "lab"}));
}

TEST(Idx, ReadsGzip) {
    TempFolder dir;
    auto raw = idx_bytes(0x803, {2, 3, 3}, 18);
    write_gz(dir.file("img.gz"), raw);
    write_gz(dir.file("img-without-suffix"), raw);  // detected by magic bytes, not by name
    for (const char* name : {"img.gz", "img-without-suffix"}) {
        gan::IdxImages im = gan::idx_read_images(dir.file(name));
        EXPECT_EQ(im.n, 2);
        EXPECT_EQ(im.rows, 3);
        EXPECT_EQ(im.cols, 3);
        EXPECT_EQ(im.pixels, std::vector<uint8_t>(raw.begin() + 16, raw.end()));
    }
    write_gz(dir.file("lab.gz"), idx_bytes(0x801, {7}, 7));
    EXPECT_EQ(gan::idx_read_labels(dir.file("lab.gz")).labels.size(), 7u);
    // A plain file named .gz is read as plain.
    write_bytes(dir.file("plain.gz"), raw);
    EXPECT_EQ(gan::idx_read_images(dir.file("plain.gz")).n, 2);
}

TEST(Idx, RejectsTruncated) {
    TempFolder dir;
    const std::string path = dir.file("t-idx3-ubyte");
    write_bytes(path, idx_bytes(0x803, {60000, 28, 28}, 1000));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": truncated: header says 60000x28x28 (47040000 bytes of pixels) but the file "
                     "holds 1000 bytes after the header");
    write_gz(path + ".gz", idx_bytes(0x803, {60000, 28, 28}, 1000));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path + ".gz"); }),
              path + ".gz: truncated: header says 60000x28x28 (47040000 bytes of pixels) but the "
                     "decompressed file holds 1000 bytes after the header");
    write_bytes(path, idx_bytes(0x801, {10}, 9));
    EXPECT_EQ(error_of([&] { gan::idx_read_labels(path); }),
              path + ": truncated: header says 10 (10 bytes of labels) but the file holds 9 bytes "
                     "after the header");
    // Header itself cut short.
    auto cut = idx_bytes(0x803, {2, 2, 2}, 0);
    cut.resize(10);
    write_bytes(path, cut);
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": truncated: the header needs 16 bytes but the file holds only 10");
    write_bytes(path, {0, 0});
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": not an IDX file: the file is only 2 bytes long");
    write_bytes(path, {});
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }), "only 0 bytes long");
}

TEST(Idx, RejectsTruncatedGzipStream) {
    TempFolder dir;
    const std::string path = dir.file("cut.gz");
    write_gz(path, idx_bytes(0x803, {10, 28, 28}, 7840));
    auto gz = gan::testing::read_bytes(path);
    ASSERT_GT(gz.size(), 40u);
    gz.erase(gz.end() - 20, gz.end());
    write_bytes(path, gz);
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }),
                    path + ": corrupt compressed data: the stream ends early");
}

TEST(Idx, RejectsTrailingBytes) {
    TempFolder dir;
    const std::string path = dir.file("x");
    write_bytes(path, idx_bytes(0x803, {2, 2, 2}, 9));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": trailing data: header says 2x2x2 (8 bytes of pixels) but the file holds 9 "
                     "bytes after the header");
    write_gz(path, idx_bytes(0x803, {2, 2, 2}, 100));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": trailing data: header says 2x2x2 (8 bytes of pixels) but the decompressed "
                     "file holds more than 8 bytes after the header");
    write_bytes(path, idx_bytes(0x801, {3}, 4));
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_labels(path); }), path + ": trailing data: ");
}

TEST(Idx, RejectsWrongMagic) {
    TempFolder dir;
    const std::string path = dir.file("labels");
    write_bytes(path, idx_bytes(0x801, {3}, 3));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": not an IDX image file: magic number is 0x00000801 (an IDX label file), "
                     "expected 0x00000803 (an IDX image file)");
    write_bytes(path, idx_bytes(0x803, {1, 1, 1}, 1));
    EXPECT_EQ(error_of([&] { gan::idx_read_labels(path); }),
              path + ": not an IDX label file: magic number is 0x00000803 (an IDX image file), "
                     "expected 0x00000801 (an IDX label file)");
    write_bytes(path, idx_bytes(0x0d03, {1, 1, 1}, 4));  // float32 elements
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }),
                    "magic number is 0x00000d03 (IDX element type 0x0d, 3 dimensions)");
    write_bytes(path, {'P', 'K', 3, 4, 0, 0, 0, 0});
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }),
                    "magic number is 0x504b0304 (not an IDX file)");
}

TEST(Idx, RejectsZeroDims) {
    TempFolder dir;
    const std::string path = dir.file("z");
    write_bytes(path, idx_bytes(0x803, {60000, 0, 28}, 0));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": header says 60000x0x28; every dimension must be > 0");
    write_bytes(path, idx_bytes(0x801, {0}, 0));
    EXPECT_EQ(error_of([&] { gan::idx_read_labels(path); }),
              path + ": header says 0; every dimension must be > 0");
}

TEST(Idx, RejectsHugeHeaderWithoutAllocating) {
    // These headers promise up to 2^96 bytes; the check happens before any allocation, so the
    // tests finish at once instead of running out of memory.
    TempFolder dir;
    const std::string path = dir.file("huge");
    write_bytes(path, idx_bytes(0x803, {0xffffffffu, 0xffffffffu, 0xffffffffu}, 16));
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }),
                    path + ": header says 4294967295x4294967295x4294967295; a dimension is larger than");
    write_bytes(path, idx_bytes(0x803, {2000000000u, 2000000000u, 2000000000u}, 16));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": header says 2000000000x2000000000x2000000000, more than the limit of "
                     "2147483648 bytes of pixels");
    write_gz(path, idx_bytes(0x803, {100000, 1000, 1000}, 16));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": header says 100000x1000x1000, more than the limit of 2147483648 bytes of "
                     "pixels");
    // Under the cap but far more than the (tiny) gzip holds: rejected as truncated, memory grows
    // only with what actually inflates.
    write_gz(path, idx_bytes(0x803, {2000, 1000, 1000}, 16));
    EXPECT_CONTAINS(error_of([&] { gan::idx_read_images(path); }),
                    "but the decompressed file holds 16 bytes after the header");
}

TEST(Idx, ReadRefusesWhatIsNotARegularFile) {
    EXPECT_EQ(error_of([] { gan::idx_read_images("/dev/zero"); }),
              "/dev/zero: cannot open: is a character device, not a regular file");
    TempFolder dir;
    const std::string fifo = dir.file("train-labels-idx1-ubyte.gz");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    gan::testing::Deadline deadline(10);
    EXPECT_EQ(error_of([&] { gan::idx_read_labels(fifo); }),
              fifo + ": cannot open: is a named pipe (FIFO), not a regular file");
}

// The header's dims are checked against the real file size before the data is read.
TEST(Idx, ReadChecksDimsAgainstFileSizeFirst) {
    TempFolder dir;
    const std::string path = dir.file("sparse");
    if (!write_sparse(path, idx_bytes(0x803, {60000, 28, 28}, 0), uint64_t(1) << 40))
        GTEST_SKIP() << "no 1 TiB sparse files here";
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": file is 1099511627776 bytes, more than the limit of 2147484672 bytes");
    ASSERT_TRUE(write_sparse(path, idx_bytes(0x803, {10, 28, 28}, 0), uint64_t(1) << 30));
    EXPECT_EQ(error_of([&] { gan::idx_read_images(path); }),
              path + ": trailing data: header says 10x28x28 (7840 bytes of pixels) but the file holds "
                     "1073741808 bytes after the header");
}

TEST(Idx, RejectsMissingFile) {
    TempFolder dir;
    EXPECT_EQ(error_of([&] { gan::idx_read_images(dir.file("nope")); }),
              dir.file("nope") + ": cannot open: No such file or directory");
}

TEST(Idx, WriteRejectsBadDims) {
    TempFolder dir;
    uint8_t px[4] = {};
    EXPECT_CONTAINS(error_of([&] { gan::idx_write_images(dir.file("w"), px, 0, 2, 2); }),
                    dir.file("w") + ": cannot write IDX: n is 0");
    EXPECT_TRUE(dir.list().empty());
}

TEST(Idx, DatasetLoadsMnistMini) {
    const std::string dir = std::string(GAN_SOURCE_DIR) + "/tests/data/mnist-mini";
    gan::Dataset train = gan::dataset_load(dir, true);
    EXPECT_EQ(train.images.n, 1000);
    EXPECT_EQ(train.images.rows, 28);
    EXPECT_EQ(train.images.cols, 28);
    ASSERT_EQ(train.images.pixels.size(), 1000u * 28 * 28);
    ASSERT_EQ(train.labels.labels.size(), 1000u);
    EXPECT_EQ(train.labels.labels[0], 5);  // the real MNIST's first training label
    EXPECT_EQ(train.labels.labels[1], 0);
    EXPECT_EQ(train.labels.labels[2], 4);
    for (uint8_t l : train.labels.labels) EXPECT_LT(l, 10);
    // The first image: an MNIST digit has black corners and some bright pixels.
    EXPECT_EQ(train.images.pixels[0], 0);
    int bright = 0;
    for (int i = 0; i < 28 * 28; ++i) bright += train.images.pixels[size_t(i)] > 128;
    EXPECT_GT(bright, 50);

    gan::Dataset test = gan::dataset_load(dir, false);
    EXPECT_EQ(test.images.n, 500);
    EXPECT_EQ(test.labels.labels.size(), 500u);
    EXPECT_EQ(test.labels.labels[0], 7);  // the real MNIST's first test label
}

TEST(Idx, DatasetAcceptsNameVariants) {
    TempFolder dir;
    auto px = pixels(2 * 3 * 3);
    std::vector<uint8_t> labels = {1, 2};
    // Plain files, dotted spelling for the images, plain name for the labels.
    gan::idx_write_images(dir.file("train-images.idx3-ubyte"), px.data(), 2, 3, 3);
    gan::idx_write_labels(dir.file("train-labels-idx1-ubyte"), labels.data(), 2);
    gan::Dataset ds = gan::dataset_load(dir.path + "/", true);
    EXPECT_EQ(ds.images.pixels, px);
    EXPECT_EQ(ds.labels.labels, labels);
    // Test split gzipped with .gz names.
    write_gz(dir.file("t10k-images-idx3-ubyte.gz"), idx_bytes(0x803, {2, 3, 3}, 18));
    write_gz(dir.file("t10k-labels.idx1-ubyte.gz"), idx_bytes(0x801, {2}, 2));
    EXPECT_EQ(gan::dataset_load(dir.path, false).images.n, 2);
}

TEST(Idx, DatasetRejectsCountMismatch) {
    TempFolder dir;
    auto px = pixels(3 * 2 * 2);
    std::vector<uint8_t> labels = {1, 2};
    gan::idx_write_images(dir.file("train-images-idx3-ubyte"), px.data(), 3, 2, 2);
    gan::idx_write_labels(dir.file("train-labels-idx1-ubyte"), labels.data(), 2);
    EXPECT_EQ(error_of([&] { gan::dataset_load(dir.path, true); }),
              dir.file("train-images-idx3-ubyte") + " holds 3 images but " +
                  dir.file("train-labels-idx1-ubyte") + " holds 2 labels");
}

TEST(Idx, DatasetRejectsMissingFiles) {
    TempFolder dir;
    EXPECT_EQ(error_of([&] { gan::dataset_load(dir.path, true); }),
              dir.path + ": no train-images-idx3-ubyte[.gz] (run scripts/fetch_mnist.sh or pass --data DIR)");
    auto px = pixels(4);
    gan::idx_write_images(dir.file("t10k-images-idx3-ubyte"), px.data(), 1, 2, 2);
    EXPECT_EQ(error_of([&] { gan::dataset_load(dir.path, false); }),
              dir.path + ": no t10k-labels-idx1-ubyte[.gz] (run scripts/fetch_mnist.sh or pass --data DIR)");
    EXPECT_EQ(error_of([&] { gan::dataset_load(dir.file("absent"), true); }),
              dir.file("absent") + ": no such data directory (run scripts/fetch_mnist.sh or pass --data DIR)");
}

// What the trainer reads: one-channel images, the bytes as they were, int32 labels, digit classes.
TEST(Idx, ImageSetOfADataset) {
    gan::Dataset d;
    d.images.n = 2, d.images.rows = 2, d.images.cols = 3;
    d.images.pixels = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    d.labels.labels = {3, 0};
    const gan::ImageSet s = gan::image_set_from_idx(d);
    EXPECT_EQ(s.n, 2);
    EXPECT_EQ(s.channels, 1);
    EXPECT_EQ(s.rows, 2);
    EXPECT_EQ(s.cols, 3);
    EXPECT_TRUE(std::equal(d.images.pixels.begin(), d.images.pixels.end(), s.pixels()));
    EXPECT_EQ(s.image(1)[0], 7);
    EXPECT_EQ(s.labels, (std::vector<int32_t>{3, 0}));
    EXPECT_EQ(s.class_names, (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));
    d.labels.labels = {12, 1};  // beyond the digits: as many classes as the largest label needs
    EXPECT_EQ(gan::image_set_from_idx(d).class_names.size(), 13u);
    d.labels.labels = {1};
    EXPECT_THROW(gan::image_set_from_idx(d), gan::Error);
}
