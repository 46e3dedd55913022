// libFuzzer target: the IDX readers (plain and gzip) through idx_parse_images / idx_parse_labels.
// Input: byte 0 picks the mode, the rest is the file. Bit 0 set: the rest is gzip-compressed here
// first, so the fuzzer's header mutations also reach the decompressed path (raw fuzz bytes almost
// never form a valid gzip stream; corrupt gzip is still covered because every input is also
// parsed as it is). Bit 1 set: the gzip is cut short by byte 1 of the input (a truncated
// download).
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/check.h"
#include "io/idx.h"

namespace {

std::vector<uint8_t> gzip(const uint8_t* data, size_t n) {
    z_stream zs{};
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
    std::vector<uint8_t> out(deflateBound(&zs, uLong(n)) + 32);
    zs.next_in = const_cast<Bytef*>(data);
    zs.avail_in = uInt(n);
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

void parse_both(const uint8_t* p, size_t n) {
    try {
        gan::IdxImages im = gan::idx_parse_images(p, n, "fuzz.idx");
        // Accepted: the header and the data must agree exactly.
        if (im.n <= 0 || im.rows <= 0 || im.cols <= 0 ||
            im.pixels.size() != size_t(im.n) * size_t(im.rows) * size_t(im.cols))
            std::abort();
    } catch (const gan::Error&) {
    }
    try {
        gan::IdxLabels lb = gan::idx_parse_labels(p, n, "fuzz.idx");
        if (lb.labels.empty()) std::abort();
    } catch (const gan::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) {
        parse_both(data, 0);
        return 0;
    }
    const uint8_t mode = data[0];
    parse_both(data + 1, size - 1);
    if (mode & 1) {
        std::vector<uint8_t> gz = gzip(data + 1, size - 1);
        if ((mode & 2) && size >= 2) gz.resize(std::min<size_t>(gz.size(), data[1]));
        parse_both(gz.data(), gz.size());
    }
    return 0;
}
