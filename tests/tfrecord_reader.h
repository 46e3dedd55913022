// Reading TFRecord files back, for the tests of what io/tfrecord.h writes (the library only writes
// them): each record's length and data with both masked CRC-32C checks.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/check.h"
#include "io/bytes.h"
#include "io/tfrecord.h"

namespace gan::testing {

inline uint32_t crc32c_unmask(uint32_t masked) {
    const uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

// The records' data of a file's bytes; a file that ends in the middle of a record, or any CRC
// mismatch, throws naming path and the offset.
inline std::vector<std::vector<uint8_t>> tfrecord_split(const std::vector<uint8_t>& b, const std::string& path) {
    std::vector<std::vector<uint8_t>> records;
    size_t pos = 0;
    while (pos < b.size()) {
        GAN_CHECK(b.size() - pos >= 12, path, ": truncated record header at offset ", pos);
        const uint64_t n = get_le(&b[pos], 8);
        GAN_CHECK(crc32c_unmask(uint32_t(get_le(&b[pos + 8], 4))) == crc32c(&b[pos], 8), path,
                  ": record at offset ", pos, " has a bad length CRC (file corrupt)");
        GAN_CHECK(n <= b.size() - pos - 12 && b.size() - pos - 12 - n >= 4, path, ": truncated record at offset ",
                  pos, ": it says it holds ", n, " bytes");
        const uint8_t* data = &b[pos + 12];
        GAN_CHECK(crc32c_unmask(uint32_t(get_le(data + n, 4))) == crc32c(data, size_t(n)), path,
                  ": record at offset ", pos, " has a bad data CRC (file corrupt)");
        records.emplace_back(data, data + n);
        pos += 12 + size_t(n) + 4;
    }
    return records;
}

}  // namespace gan::testing
