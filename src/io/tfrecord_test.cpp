#include "io/tfrecord.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "test_util.h"
#include "tfrecord_reader.h"
#include "io/png.h"

namespace gan {
namespace {

using testing::crc32c_unmask;
using testing::error_of;
using testing::tfrecord_split;

uint32_t crc_of(const std::vector<uint8_t>& v) { return crc32c(v.data(), v.size()); }

TEST(Crc32c, PublishedTestVectors) {
    // RFC 3720 appendix B.4.
    EXPECT_EQ(crc_of(std::vector<uint8_t>(32, 0x00)), 0x8a9136aau);
    EXPECT_EQ(crc_of(std::vector<uint8_t>(32, 0xff)), 0x62a8ab43u);
    std::vector<uint8_t> up(32), down(32);
    for (int i = 0; i < 32; ++i) up[i] = uint8_t(i), down[i] = uint8_t(31 - i);
    EXPECT_EQ(crc_of(up), 0x46dd794eu);
    EXPECT_EQ(crc_of(down), 0x113fdb5cu);
    // The CRC catalogue's check value.
    const char* check = "123456789";
    EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t*>(check), 9), 0xe3069283u);
    EXPECT_EQ(crc32c(nullptr, 0), 0u);
}

TEST(Crc32c, ExtendsAndMasks) {
    std::vector<uint8_t> v(1000);
    for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i * 7 + 3);
    for (size_t k : {size_t(0), size_t(1), size_t(500), size_t(1000)})
        EXPECT_EQ(crc32c(v.data() + k, v.size() - k, crc32c(v.data(), k)), crc_of(v)) << k;
    for (uint32_t c : {0u, 1u, 0x8a9136aau, 0xffffffffu, 0x12345678u}) {
        EXPECT_EQ(crc32c_unmask(crc32c_mask(c)), c);
        EXPECT_EQ(crc32c_mask(c), ((c >> 15) | (c << 17)) + 0xa282ead8u);
    }
}

TEST(TfRecord, FramesLikeTensorFlow) {
    // Every TensorFlow events file starts with a 24-byte file_version record: its header bytes
    // 18 00 00 00 00 00 00 00 a3 7f 4b 22 are the same in all of them.
    const std::vector<uint8_t> event = tf_event_file_version(1.5e9);
    ASSERT_EQ(event.size(), 24u);
    std::vector<uint8_t> rec;
    tfrecord_append(rec, event.data(), event.size());
    ASSERT_EQ(rec.size(), 8 + 4 + 24 + 4u);
    EXPECT_EQ(std::vector<uint8_t>(rec.begin(), rec.begin() + 12),
              (std::vector<uint8_t>{0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22}));
    uint32_t data_crc;
    std::memcpy(&data_crc, &rec[36], 4);
    EXPECT_EQ(crc32c_unmask(data_crc), crc_of(event));

    tfrecord_append(rec, nullptr, 0);
    const std::vector<std::vector<uint8_t>> back = tfrecord_split(rec, "f");
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0], event);
    EXPECT_TRUE(back[1].empty());

    for (size_t at : {size_t(3), size_t(9), size_t(20), size_t(38)}) {
        std::vector<uint8_t> bad = rec;
        bad[at] ^= 0x10;
        EXPECT_CONTAINS(error_of([&] { tfrecord_split(bad, "ev.tfevents"); }), "ev.tfevents: ");
    }
    EXPECT_CONTAINS(error_of([&] { tfrecord_split(std::vector<uint8_t>(rec.begin(), rec.end() - 1), "ev"); }),
                    "truncated");
}

// A protobuf message as field number -> values (varints as numbers, 32/64-bit fixed values as
// their bits, length-delimited fields as bytes); the parser for checking what we wrote.
struct Field {
    int wire = 0;
    uint64_t number = 0;
    std::vector<uint8_t> bytes;
};
std::multimap<int, Field> parse(const std::vector<uint8_t>& m) {
    std::multimap<int, Field> out;
    size_t pos = 0;
    auto varint = [&] {
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            EXPECT_LT(pos, m.size());
            const uint8_t b = m.at(pos++);
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
    };
    while (pos < m.size()) {
        const uint64_t key = varint();
        Field f;
        f.wire = int(key & 7);
        if (f.wire == 0) {
            f.number = varint();
        } else if (f.wire == 1 || f.wire == 5) {
            const int n = f.wire == 1 ? 8 : 4;
            for (int i = 0; i < n; ++i) f.number |= uint64_t(m.at(pos++)) << (8 * i);
        } else {
            EXPECT_EQ(f.wire, 2);
            const uint64_t n = varint();
            f.bytes.assign(m.begin() + long(pos), m.begin() + long(pos + n));
            pos += n;
        }
        out.emplace(int(key >> 3), f);
    }
    EXPECT_EQ(pos, m.size());
    return out;
}
double as_double(const Field& f) {
    double d;
    std::memcpy(&d, &f.number, 8);
    return d;
}
float as_float(const Field& f) {
    const uint32_t bits = uint32_t(f.number);
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
}
std::string as_string(const Field& f) { return std::string(f.bytes.begin(), f.bytes.end()); }

// What an image event record holds: Event{step = 2, summary = 5{value = 1{tag = 1, image = 4{height = 1,
// width = 2, colorspace = 3, encoded_image_string = 4}}}}.
struct EventImage {
    uint64_t step = 0, height = 0, width = 0, colorspace = 0;
    std::string tag;
    std::vector<uint8_t> png;
};
EventImage event_image(const std::vector<uint8_t>& record) {
    auto e = parse(record);
    auto v = parse(parse(e.find(5)->second.bytes).find(1)->second.bytes);
    auto img = parse(v.find(4)->second.bytes);
    return {e.find(2)->second.number, img.find(1)->second.number, img.find(2)->second.number,
            img.find(3)->second.number, as_string(v.find(1)->second), img.find(4)->second.bytes};
}

TEST(TfEvent, ScalarEncodingIsExact) {
    // Event{wall_time: 2.0, step: 300, summary{value{tag: "g", simple_value: 1.0}}}, by hand.
    const std::vector<uint8_t> want = {0x09, 0, 0, 0, 0, 0, 0, 0, 0x40,        // 1: double 2.0
                                       0x10, 0xac, 0x02,                         // 2: varint 300
                                       0x2a, 0x0a, 0x0a, 0x08,                   // 5: Summary, 1: Value
                                       0x0a, 0x01, 'g',                          // tag
                                       0x15, 0x00, 0x00, 0x80, 0x3f};            // float 1.0
    EXPECT_EQ(tf_event_scalars(2.0, 300, {{"g", 1.0f}}), want);
    const std::vector<uint8_t> neg = tf_event_scalars(0, -1, {});
    EXPECT_EQ(parse(neg).find(2)->second.number, ~uint64_t(0));  // int64 -1: ten-byte varint
}

TEST(EventsWriter, WritesRecordsTensorBoardReads) {
    testing::TempFolder dir;
    const std::string sub = dir.file("tb");
    std::string path;
    std::vector<uint8_t> px(6 * 4);
    for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 10);
    {
        EventsWriter w(sub);
        path = w.path();
        w.add_scalars({{"loss/d", 0.5}, {"loss/g", 1.25}}, 3);
        w.add_scalar("prob/real", 0.75, 4);
        w.add_image_gray("samples", px.data(), 6, 4, 4);
        w.flush();
    }
    EXPECT_EQ(path.rfind(sub + "/events.out.tfevents.", 0), 0u) << path;
    const std::vector<std::vector<uint8_t>> recs = tfrecord_split(testing::read_bytes(path), path);
    ASSERT_EQ(recs.size(), 4u);

    auto e0 = parse(recs[0]);
    EXPECT_EQ(as_string(e0.find(3)->second), "brain.Event:2");
    EXPECT_GT(as_double(e0.find(1)->second), 1.6e9);

    auto e1 = parse(recs[1]);
    EXPECT_EQ(e1.find(2)->second.number, 3u);
    auto s1 = parse(e1.find(5)->second.bytes);
    ASSERT_EQ(s1.count(1), 2u);
    auto it = s1.find(1);
    auto v0 = parse(it->second.bytes), v1 = parse(std::next(it)->second.bytes);
    EXPECT_EQ(as_string(v0.find(1)->second), "loss/d");
    EXPECT_EQ(as_float(v0.find(2)->second), 0.5f);
    EXPECT_EQ(as_string(v1.find(1)->second), "loss/g");
    EXPECT_EQ(as_float(v1.find(2)->second), 1.25f);

    const EventImage e3 = event_image(recs[3]);
    EXPECT_EQ(e3.step, 4u);
    EXPECT_EQ(e3.tag, "samples");
    EXPECT_EQ(e3.height, 4u);
    EXPECT_EQ(e3.width, 6u);
    EXPECT_EQ(e3.colorspace, 1u);  // gray
    testing::write_bytes(dir.file("img.png"), e3.png);
    const GrayImage back = png_read_gray(dir.file("img.png"));
    EXPECT_EQ(back.width, 6);
    EXPECT_EQ(back.pixels, px);
}

TEST(EventsWriter, ColourImagesAreRgbPngs) {
    testing::TempFolder dir;
    std::string path;
    PngImage rgb{5, 3, 3, std::vector<uint8_t>(5 * 3 * 3)};
    for (size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = uint8_t(i * 17 + 3);
    {
        EventsWriter w(dir.file("tb"));
        path = w.path();
        w.add_image("samples/fixed", rgb, 7);
    }
    const std::vector<std::vector<uint8_t>> recs = tfrecord_split(testing::read_bytes(path), path);
    ASSERT_EQ(recs.size(), 2u);
    const EventImage e = event_image(recs[1]);
    EXPECT_EQ(e.step, 7u);
    EXPECT_EQ(e.tag, "samples/fixed");
    EXPECT_EQ(e.height, 3u);
    EXPECT_EQ(e.width, 5u);
    EXPECT_EQ(e.colorspace, 3u);  // RGB
    ASSERT_GT(e.png.size(), 25u);
    EXPECT_EQ(e.png[25], 2);  // IHDR colour type: RGB
    testing::write_bytes(dir.file("img.png"), e.png);
    const PngImage back = png_read_image(dir.file("img.png"));
    EXPECT_EQ(back.channels, 3);
    EXPECT_EQ(back.pixels, rgb.pixels);
}

TEST(EventsWriter, ErrorsNameThePath) {
    testing::TempFolder dir;
    testing::write_bytes(dir.file("file"), {1});
    EXPECT_CONTAINS(error_of([&] { EventsWriter w(dir.file("file/tb")); }), dir.file("file"));
    EventsWriter w(dir.file("tb"));
    EXPECT_CONTAINS(error_of([&] { w.add_image_gray("x", nullptr, 0, 0, 1); }), w.path());
    EXPECT_CONTAINS(error_of([&] { w.add_image("y", PngImage{1, 1, 2, {1, 2}}, 1); }), w.path() + ": image 'y'");
}

}  // namespace
}  // namespace gan
