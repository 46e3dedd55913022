#include "data/cifar.h"

#include <filesystem>
#include <fstream>

#include "core/check.h"
#include "data/image_folder.h"
#include "io/file.h"

namespace gan {
namespace {

// The largest batch file read: CIFAR-10's are 30,730,000 bytes.
constexpr size_t kCifarMaxFileBytes = size_t(1) << 30;

const char* const kCifarDefaultNames[kCifarClasses] = {"airplane", "automobile", "bird", "cat", "deer",
                                                       "dog", "frog", "horse", "ship", "truck"};

std::string batches_dir(const std::string& dir) {
    const std::string sub = dir + "/cifar-10-batches-bin";
    if (!file_exists(dir + "/data_batch_1.bin") && !file_exists(dir + "/test_batch.bin") &&
        std::filesystem::is_directory(sub))
        return sub;
    return dir;
}

// The names in batches.meta.txt (one a line, blank lines ignored) when it names exactly ten classes,
// else CIFAR-10's own names.
std::vector<std::string> class_names_in(const std::string& dir) {
    std::vector<std::string> names;
    std::ifstream meta(dir + "/batches.meta.txt");
    for (std::string line; meta && std::getline(meta, line) && names.size() <= size_t(kCifarClasses);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) names.push_back(line);
    }
    if (names.size() == size_t(kCifarClasses)) return names;
    return std::vector<std::string>(kCifarDefaultNames, kCifarDefaultNames + kCifarClasses);
}

// Planar RGB 32x32 images converted to `channels` and resized to size x size, in place.
std::vector<uint8_t> convert_cifar(const std::vector<uint8_t>& rgb, size_t n, int channels, int size) {
    const size_t plane = size_t(kCifarSide) * kCifarSide;
    const size_t out_bytes = size_t(channels) * size_t(size) * size_t(size);
    std::vector<uint8_t> out(n * out_bytes);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* src = rgb.data() + i * 3 * plane;
        Image img{kCifarSide, kCifarSide, 3, std::vector<uint8_t>(3 * plane)};
        for (size_t p = 0; p < plane; ++p)
            for (size_t c = 0; c < 3; ++c) img.pixels[p * 3 + c] = src[c * plane + p];
        prepare_image(std::move(img), size, channels, out.data() + i * out_bytes);
    }
    return out;
}

}  // namespace

void cifar_parse_batch(const uint8_t* data, size_t n, const std::string& name, std::vector<uint8_t>& pixels,
                       std::vector<int32_t>& labels) {
    GAN_CHECK(n > 0 && n % kCifarRecordBytes == 0, name, ": ", n,
              " bytes is not a whole number of CIFAR-10 records of ", kCifarRecordBytes, " bytes");
    const size_t records = n / kCifarRecordBytes;
    for (size_t r = 0; r < records; ++r) {
        const uint8_t label = data[r * kCifarRecordBytes];
        GAN_CHECK(label < kCifarClasses, name, ": record ", r, " has label ", int(label),
                  ", outside 0..9 (is this CIFAR-100?)");
    }
    pixels.reserve(pixels.size() + records * (kCifarRecordBytes - 1));
    for (size_t r = 0; r < records; ++r) {
        const uint8_t* rec = data + r * kCifarRecordBytes;
        labels.push_back(rec[0]);
        pixels.insert(pixels.end(), rec + 1, rec + kCifarRecordBytes);
    }
}

bool is_cifar10_folder(const std::string& dir) {
    const std::string d = batches_dir(dir);
    return file_exists(d + "/data_batch_1.bin") || file_exists(d + "/test_batch.bin");
}

ImageSet read_cifar10(const std::string& dir, CifarSplit split, int channels, int image_size) {
    GAN_CHECK(channels == 1 || channels == 3, "channels must be 1 or 3, not ", channels);
    GAN_CHECK(image_size >= 1 && image_size <= 4096, "image size must be in [1, 4096], not ", image_size);
    const std::string d = batches_dir(dir);
    std::vector<std::string> files;
    if (split == CifarSplit::test) {
        files.push_back(d + "/test_batch.bin");
    } else {
        for (int b = 1; b <= 5; ++b) {
            const std::string f = d + "/data_batch_" + std::to_string(b) + ".bin";
            if (b == 1 || file_exists(f)) files.push_back(f);
        }
    }
    std::vector<uint8_t> pixels;
    std::vector<int32_t> labels;
    for (const std::string& f : files) {
        const std::vector<uint8_t> bytes = file_read_all(f, kCifarMaxFileBytes);
        cifar_parse_batch(bytes.data(), bytes.size(), f, pixels, labels);
    }
    const size_t n = labels.size();
    if (channels != 3 || image_size != kCifarSide) pixels = convert_cifar(pixels, n, channels, image_size);
    return make_image_set(int(n), channels, image_size, image_size, std::move(pixels), std::move(labels),
                          class_names_in(d));
}

}  // namespace gan
