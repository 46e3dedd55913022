#include "io/idx.h"

#include <algorithm>
#include <climits>
#include <cstdio>

#include "core/check.h"
#include "io/bytes.h"
#include "io/file.h"

namespace gan {

namespace {

constexpr uint32_t kMagicImages = 0x00000803;
constexpr uint32_t kMagicLabels = 0x00000801;
constexpr size_t kMaxHeaderBytes = 4 + 4 * 255;  // magic + up to 255 dimensions

std::string hex32(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

// What a magic number looks like, for error messages.
std::string describe_magic(uint32_t m) {
    if ((m >> 16) != 0) return "not an IDX file";
    uint32_t type = (m >> 8) & 0xff, dims = m & 0xff;
    if (type == 0x08 && dims == 1) return "an IDX label file";
    if (type == 0x08 && dims == 3) return "an IDX image file";
    char buf[64];
    std::snprintf(buf, sizeof buf, "IDX element type 0x%02x, %u dimensions", type, dims);
    return buf;
}

std::string dims_text(const std::vector<uint32_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i) s += 'x';
        s += std::to_string(dims[i]);
    }
    return s;
}

// What an IDX header says.
struct IdxHeader {
    std::vector<uint32_t> dims;
    size_t header_bytes = 0;  // magic and dims
    uint64_t expected = 0;    // data bytes the dims call for (at most kIdxMaxDataBytes)
    std::string claim;        // "header says AxBxC (N bytes of pixels)", for messages
};

// Checks the magic (it must be `magic`) and dims at the start of head, the file's first bytes (or
// its decompressed content's). `kind` and `what` name the payload in messages ("image", "pixels");
// `holder` names where head came from ("the file", "the decompressed file").
IdxHeader parse_idx_header(const std::vector<uint8_t>& head, const std::string& path, uint32_t magic,
                           const char* kind, const char* what, const char* holder) {
    GAN_CHECK(head.size() >= 4, path, ": not an IDX file: ", holder, " is only ", head.size(),
              " bytes long");
    const uint32_t found = read_be32(head.data());
    GAN_CHECK(found == magic, path, ": not an IDX ", kind, " file: magic number is ", hex32(found),
              " (", describe_magic(found), "), expected ", hex32(magic), " (", describe_magic(magic),
              ")");
    const size_t ndims = magic & 0xff;
    IdxHeader h;
    h.header_bytes = 4 + 4 * ndims;
    GAN_CHECK(head.size() >= h.header_bytes, path, ": truncated: the header needs ", h.header_bytes,
              " bytes but ", holder, " holds only ", head.size());

    std::vector<uint32_t>& dims = h.dims;
    for (size_t i = 0; i < ndims; ++i) dims.push_back(read_be32(head.data() + 4 + 4 * i));
    uint64_t expected = 1;
    for (uint32_t d : dims) {
        GAN_CHECK(d > 0, path, ": header says ", dims_text(dims), "; every dimension must be > 0");
        GAN_CHECK(d <= uint32_t(INT_MAX), path, ": header says ", dims_text(dims),
                  "; a dimension is larger than ", INT_MAX);
        expected *= d;  // both factors < 2^32 and expected <= 2^31 here: no overflow
        GAN_CHECK(expected <= kIdxMaxDataBytes, path, ": header says ", dims_text(dims),
                  ", more than the limit of ", kIdxMaxDataBytes, " bytes of ", what);
    }
    h.expected = expected;
    h.claim = str("header says ", dims_text(dims), " (", expected, " bytes of ", what, ")");
    return h;
}

// An uncompressed file of file_size bytes must hold exactly the data its header calls for.
void check_plain_length(const IdxHeader& h, uint64_t file_size, const std::string& path) {
    const uint64_t have = file_size - h.header_bytes;
    GAN_CHECK(have >= h.expected, path, ": truncated: ", h.claim, " but the file holds ", have,
              " bytes after the header");
    GAN_CHECK(have == h.expected, path, ": trailing data: ", h.claim, " but the file holds ", have,
              " bytes after the header");
}

// The data section of an IDX file held in memory (raw: the whole file, plain or gzip); fills dims.
// A gzip file is inflated no further than its header's dims call for (plus one byte, to tell
// trailing data).
std::vector<uint8_t> parse_idx(std::vector<uint8_t> raw, const std::string& path, uint32_t magic,
                               const char* kind, const char* what, std::vector<uint32_t>& dims) {
    const bool gz = is_gzip(raw);
    const char* holder = gz ? "the decompressed file" : "the file";
    const IdxHeader h = gz ? parse_idx_header(gunzip_prefix(raw, kMaxHeaderBytes, path), path, magic, kind, what,
                                              holder)
                           : parse_idx_header(raw, path, magic, kind, what, holder);
    dims = h.dims;
    if (!gz) {
        check_plain_length(h, raw.size(), path);
        raw.erase(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
        return raw;
    }
    bool more = false;
    std::vector<uint8_t> out = gunzip_prefix(raw, h.header_bytes + h.expected, path, &more);
    GAN_CHECK(!more, path, ": trailing data: ", h.claim, " but ", holder, " holds more than ",
              h.expected, " bytes after the header");
    const size_t have = out.size() - h.header_bytes;
    GAN_CHECK(have == h.expected, path, ": truncated: ", h.claim, " but ", holder, " holds ", have,
              " bytes after the header");
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(h.header_bytes));
    return out;
}

// The data section of the IDX file at path; fills dims. An uncompressed file's header is checked
// against the file's size before the data is read; a gzip file is read whole (it is at most the
// limit) and inflated as parse_idx does.
std::vector<uint8_t> read_idx(const std::string& path, uint32_t magic, const char* kind, const char* what,
                              std::vector<uint32_t>& dims) {
    FileReader f(path);
    f.require_at_most(kIdxMaxDataBytes + kMaxHeaderBytes);
    const std::vector<uint8_t> head = f.read_at(0, size_t(std::min<uint64_t>(f.size(), kMaxHeaderBytes)));
    if (is_gzip(head)) return parse_idx(f.read_at(0, size_t(f.size())), path, magic, kind, what, dims);
    const IdxHeader h = parse_idx_header(head, path, magic, kind, what, "the file");
    check_plain_length(h, f.size(), path);
    dims = h.dims;
    return f.read_at(h.header_bytes, size_t(h.expected));
}

std::vector<uint8_t> idx_header(const std::string& path, uint32_t magic, const std::vector<uint32_t>& dims,
                                uint64_t* total) {
    *total = 1;
    for (uint32_t d : dims) {
        GAN_CHECK(d > 0 && d <= uint32_t(INT_MAX), path, ": cannot write IDX: dimensions ",
                  dims_text(dims), " must all be > 0");
        *total *= d;
        GAN_CHECK(*total <= kIdxMaxDataBytes, path, ": cannot write IDX: dimensions ",
                  dims_text(dims), " exceed the limit of ", kIdxMaxDataBytes, " bytes");
    }
    std::vector<uint8_t> buf;
    put_be32(buf, magic);
    for (uint32_t d : dims) put_be32(buf, d);
    return buf;
}

void write_idx(const std::string& path, uint32_t magic, const std::vector<uint32_t>& dims,
               const uint8_t* data) {
    uint64_t total = 0;
    const std::vector<uint8_t> head = idx_header(path, magic, dims, &total);
    GAN_CHECK(data != nullptr, path, ": cannot write IDX: no data");
    AtomicFile f(path);
    f.write(head.data(), head.size());
    f.write(data, total);
    f.commit();
}

uint32_t checked_dim(const std::string& path, int v, const char* name) {
    GAN_CHECK(v > 0, path, ": cannot write IDX: ", name, " is ", v, "; it must be > 0");
    return uint32_t(v);
}

std::string join(const std::string& dir, const std::string& name) {
    if (dir.empty()) return name;
    return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// The first existing spelling of <prefix>-<what>-<idx>-ubyte in dir (also with ".gz", and with
// "<what>.<idx>" dotted), or "" when there is none.
std::string mnist_file_in(const std::string& dir, const std::string& prefix, const std::string& what,
                          const std::string& idx) {
    const std::string dashed = prefix + "-" + what + "-" + idx + "-ubyte";
    const std::string dotted = prefix + "-" + what + "." + idx + "-ubyte";
    for (const std::string& n : {dashed, dashed + ".gz", dotted, dotted + ".gz"})
        if (file_exists(join(dir, n))) return join(dir, n);
    return "";
}

// mnist_file_in, or throws naming the file wanted.
std::string find_mnist_file(const std::string& dir, const std::string& prefix,
                            const std::string& what, const std::string& idx) {
    std::string path = mnist_file_in(dir, prefix, what, idx);
    GAN_CHECK(!path.empty(), dir, ": no ", prefix, "-", what, "-", idx,
              "-ubyte[.gz] (run scripts/fetch_mnist.sh or pass --data DIR)");
    return path;
}

IdxImages images_from(std::vector<uint8_t> pixels, const std::vector<uint32_t>& dims) {
    IdxImages out;
    out.pixels = std::move(pixels);
    out.n = int(dims[0]);
    out.rows = int(dims[1]);
    out.cols = int(dims[2]);
    return out;
}

}  // namespace

IdxImages idx_parse_images(const uint8_t* bytes, size_t n, const std::string& name) {
    GAN_CHECK(bytes != nullptr || n == 0, name, ": no data");
    std::vector<uint32_t> dims;
    std::vector<uint8_t> px = parse_idx(std::vector<uint8_t>(bytes, bytes + n), name, kMagicImages, "image",
                                        "pixels", dims);
    return images_from(std::move(px), dims);
}

IdxLabels idx_parse_labels(const uint8_t* bytes, size_t n, const std::string& name) {
    GAN_CHECK(bytes != nullptr || n == 0, name, ": no data");
    std::vector<uint32_t> dims;
    IdxLabels out;
    out.labels = parse_idx(std::vector<uint8_t>(bytes, bytes + n), name, kMagicLabels, "label",
                           "labels", dims);
    return out;
}

IdxImages idx_read_images(const std::string& path) {
    std::vector<uint32_t> dims;
    std::vector<uint8_t> px = read_idx(path, kMagicImages, "image", "pixels", dims);
    return images_from(std::move(px), dims);
}

IdxLabels idx_read_labels(const std::string& path) {
    std::vector<uint32_t> dims;
    IdxLabels out;
    out.labels = read_idx(path, kMagicLabels, "label", "labels", dims);
    return out;
}

std::vector<uint8_t> idx_header_images(const std::string& path, int n, int rows, int cols) {
    uint64_t total = 0;
    return idx_header(path, kMagicImages,
                      {checked_dim(path, n, "n"), checked_dim(path, rows, "rows"), checked_dim(path, cols, "cols")},
                      &total);
}

void idx_write_images(const std::string& path, const uint8_t* pixels, int n, int rows, int cols) {
    write_idx(path, kMagicImages,
              {checked_dim(path, n, "n"), checked_dim(path, rows, "rows"),
               checked_dim(path, cols, "cols")},
              pixels);
}

void idx_write_labels(const std::string& path, const uint8_t* labels, int n) {
    write_idx(path, kMagicLabels, {checked_dim(path, n, "n")}, labels);
}

bool is_mnist_folder(const std::string& dir) { return !mnist_file_in(dir, "train", "images", "idx3").empty(); }

Dataset dataset_load(const std::string& dir, bool train) {
    GAN_CHECK(file_exists(dir), dir,
              ": no such data directory (run scripts/fetch_mnist.sh or pass --data DIR)");
    const std::string prefix = train ? "train" : "t10k";
    const std::string images_path = find_mnist_file(dir, prefix, "images", "idx3");
    const std::string labels_path = find_mnist_file(dir, prefix, "labels", "idx1");
    Dataset ds;
    ds.images = idx_read_images(images_path);
    ds.labels = idx_read_labels(labels_path);
    GAN_CHECK(ds.labels.labels.size() == size_t(ds.images.n), images_path, " holds ", ds.images.n,
              " images but ", labels_path, " holds ", ds.labels.labels.size(), " labels");
    return ds;
}

}  // namespace gan
