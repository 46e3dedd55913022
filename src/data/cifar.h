// CIFAR-10's binary format ("CIFAR-10 binary version", cifar-10-batches-bin/): each batch file is
// records of 3073 bytes, a label byte (0..9) then the 32x32 image as three planes of 1024 bytes, red
// then green then blue, rows top to bottom. The training set is data_batch_1.bin .. data_batch_5.bin,
// the test set test_batch.bin; batches.meta.txt, when present, names the ten classes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_set.h"

namespace gan {

inline constexpr size_t kCifarRecordBytes = 3073;
inline constexpr int kCifarSide = 32;
inline constexpr int kCifarClasses = 10;

enum class CifarSplit { train, test };

// The records of one batch file's bytes, appended to pixels (CHW, 3 x 32 x 32 each) and labels.
// Throws "<name>: ..." when n is not a positive multiple of 3073 or a label is outside 0..9.
void cifar_parse_batch(const uint8_t* data, size_t n, const std::string& name,
                       std::vector<uint8_t>& pixels, std::vector<int32_t>& labels);

// True when dir holds CIFAR-10 batch files (data_batch_1.bin or test_batch.bin), directly or in
// its cifar-10-batches-bin folder.
bool is_cifar10_folder(const std::string& dir);

// Reads the split from dir (or dir/cifar-10-batches-bin): for train, those of data_batch_1.bin ..
// data_batch_5.bin that exist (data_batch_1.bin must); for test, test_batch.bin.
// With channels 1 the images become gray (gray_of_rgb); with image_size other than 32 they are
// resized (resize_and_crop). Throws naming the file that is missing or malformed.
ImageSet read_cifar10(const std::string& dir, CifarSplit split, int channels = 3, int image_size = 32);

}  // namespace gan
