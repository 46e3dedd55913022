#include "io/tfrecord.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/check.h"
#include "io/bytes.h"
#include "io/file.h"
#include "io/png.h"

namespace gan {

namespace {

// Byte-at-a-time table for the reflected Castagnoli polynomial.
constexpr std::array<uint32_t, 256> make_crc32c_table() {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = make_crc32c_table();

constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Protocol buffer wire format (protobuf.dev/programming-guides/encoding): a key is
// (field << 3) | wire type; 0 = varint, 1 = 64-bit, 2 = length-delimited, 5 = 32-bit.
void put_varint(std::vector<uint8_t>& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(uint8_t(v | 0x80));
        v >>= 7;
    }
    out.push_back(uint8_t(v));
}
void put_key(std::vector<uint8_t>& out, int field, int wire) { put_varint(out, uint64_t(field) << 3 | uint64_t(wire)); }
void put_int(std::vector<uint8_t>& out, int field, int64_t v) {
    put_key(out, field, 0);
    put_varint(out, uint64_t(v));  // negative values take ten bytes, as protobuf's int32/int64 do
}
void put_double(std::vector<uint8_t>& out, int field, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    put_key(out, field, 1);
    put_le(out, bits, 8);
}
void put_float(std::vector<uint8_t>& out, int field, float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_key(out, field, 5);
    put_le(out, bits, 4);
}
void put_bytes(std::vector<uint8_t>& out, int field, const uint8_t* data, size_t n) {
    put_key(out, field, 2);
    put_varint(out, n);
    out.insert(out.end(), data, data + n);
}
void put_bytes(std::vector<uint8_t>& out, int field, const std::vector<uint8_t>& data) {
    put_bytes(out, field, data.data(), data.size());
}
void put_string(std::vector<uint8_t>& out, int field, const std::string& s) {
    put_bytes(out, field, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Event { wall_time = 1, step = 2, summary = 5 } around a Summary of the given Values.
std::vector<uint8_t> event_with_summary(double wall_time, int64_t step, const std::vector<std::vector<uint8_t>>& values) {
    std::vector<uint8_t> summary;
    for (const auto& v : values) put_bytes(summary, 1, v);
    std::vector<uint8_t> e;
    put_double(e, 1, wall_time);
    put_int(e, 2, step);
    put_bytes(e, 5, summary);
    return e;
}

double now_seconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint32_t crc32c(const uint8_t* data, size_t n, uint32_t crc) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; ++i) c = kCrc32cTable[(c ^ data[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

uint32_t crc32c_mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

uint32_t crc32c_unmask(uint32_t masked) {
    const uint32_t rot = masked - kMaskDelta;
    return (rot >> 17) | (rot << 15);
}

void tfrecord_append(std::vector<uint8_t>& out, const uint8_t* data, size_t n) {
    const size_t len_at = out.size();
    put_le(out, n, 8);
    put_le(out, crc32c_mask(crc32c(out.data() + len_at, 8)), 4);
    if (n) out.insert(out.end(), data, data + n);
    put_le(out, crc32c_mask(crc32c(data, n)), 4);
}

std::vector<std::vector<uint8_t>> tfrecord_split(const std::vector<uint8_t>& b, const std::string& path) {
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

std::vector<uint8_t> tf_event_file_version(double wall_time, const std::string& version) {
    std::vector<uint8_t> e;
    put_double(e, 1, wall_time);
    put_string(e, 3, version);
    return e;
}

std::vector<uint8_t> tf_event_scalars(double wall_time, int64_t step,
                                      const std::vector<std::pair<std::string, float>>& scalars) {
    std::vector<std::vector<uint8_t>> values;
    for (const auto& [tag, v] : scalars) {
        std::vector<uint8_t> value;
        put_string(value, 1, tag);
        put_float(value, 2, v);
        values.push_back(std::move(value));
    }
    return event_with_summary(wall_time, step, values);
}

std::vector<uint8_t> tf_event_image(double wall_time, int64_t step, const std::string& tag, int height, int width,
                                    int colorspace, const std::vector<uint8_t>& encoded) {
    std::vector<uint8_t> image;
    put_int(image, 1, height);
    put_int(image, 2, width);
    put_int(image, 3, colorspace);
    put_bytes(image, 4, encoded);
    std::vector<uint8_t> value;
    put_string(value, 1, tag);
    put_bytes(value, 4, image);
    return event_with_summary(wall_time, step, {value});
}

EventsWriter::EventsWriter(const std::string& dir) {
    make_dirs(dir);
    char host[256] = {0};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) std::strcpy(host, "localhost");
    for (char* c = host; *c; ++c)
        if (*c == '/') *c = '_';
    const double now = now_seconds();
    path_ = str(dir, "/events.out.tfevents.", int64_t(now), ".", host);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    GAN_CHECK(fd_ >= 0, path_, ": cannot open for writing: ", std::strerror(errno));
    write_record(tf_event_file_version(now));
}

EventsWriter::~EventsWriter() {
    if (fd_ >= 0) ::close(fd_);
}

void EventsWriter::write_record(const std::vector<uint8_t>& event) {
    std::vector<uint8_t> rec;
    tfrecord_append(rec, event.data(), event.size());
    size_t done = 0;
    while (done < rec.size()) {
        const ssize_t w = ::write(fd_, rec.data() + done, rec.size() - done);
        if (w < 0 && errno == EINTR) continue;
        GAN_CHECK(w > 0, path_, ": cannot write: ", w < 0 ? std::strerror(errno) : "no progress");
        done += size_t(w);
    }
}

void EventsWriter::add_scalar(const std::string& tag, double value, int64_t step) {
    add_scalars({{tag, value}}, step);
}

void EventsWriter::add_scalars(const std::vector<std::pair<std::string, double>>& values, int64_t step) {
    std::vector<std::pair<std::string, float>> f;
    for (const auto& [tag, v] : values) f.emplace_back(tag, float(v));
    write_record(tf_event_scalars(now_seconds(), step, f));
}

namespace {

// encode()'s PNG bytes; its errors are rethrown naming the events file and the image's tag.
template <class Encode>
std::vector<uint8_t> encode_image_for(const std::string& path, const std::string& tag, Encode encode) {
    try {
        return encode();
    } catch (const Error& e) {
        throw Error(str(path, ": image '", tag, "': ", e.what()));
    }
}

}  // namespace

void EventsWriter::add_image_gray(const std::string& tag, const uint8_t* pixels, int width, int height, int64_t step) {
    const std::vector<uint8_t> png =
        encode_image_for(path_, tag, [&] { return png_encode_gray(pixels, width, height); });
    write_record(tf_event_image(now_seconds(), step, tag, height, width, 1, png));
}

void EventsWriter::add_image(const std::string& tag, const PngImage& image, int64_t step) {
    const std::vector<uint8_t> png = encode_image_for(path_, tag, [&] { return png_encode_image(image); });
    write_record(tf_event_image(now_seconds(), step, tag, image.height, image.width, image.channels, png));
}

void EventsWriter::flush() {
    GAN_CHECK(::fsync(fd_) == 0, path_, ": cannot write: ", std::strerror(errno));
}

}  // namespace gan
