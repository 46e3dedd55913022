#include "io/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "core/check.h"

namespace gan {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_dir(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// What a file that is not a regular file is, for "is a character device, not a regular file".
const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "a special file";
}

void require_regular(const std::string& path, mode_t mode) {
    GAN_CHECK(S_ISREG(mode), path, ": cannot open: is ", file_kind(mode), ", not a regular file");
}

}  // namespace

int UniqueFd::close() {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
}

FileReader::FileReader(std::string path) : path_(std::move(path)) { open_at(AT_FDCWD, path_.c_str(), true); }

FileReader::FileReader(int dir_fd, const std::string& name, std::string path) : path_(std::move(path)) {
    GAN_CHECK(!name.empty() && name.find('/') == std::string::npos && name != "." && name != "..", path_,
              ": cannot open: not a file name in its folder");
    open_at(dir_fd, name.c_str(), false);
}

void FileReader::open_at(int dir_fd, const char* name, bool follow_links) {
    // Refuse a device or FIFO before opening it: opening some devices has effects of its own.
    struct stat st {};
    if (::fstatat(dir_fd, name, &st, follow_links ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
        throw Error(str(path_, ": cannot open: ", errno_text(errno)));
    require_regular(path_, st.st_mode);

    // O_NOFOLLOW: a link swapped in after the check fails the open (ELOOP) instead of being followed.
    const int no_follow = follow_links ? 0 : O_NOFOLLOW;
    fd_ = UniqueFd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | no_follow));
    const int fd = fd_.get();
    if (fd < 0 && errno == ELOOP && !follow_links)
        throw Error(str(path_, ": cannot open: is a symbolic link, not a regular file"));
    if (fd < 0) throw Error(str(path_, ": cannot open: ", errno_text(errno)));
    if (::fstat(fd, &st) != 0) throw Error(str(path_, ": cannot open: ", errno_text(errno)));
    require_regular(path_, st.st_mode);  // the check that counts: on what was actually opened
    // A regular file never blocks; clear the flag so the reads are plain blocking reads.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw Error(str(path_, ": cannot open: ", errno_text(errno)));
    const uint64_t size = static_cast<uint64_t>(st.st_size);

    if (size == 0) {
        uint8_t probe;
        ssize_t r;
        do r = ::pread(fd, &probe, 1, 0);
        while (r < 0 && errno == EINTR);
        if (r < 0) throw Error(str(path_, ": cannot read: ", errno_text(errno)));
        GAN_CHECK(r == 0, path_, ": cannot open: reports size 0 but has content (as /proc and /sys files do), "
                  "not a regular file");
    }
    size_ = size;
}

void FileReader::require_at_most(uint64_t max_bytes) const {
    GAN_CHECK(size_ <= max_bytes, path_, ": file is ", size_, " bytes, more than the limit of ", max_bytes,
              " bytes");
}

void FileReader::check_range(uint64_t offset, size_t n) const {
    GAN_CHECK(offset <= size_ && n <= size_ - offset, path_, ": cannot read bytes [", offset, ", ",
              offset + n, "): the file is ", size_, " bytes");
}

void FileReader::read_at(uint64_t offset, void* dst, size_t n) const {
    check_range(offset, n);
    GAN_CHECK(dst != nullptr || n == 0, path_, ": cannot read: no buffer");
    auto* p = static_cast<uint8_t*>(dst);
    size_t got = 0;
    while (got < n) {
        const size_t want = std::min<size_t>(n - got, size_t(1) << 30);
        ssize_t r = ::pread(fd_.get(), p + got, want, static_cast<off_t>(offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) throw Error(str(path_, ": cannot read: ", errno_text(errno)));
        GAN_CHECK(r > 0, path_, ": cannot read: the file ends at byte ", offset + got, " but was ", size_,
                  " bytes when opened (it changed while being read)");
        got += static_cast<size_t>(r);
    }
}

std::vector<uint8_t> FileReader::read_at(uint64_t offset, size_t n) const {
    check_range(offset, n);  // before allocating: n may come straight from a hostile header
    std::vector<uint8_t> out(n);
    read_at(offset, out.data(), n);
    return out;
}

std::vector<uint8_t> file_read_all(const std::string& path, size_t max_bytes) {
    FileReader f(path);
    f.require_at_most(max_bytes);
    return f.read_at(0, static_cast<size_t>(f.size()));
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    GAN_CHECK(!path_.empty(), "file_write_atomic: empty path");
    tmp_ = str(path_, ".tmp.", ::getpid());
    fd_ = UniqueFd(::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd_.is_open()) {
        int err = errno;
        throw Error(str(path_, ": cannot write: ", errno_text(err)));  // nothing was created
    }
}

AtomicFile::~AtomicFile() {
    fd_.close();
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

void AtomicFile::fail(int err) {
    fd_.close();
    ::unlink(tmp_.c_str());
    tmp_.clear();
    throw Error(str(path_, ": cannot write: ", errno_text(err)));
}

void AtomicFile::write(const void* data, size_t n) {
    GAN_CHECK(fd_.is_open() && !tmp_.empty(), path_, ": cannot write: the file is already closed");
    GAN_CHECK(data != nullptr || n == 0, path_, ": cannot write: no data");
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd_.get(), p, std::min<size_t>(n, size_t(1) << 30));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail(w < 0 ? errno : EIO);
        p += w;
        n -= static_cast<size_t>(w);
    }
}

void AtomicFile::commit() {
    GAN_CHECK(fd_.is_open() && !tmp_.empty(), path_, ": cannot write: the file is already closed");
    int rc;
    do rc = ::fsync(fd_.get());
    while (rc != 0 && errno == EINTR);
    if (rc != 0) fail(errno);
    if (fd_.close() != 0) fail(errno);
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail(errno);
    tmp_.clear();  // renamed: nothing to remove any more

    // Make the rename itself durable. Some file systems cannot fsync a folder (EINVAL): that is fine.
    const UniqueFd dir(::open(parent_dir(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.is_open()) {
        do rc = ::fsync(dir.get());
        while (rc != 0 && errno == EINTR);
        const int err = errno;
        if (rc != 0 && err != EINVAL && err != EROFS)
            throw Error(str(path_, ": cannot write: ", errno_text(err)));
    }
}

void file_write_atomic(const std::string& path, const void* data, size_t n) {
    GAN_CHECK(data != nullptr || n == 0, path, ": cannot write: no data");  // before creating the temp file
    AtomicFile f(path);
    f.write(data, n);
    f.commit();
}

void file_write_atomic(const std::string& path, const std::string& text) {
    file_write_atomic(path, text.data(), text.size());
}

namespace {

// A stream ended before the input did: another gzip member may follow (as `cat a.gz b.gz` makes);
// anything else is an error.
void expect_next_member(const std::vector<uint8_t>& gz, size_t in_pos, const std::string& path) {
    const bool member = gz.size() - in_pos >= 2 && gz[in_pos] == 0x1f && gz[in_pos + 1] == 0x8b;
    GAN_CHECK(member, path, ": corrupt compressed data: ", gz.size() - in_pos,
              " bytes of trailing garbage after the compressed stream");
}

// What inflate's error code rc means, as an Error; out_pos bytes were inflated before it.
[[noreturn]] void throw_inflate_error(int rc, const z_stream& zs, const std::string& path, size_t out_pos) {
    if (rc == Z_BUF_ERROR)
        throw Error(str(path, ": corrupt compressed data: the stream ends early (", out_pos, " bytes inflated so far)"));
    if (rc == Z_MEM_ERROR) throw Error(str(path, ": out of memory while inflating"));
    throw Error(str(path, ": corrupt compressed data: ", zs.msg ? zs.msg : "invalid stream", " (after ", out_pos,
                    " bytes inflated)"));
}

// Shared inflater. With stop_at_cap the output is cut at max_out and *more reports whether the
// stream had more; otherwise exceeding max_out throws.
std::vector<uint8_t> inflate_impl(const std::vector<uint8_t>& gz, size_t max_out,
                                  const std::string& path, bool stop_at_cap, bool* more) {
    if (more) *more = false;
    GAN_CHECK(!gz.empty(), path, ": corrupt compressed data: the stream is empty");
    // One byte of room past the cap tells "exactly max_out" from "more than max_out".
    const size_t limit = max_out == SIZE_MAX ? SIZE_MAX : max_out + 1;

    z_stream zs{};
    int rc = inflateInit2(&zs, 15 + 32);
    GAN_CHECK(rc == Z_OK, path, ": cannot start zlib inflate (error ", rc, ")");
    struct End {
        z_stream* z;
        ~End() { inflateEnd(z); }
    } end{&zs};

    std::vector<uint8_t> out;
    size_t in_pos = 0;
    size_t out_pos = 0;
    for (;;) {
        if (out_pos == out.size()) {
            if (out.size() >= limit) break;  // over the cap
            size_t grow = std::max<size_t>({out.size(), gz.size() * 2, 1 << 16});
            out.resize(out.size() + std::min(grow, limit - out.size()));
        }
        size_t in_left = gz.size() - in_pos;
        size_t out_left = out.size() - out_pos;
        zs.next_in = const_cast<Bytef*>(gz.data() + in_pos);
        zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
        zs.next_out = out.data() + out_pos;
        zs.avail_out = static_cast<uInt>(std::min<size_t>(out_left, UINT_MAX));
        uInt in_before = zs.avail_in, out_before = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_pos += in_before - zs.avail_in;
        out_pos += out_before - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (out_pos > max_out) break;  // filled the one byte of room past the cap
            if (in_pos == gz.size()) {
                out.resize(out_pos);
                return out;
            }
            expect_next_member(gz, in_pos, path);
            GAN_CHECK(inflateReset(&zs) == Z_OK, path, ": cannot restart zlib inflate");
            continue;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more room: grows or stops at the cap
        throw_inflate_error(rc, zs, path, out_pos);
    }
    // Here out_pos > max_out: the stream holds more than max_out bytes.
    GAN_CHECK(stop_at_cap, path, ": compressed data inflates to more than the limit of ", max_out,
              " bytes");
    if (more) *more = true;
    out.resize(max_out);
    return out;
}

}  // namespace

std::vector<uint8_t> gunzip_capped(const std::vector<uint8_t>& gz, size_t max_out,
                                   const std::string& path_for_errors) {
    return inflate_impl(gz, max_out, path_for_errors, false, nullptr);
}

std::vector<uint8_t> gunzip_prefix(const std::vector<uint8_t>& gz, size_t max_out,
                                   const std::string& path_for_errors, bool* more) {
    return inflate_impl(gz, max_out, path_for_errors, true, more);
}

bool is_gzip(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

void make_dirs(const std::string& dir) {
    GAN_CHECK(!dir.empty(), "make_dirs: empty directory name");
    // Create each prefix ending just before a '/', then dir itself.
    std::string prefix;
    for (size_t i = 0; i <= dir.size(); ++i) {
        if (i < dir.size() && dir[i] != '/') continue;
        prefix = dir.substr(0, i);
        if (prefix.empty() || prefix.back() == '/') continue;  // leading or doubled '/'
        if (::mkdir(prefix.c_str(), 0755) == 0) continue;
        int err = errno;
        struct stat st {};
        if (err == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
        if (err == EEXIST) err = ENOTDIR;
        if (prefix == dir || prefix + "/" == dir)
            throw Error(str(dir, ": cannot create directory: ", errno_text(err)));
        throw Error(str(dir, ": cannot create directory: ", prefix, ": ", errno_text(err)));
    }
}

}  // namespace gan
