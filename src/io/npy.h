// NumPy .npy files: "\x93NUMPY", version 1.0, a little-endian uint16 header length, a Python
// dict literal {'descr': ..., 'fortran_order': False, 'shape': (...), } padded with spaces and
// ended by '\n' so the data starts at a multiple of 64 bytes, then the raw C-order data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

// Written atomically as version 1.0. Every dim must be >= 0 ([] is a scalar: one value);
// data holds product(shape) values (may be null when that is 0).
void npy_write_u8(const std::string& path, const uint8_t* data, const std::vector<int64_t>& shape);  // '|u1'
// The bytes before the data of such a file, for writers that stream the data (io/file.h AtomicFile).
std::vector<uint8_t> npy_header_u8(const std::string& path, const std::vector<int64_t>& shape);
void npy_write_f32(const std::string& path, const float* data, const std::vector<int64_t>& shape);  // '<f4'
std::vector<uint8_t> npy_header_f32(const std::string& path, const std::vector<int64_t>& shape);  // streamed '<f4'

struct NpyU8 {
    std::vector<int64_t> shape;
    std::vector<uint8_t> data;  // product(shape) values, C order
};

struct NpyF32 {
    std::vector<int64_t> shape;
    std::vector<float> data;  // product(shape) values, C order
};

// Reads versions 1.0, 2.0 and 3.0. The header must be a dict with exactly the keys descr,
// fortran_order and shape; descr '|u1' or '<u1' (npy_read_u8) / '<f4' (npy_read_f32);
// fortran_order False; and the data must be exactly product(shape) values long. The file is read
// through FileReader (io/file.h: a regular file only, at most 16 GiB); the header (at most 1 MiB)
// and the data's length are checked against the file's size before the data is read.
NpyU8 npy_read_u8(const std::string& path);
NpyF32 npy_read_f32(const std::string& path);

struct NpyI64 {
    std::vector<int64_t> shape;
    std::vector<int64_t> data;  // product(shape) values, C order
};
// Integers (class labels): descr '<i8' (numpy's default int on Linux), '<i4', '|u1', '<u1' or '|i1',
// widened to int64; the same checks as above.
NpyI64 npy_read_int(const std::string& path);

}  // namespace gan
