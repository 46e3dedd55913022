// safetensors files: an 8-byte little-endian uint64 header length N, N bytes of UTF-8 JSON
// {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__":
// {"key": "value", ...}} (offsets relative to the data section), then the data section: raw
// little-endian values, row-major. gan.cpp writes F32 only; it reads F32 and I64 (the int64 counters
// of PyTorch state dicts, batch norm's num_batches_tracked), the latter converted to float.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gan {

// Largest JSON header a reader accepts.
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = uint64_t(100) << 20;

// A tensor to write: data points at product(shape) floats (may be null when that is 0).
struct TensorView {
    std::string name;
    std::vector<int64_t> shape;  // [] is a scalar (1 value)
    const float* data = nullptr;
};

struct StoredTensor {
    std::vector<int64_t> shape;
    std::vector<float> data;    // product(shape) values, row-major
    std::string dtype = "F32";  // as the file stores them: F32, or I64 (converted to float, exact below 2^24)
};

struct SafetensorsFile {
    std::map<std::string, StoredTensor> tensors;
    std::map<std::string, std::string> metadata;
    std::vector<std::string> order;  // tensor names in file-offset order
};

// Writes atomically: tensors' data laid out back to back in the given order, the header's JSON
// listing "__metadata__" (when not empty) then the tensors in that order, padded with spaces to a
// multiple of 8 bytes. Throws on duplicate or reserved ("__metadata__") names, negative dims,
// or strings that are not valid UTF-8.
void safetensors_write(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata);

// Reads and validates a file (see safetensors_parse) through FileReader (io/file.h): only a regular
// file of at most 16 GiB is read, the header only after its length is checked against the file's
// size, and each tensor's bytes only after every entry is checked; bytes no tensor covers are never
// read, and memory grows only with the header and the tensors the file really holds.
SafetensorsFile safetensors_read(const std::string& path);

// Parses n bytes of a safetensors file. Rejects, naming path_for_errors: fewer than 8 bytes; a
// header length past the end or over kSafetensorsMaxHeaderBytes; invalid JSON or UTF-8; a
// header that is not an object; duplicate keys at any level; entries without dtype "F32" or "I64", a
// shape of non-negative integers or data_offsets [begin, end] with begin <= end <= data size and
// end - begin == (4 or 8) * product(shape); overlapping tensors; metadata values that are not strings.
// Gaps between tensors are allowed. Never reads outside bytes[0, n).
SafetensorsFile safetensors_parse(const uint8_t* bytes, size_t n, const std::string& path_for_errors);

}  // namespace gan
