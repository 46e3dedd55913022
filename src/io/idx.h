// IDX files (the MNIST format): a big-endian int32 magic 0x000008DD (0x08 = unsigned byte,
// DD = number of dimensions), one big-endian uint32 per dimension, then the bytes, row-major.
// Readers accept the plain file or a gzip of it (detected by the magic bytes 1f 8b, not the
// name) and insist that the data length is exactly what the header says.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

// Largest data section (n*rows*cols bytes) a reader accepts: 2 GiB. Checked before allocating.
inline constexpr uint64_t kIdxMaxDataBytes = uint64_t(1) << 31;

struct IdxImages {
    int n = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // n*rows*cols, image-major then row-major; 0 = black, 255 = white
};

struct IdxLabels {
    std::vector<uint8_t> labels;  // one per image
};

// Magic 0x00000803, dims n x rows x cols, each > 0.
IdxImages idx_read_images(const std::string& path);
// Magic 0x00000801, one dim n > 0. Label values are not range-checked.
IdxLabels idx_read_labels(const std::string& path);

// The same checks on a file already in memory (bytes[0, n), plain or gzip); name only labels
// messages. Used by the readers above and by fuzz/fuzz_idx.cpp.
IdxImages idx_parse_images(const uint8_t* bytes, size_t n, const std::string& name);
IdxLabels idx_parse_labels(const uint8_t* bytes, size_t n, const std::string& name);

// Plain (uncompressed) IDX, written atomically. n, rows, cols > 0; pixels holds n*rows*cols bytes.
void idx_write_images(const std::string& path, const uint8_t* pixels, int n, int rows, int cols);
// The 16 bytes before the pixels of such a file, for writers that stream them (io/file.h AtomicFile).
std::vector<uint8_t> idx_header_images(const std::string& path, int n, int rows, int cols);
// Plain IDX label file (magic 0x00000801), written atomically. n > 0.
void idx_write_labels(const std::string& path, const uint8_t* labels, int n);

struct Dataset {
    IdxImages images;
    IdxLabels labels;  // labels.labels.size() == images.n
};

// The MNIST training (train = true: train-images-idx3-ubyte, train-labels-idx1-ubyte) or test
// (t10k-...) split from dir. Each file may be plain or gzip, named with or without ".gz", and
// "-idx3-ubyte" may also be spelled ".idx3-ubyte". Throws when a file is missing, malformed,
// or the image and label counts differ.
Dataset dataset_load(const std::string& dir, bool train);

// True when dir holds an MNIST training images file under any of the names dataset_load accepts.
bool is_mnist_folder(const std::string& dir);

}  // namespace gan
