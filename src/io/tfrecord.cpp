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
#include "io/protobuf.h"

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

// Event { wall_time = 1, step = 2, summary = 5 } around a Summary of the given Values.
std::vector<uint8_t> event_with_summary(double wall_time, int64_t step, const std::vector<ProtoWriter>& values) {
    ProtoWriter summary;
    for (const ProtoWriter& v : values) summary.message(1, v);
    ProtoWriter e;
    e.fixed64_double(1, wall_time);
    e.int64(2, step);
    e.message(5, summary);
    return e.to_vector();
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

void tfrecord_append(std::vector<uint8_t>& out, const uint8_t* data, size_t n) {
    const size_t len_at = out.size();
    put_le(out, n, 8);
    put_le(out, crc32c_mask(crc32c(out.data() + len_at, 8)), 4);
    if (n) out.insert(out.end(), data, data + n);
    put_le(out, crc32c_mask(crc32c(data, n)), 4);
}

std::vector<uint8_t> tf_event_file_version(double wall_time, const std::string& version) {
    ProtoWriter e;
    e.fixed64_double(1, wall_time);
    e.string(3, version);
    return e.to_vector();
}

std::vector<uint8_t> tf_event_scalars(double wall_time, int64_t step,
                                      const std::vector<std::pair<std::string, float>>& scalars) {
    std::vector<ProtoWriter> values;
    for (const auto& [tag, v] : scalars) {
        ProtoWriter value;
        value.string(1, tag);
        value.fixed32_float(2, v);
        values.push_back(std::move(value));
    }
    return event_with_summary(wall_time, step, values);
}

std::vector<uint8_t> tf_event_image(double wall_time, int64_t step, const std::string& tag, int height, int width,
                                    int colorspace, const std::vector<uint8_t>& encoded) {
    ProtoWriter image;
    image.int64(1, height);
    image.int64(2, width);
    image.int64(3, colorspace);
    image.bytes(4, encoded.data(), encoded.size());
    ProtoWriter value;
    value.string(1, tag);
    value.message(4, image);
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
    fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    GAN_CHECK(fd_.is_open(), path_, ": cannot open for writing: ", std::strerror(errno));
    write_record(tf_event_file_version(now));
}

void EventsWriter::write_record(const std::vector<uint8_t>& event) {
    std::vector<uint8_t> rec;
    tfrecord_append(rec, event.data(), event.size());
    size_t done = 0;
    while (done < rec.size()) {
        const ssize_t w = ::write(fd_.get(), rec.data() + done, rec.size() - done);
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
    GAN_CHECK(::fsync(fd_.get()) == 0, path_, ": cannot write: ", std::strerror(errno));
}

}  // namespace gan
