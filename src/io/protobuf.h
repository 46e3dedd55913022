// A minimal Protocol Buffers wire-format writer: enough to serialise the handful of ONNX messages
// export/onnx.cpp builds and the TensorBoard events of io/tfrecord.cpp. It stays hand-written:
// libprotobuf would need the ONNX and TensorFlow .proto files, protoc at build time and a larger
// runtime for a few dozen lines of encoding. A message is a sequence of fields, each a key
// varint (field_number << 3 | wire_type) followed by its value:
//   wire type 0 (varint):           integers and enums, 7 bits per byte, low group first, high bit = more
//   wire type 1 (64-bit), 5 (32-bit): fixed-size little-endian values (double, float)
//   wire type 2 (length-delimited):  a varint byte count, then the bytes (strings, bytes, sub-messages)
// Negative int32/int64 values are written as their 64-bit two's complement (10 bytes), as protobuf
// does for int32/int64 (not sint*). Repeated scalars are written one field per element (unpacked,
// as proto2's default; every parser accepts it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

class ProtoWriter {
  public:
    // Appends v as a base-128 varint to out.
    static void append_varint(std::string& out, uint64_t v);

    void varint(int field, uint64_t v);                     // wire type 0
    void int64(int field, int64_t v) { varint(field, uint64_t(v)); }  // int32/int64/enum fields
    void fixed32_float(int field, float v);                 // wire type 5 (float fields)
    void fixed64_double(int field, double v);               // wire type 1 (double fields)
    void bytes(int field, const void* data, size_t n);      // wire type 2
    void string(int field, const std::string& s) { bytes(field, s.data(), s.size()); }
    void message(int field, const ProtoWriter& sub) { bytes(field, sub.data().data(), sub.data().size()); }

    // Appends another writer's fields: a message's fields may come in any number of pieces (protobuf
    // merges repeated fields in order), so a message can be built from parts written apart.
    void append(const ProtoWriter& fields) { buf_ += fields.buf_; }

    const std::string& data() const { return buf_; }
    std::vector<uint8_t> to_vector() const { return std::vector<uint8_t>(buf_.begin(), buf_.end()); }
    size_t size() const { return buf_.size(); }

  private:
    void key(int field, int wire_type);
    std::string buf_;
};

}  // namespace gan
