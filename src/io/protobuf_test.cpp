// The wire-format writer against encodings worked out by hand from the protobuf encoding spec
// (https://protobuf.dev/programming-guides/encoding/), including its own examples.
#include "io/protobuf.h"

#include <gtest/gtest.h>

#include <string>

#include "core/check.h"

using gan::ProtoWriter;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int x : b) s += char(uint8_t(x));
    return s;
}

std::string varint(uint64_t v) {
    std::string s;
    ProtoWriter::append_varint(s, v);
    return s;
}

}  // namespace

TEST(Protobuf, Varints) {
    EXPECT_EQ(varint(0), bytes({0x00}));
    EXPECT_EQ(varint(1), bytes({0x01}));
    EXPECT_EQ(varint(127), bytes({0x7f}));
    EXPECT_EQ(varint(128), bytes({0x80, 0x01}));
    EXPECT_EQ(varint(150), bytes({0x96, 0x01}));  // the spec's example
    EXPECT_EQ(varint(300), bytes({0xac, 0x02}));
    EXPECT_EQ(varint(16384), bytes({0x80, 0x80, 0x01}));
    EXPECT_EQ(varint(UINT64_MAX), bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(Protobuf, VarintField) {
    ProtoWriter w;
    w.varint(1, 150);  // the spec's "Test1 { a: 150 }"
    EXPECT_EQ(w.data(), bytes({0x08, 0x96, 0x01}));
}

TEST(Protobuf, NegativeInt64IsTenBytes) {
    ProtoWriter w;
    w.int64(3, -1);  // int64 fields write the two's complement, not zigzag
    EXPECT_EQ(w.data(), bytes({0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
    ProtoWriter v;
    v.int64(1, -2);
    EXPECT_EQ(v.data(), bytes({0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(Protobuf, StringField) {
    ProtoWriter w;
    w.string(2, "testing");  // the spec's "Test2 { b: "testing" }"
    EXPECT_EQ(w.data(), bytes({0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'}));
    ProtoWriter empty;
    empty.string(4, "");
    EXPECT_EQ(empty.data(), bytes({0x22, 0x00}));
}

TEST(Protobuf, LongBytesFieldHasAMultiByteLength) {
    ProtoWriter w;
    const std::string payload(200, 'x');
    w.bytes(9, payload.data(), payload.size());
    EXPECT_EQ(w.data().substr(0, 3), bytes({0x4a, 0xc8, 0x01}));  // key 9<<3|2, length 200
    EXPECT_EQ(w.data().substr(3), payload);
}

TEST(Protobuf, NestedMessage) {
    ProtoWriter inner;
    inner.varint(1, 150);
    ProtoWriter outer;
    outer.message(3, inner);  // the spec's "Test3 { c: { a: 150 } }"
    EXPECT_EQ(outer.data(), bytes({0x1a, 0x03, 0x08, 0x96, 0x01}));
}

TEST(Protobuf, FloatIsFixed32LittleEndian) {
    ProtoWriter w;
    w.fixed32_float(2, 1.0f);  // 0x3f800000
    EXPECT_EQ(w.data(), bytes({0x15, 0x00, 0x00, 0x80, 0x3f}));
    ProtoWriter a;
    a.fixed32_float(2, 0.01f);  // 0x3c23d70a
    EXPECT_EQ(a.data(), bytes({0x15, 0x0a, 0xd7, 0x23, 0x3c}));
}

TEST(Protobuf, LargeFieldNumbersTakeLongerKeys) {
    ProtoWriter w;
    w.varint(20, 7);  // AttributeProto.type: key 20<<3|0 = 160 = a0 01
    EXPECT_EQ(w.data(), bytes({0xa0, 0x01, 0x07}));
}

TEST(Protobuf, AppendConcatenatesFields) {
    ProtoWriter a, b;
    a.varint(1, 1);
    b.string(2, "x");
    a.append(b);
    EXPECT_EQ(a.data(), bytes({0x08, 0x01, 0x12, 0x01, 'x'}));
}

TEST(Protobuf, RefusesFieldNumbersOutOfRange) {
    ProtoWriter w;
    EXPECT_THROW(w.varint(0, 1), gan::Error);
    EXPECT_THROW(w.varint(1 << 29, 1), gan::Error);
    EXPECT_TRUE(w.data().empty());
}
