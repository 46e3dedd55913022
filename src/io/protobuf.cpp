#include "io/protobuf.h"

#include <cstring>

#include "core/check.h"

namespace gan {

void ProtoWriter::append_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += char(uint8_t(v) | 0x80);
        v >>= 7;
    }
    out += char(uint8_t(v));
}

void ProtoWriter::key(int field, int wire_type) {
    // Field numbers are 1 .. 2^29 - 1, 19000-19999 reserved by protobuf itself.
    GAN_CHECK(field >= 1 && field < (1 << 29), "protobuf field number ", field, " is out of range");
    append_varint(buf_, uint64_t(field) << 3 | uint64_t(wire_type));
}

void ProtoWriter::varint(int field, uint64_t v) {
    key(field, 0);
    append_varint(buf_, v);
}

void ProtoWriter::fixed32_float(int field, float v) {
    key(field, 5);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int i = 0; i < 4; ++i) buf_ += char(uint8_t(bits >> (8 * i)));  // little-endian on any host
}

void ProtoWriter::fixed64_double(int field, double v) {
    key(field, 1);
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    for (int i = 0; i < 8; ++i) buf_ += char(uint8_t(bits >> (8 * i)));
}

void ProtoWriter::bytes(int field, const void* data, size_t n) {
    key(field, 2);
    append_varint(buf_, n);
    if (n) buf_.append(static_cast<const char*>(data), n);
}

}  // namespace gan
