// A decoded data set of small images, the form the trainer reads: n images of channels x rows x cols
// uint8 (planar, CHW per image, images one after another), an integer label per image and the class
// names. The pixels live in an owned buffer or in a read-only memory map of a cache file
// (data/cache.h); either way `data` keeps them alive, so copies of an ImageSet are cheap and share
// the bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gan {

struct Dataset;  // io/idx.h: MNIST's IDX images and labels

struct ImageSet {
    int n = 0, channels = 0, rows = 0, cols = 0;
    std::vector<int32_t> labels;           // n entries, each in [0, class_names.size())
    std::vector<std::string> class_names;  // at least one; a single "" when the set has no classes
    std::shared_ptr<const uint8_t> data;   // n * image_bytes() bytes

    size_t image_bytes() const { return size_t(channels) * size_t(rows) * size_t(cols); }
    size_t total_bytes() const { return size_t(n) * image_bytes(); }
    const uint8_t* pixels() const { return data.get(); }
    const uint8_t* image(int i) const { return data.get() + size_t(i) * image_bytes(); }
};

// An ImageSet that owns `pixels` (moved in). Throws gan::Error when the sizes disagree: pixels must
// hold n * channels * rows * cols bytes, labels n entries in [0, class_names.size()).
ImageSet make_image_set(int n, int channels, int rows, int cols, std::vector<uint8_t> pixels,
                        std::vector<int32_t> labels, std::vector<std::string> class_names);

// The IDX images as one-channel images (their bytes moved, not copied) with their labels; the
// classes are named "0", "1", ... up to the largest label (at least to "9", MNIST's digits).
ImageSet image_set_from_idx(Dataset data);

// A corrupt or unreadable input: its path and what was wrong with it.
struct SkippedImage {
    std::string path;
    std::string reason;
};

// What a loader does with an image it cannot decode: leave it out (and report it among the
// skipped images) or throw, naming it.
enum class BadImagePolicy { skip, refuse };

}  // namespace gan
