// TensorBoard event files without TensorFlow: TFRecord framing with masked CRC32C and a
// protobuf encoding (io/protobuf.h) of the few tensorflow.Event fields TensorBoard needs.
//
// A TFRecord is  uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data),
// all little-endian, where masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h).
//
// Messages (tensorflow/core/util/event.proto, framework/summary.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; Image image = 4; }
//   Image   { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/file.h"
#include "io/png.h"

namespace gan {

// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, RFC 3720 B.4), continuing from crc
// (0 to start): crc32c(b, n) == crc32c(b + k, n - k, crc32c(b, k)).
uint32_t crc32c(const uint8_t* data, size_t n, uint32_t crc = 0);
uint32_t crc32c_mask(uint32_t crc);

// Appends one framed record holding data[0..n).
void tfrecord_append(std::vector<uint8_t>& out, const uint8_t* data, size_t n);

// Serialized tensorflow.Event messages.
std::vector<uint8_t> tf_event_file_version(double wall_time, const std::string& version = "brain.Event:2");
std::vector<uint8_t> tf_event_scalars(double wall_time, int64_t step,
                                      const std::vector<std::pair<std::string, float>>& scalars);
// encoded: the image file's bytes (PNG); colorspace 1 = gray, 3 = RGB, 4 = RGBA.
std::vector<uint8_t> tf_event_image(double wall_time, int64_t step, const std::string& tag, int height,
                                    int width, int colorspace, const std::vector<uint8_t>& encoded);

// Appends events to dir/events.out.tfevents.<unix seconds>.<hostname>, the name TensorBoard
// looks for; the first record is file_version "brain.Event:2". Each event is one write() of its
// whole record to a file opened with O_APPEND, so a reader never sees a partial record unless
// the process dies mid-write (TensorBoard then skips it). Not thread-safe.
class EventsWriter {
  public:
    // Creates dir (and parents) and the file; throws a one-line gan::Error naming the path.
    explicit EventsWriter(const std::string& dir);

    void add_scalar(const std::string& tag, double value, int64_t step);
    // Several scalars in one event (one record).
    void add_scalars(const std::vector<std::pair<std::string, double>>& values, int64_t step);
    // 8-bit grayscale pixels (height rows of width bytes), stored as PNG.
    void add_image_gray(const std::string& tag, const uint8_t* pixels, int width, int height, int64_t step);
    // A gray (channels 1) or RGB (channels 3) picture, stored as PNG with colorspace 1 or 3.
    void add_image(const std::string& tag, const PngImage& image, int64_t step);
    // fsync: the events so far are on disk.
    void flush();
    const std::string& path() const { return path_; }

  private:
    void write_record(const std::vector<uint8_t>& event);
    std::string path_;
    UniqueFd fd_;
};

}  // namespace gan
