#include "data/cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>

#include "core/check.h"
#include "io/file.h"

namespace gan {
namespace {

constexpr char kMagic[8] = {'G', 'A', 'N', 'I', 'M', 'G', 'C', '1'};
constexpr size_t kAlign = 64;

// FNV-1a, 64 bits.
struct Fnv {
    uint64_t h = 14695981039346656037ull;
    void bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
    }
    void u64(uint64_t v) { bytes(&v, sizeof v); }
    void text(const std::string& s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
};

struct Writer {
    std::vector<uint8_t> buf;
    void raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        buf.insert(buf.end(), b, b + n);
    }
    void u32(uint32_t v) { raw(&v, 4); }
    void text(const std::string& s) {
        u32(uint32_t(s.size()));
        raw(s.data(), s.size());
    }
};

// Bounds-checked reads from the mapped file; every failure throws (caught as "corrupt").
struct Reader {
    const uint8_t* p;
    size_t n, pos = 0;
    void raw(void* dst, size_t k) {
        GAN_CHECK(k <= n - pos, "header runs past the end of the file");
        std::memcpy(dst, p + pos, k);
        pos += k;
    }
    uint32_t u32() {
        uint32_t v;
        raw(&v, 4);
        return v;
    }
    std::string text() {
        const uint32_t len = u32();
        GAN_CHECK(len <= n - pos, "string runs past the end of the file");
        std::string s(reinterpret_cast<const char*>(p + pos), len);
        pos += len;
        return s;
    }
};

struct Mapping {
    void* base = MAP_FAILED;
    size_t size = 0;
    ~Mapping() {
        if (base != MAP_FAILED) ::munmap(base, size);
    }
};

// Parses and checks a mapped cache file; its pixels stay in the mapping.
LoadedImages parse_cache(const std::shared_ptr<Mapping>& map, uint64_t fingerprint) {
    const auto* bytes = static_cast<const uint8_t*>(map->base);
    GAN_CHECK(map->size >= 8 + 4 + 8 + 16 + 4, "corrupt: file too short");
    const size_t body = map->size - 4;
    uint32_t stored_crc;
    std::memcpy(&stored_crc, bytes + body, 4);
    GAN_CHECK(std::memcmp(bytes, kMagic, 8) == 0, "corrupt: not a gan image cache");
    Reader r{bytes, body, 8};
    const uint32_t header = r.u32();
    uint64_t fp;
    r.raw(&fp, 8);
    GAN_CHECK(fp == fingerprint, "folder or options changed");
    int32_t shape[4];
    r.raw(shape, sizeof shape);
    GAN_CHECK(shape[0] >= 1 && shape[1] >= 1 && shape[2] >= 1 && shape[3] >= 1, "corrupt: bad shape");
    const uint64_t image_bytes = uint64_t(shape[1]) * uint64_t(shape[2]) * uint64_t(shape[3]);
    GAN_CHECK(header <= body && uint64_t(shape[0]) * image_bytes == body - header,
              "corrupt: size does not match the header");
    GAN_CHECK(uint32_t(crc32_z(0, bytes, body)) == stored_crc, "corrupt: checksum mismatch");
    std::vector<std::string> names;
    for (uint32_t i = 0, k = r.u32(); i < k; ++i) names.push_back(r.text());
    LoadedImages out;
    for (uint32_t i = 0, k = r.u32(); i < k; ++i) {
        SkippedImage s;
        s.path = r.text();
        s.reason = r.text();
        out.skipped.push_back(std::move(s));
    }
    std::vector<int32_t> labels(static_cast<size_t>(shape[0]));
    r.raw(labels.data(), labels.size() * 4);
    GAN_CHECK(r.pos <= header, "corrupt: header longer than it says");
    ImageSet set;
    set.n = shape[0];
    set.channels = shape[1];
    set.rows = shape[2];
    set.cols = shape[3];
    for (int32_t l : labels) GAN_CHECK(l >= 0 && size_t(l) < names.size(), "corrupt: label out of range");
    set.labels = std::move(labels);
    set.class_names = std::move(names);
    set.data = std::shared_ptr<const uint8_t>(map, bytes + header);
    out.set = std::move(set);
    return out;
}

}  // namespace

uint64_t image_folder_fingerprint(const ImageFolderScan& scan, bool classes, const ImageLoadOptions& opt) {
    Fnv f;
    f.text(std::filesystem::absolute(scan.root).lexically_normal().string());
    f.u64(uint64_t(classes));
    f.u64(uint64_t(opt.image_size));
    f.u64(uint64_t(opt.channels));
    f.u64(uint64_t(opt.on_bad));
    for (const std::string& c : scan.class_names) f.text(c);
    f.u64(scan.files.size());
    for (const ImageFile& file : scan.files) {
        f.text(file.path);
        f.u64(file.size);
        f.u64(uint64_t(file.mtime_ns));
        f.u64(uint64_t(file.label));
    }
    return f.h;
}

void write_image_cache(const std::string& path, uint64_t fingerprint, const LoadedImages& images) {
    const ImageSet& s = images.set;
    Writer w;
    w.raw(kMagic, 8);
    w.u32(0);  // header bytes, filled in below
    w.raw(&fingerprint, 8);
    const int32_t shape[4] = {s.n, s.channels, s.rows, s.cols};
    w.raw(shape, sizeof shape);
    w.u32(uint32_t(s.class_names.size()));
    for (const std::string& c : s.class_names) w.text(c);
    w.u32(uint32_t(images.skipped.size()));
    for (const SkippedImage& k : images.skipped) {
        w.text(k.path);
        w.text(k.reason);
    }
    w.raw(s.labels.data(), s.labels.size() * 4);
    w.buf.resize((w.buf.size() + kAlign - 1) / kAlign * kAlign, 0);
    const uint32_t header = uint32_t(w.buf.size());
    std::memcpy(w.buf.data() + 8, &header, 4);
    uLong crc = crc32_z(0, w.buf.data(), w.buf.size());
    crc = crc32_z(crc, s.pixels(), s.total_bytes());
    const uint32_t crc32v = uint32_t(crc);
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) make_dirs(parent.string());
    AtomicFile out(path);
    out.write(w.buf.data(), w.buf.size());
    out.write(s.pixels(), s.total_bytes());
    out.write(&crc32v, 4);
    out.commit();
}

std::optional<LoadedImages> open_image_cache(const std::string& path, uint64_t fingerprint,
                                             std::string* why_not) {
    auto fail = [&](const std::string& why) -> std::optional<LoadedImages> {
        if (why_not) *why_not = why;
        return std::nullopt;
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail("no cache file");
    struct stat st {};
    auto map = std::make_shared<Mapping>();
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        map->size = size_t(st.st_size);
        map->base = ::mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    ::close(fd);
    if (map->base == MAP_FAILED) return fail("corrupt: cannot map the file (empty or not a regular file)");
    try {
        return parse_cache(map, fingerprint);
    } catch (const Error& e) {
        return fail(e.what());
    }
}

CachedImages load_image_folder_cached(const std::string& root, bool classes, const ImageLoadOptions& options,
                                      const std::string& cache_path) {
    const ImageFolderScan scan = scan_image_folder(root, classes);
    const uint64_t fp = image_folder_fingerprint(scan, classes, options);
    CachedImages out;
    if (auto cached = open_image_cache(cache_path, fp, &out.why_built)) {
        out.images = std::move(*cached);
        return out;
    }
    out.built = true;
    out.images = load_image_folder(scan, options);
    write_image_cache(cache_path, fp, out.images);
    return out;
}

}  // namespace gan
