// Whole-file reads, atomic writes, capped gzip/zlib inflation and directory helpers.
// Every failure throws gan::Error with a one-line message that starts with the path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gan {

// An open file descriptor that closes itself when it goes. It moves and never copies, so a class that
// holds one is not copyable either and needs no destructor of its own to close it.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    ~UniqueFd() { close(); }
    int get() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    // Closes it now: close()'s result (errno set as close() left it), 0 when none is open.
    int close();

  private:
    int fd_ = -1;
};

// A file opened for reading that is known to be a regular file: every reader in gan.cpp opens its
// input through this, so a hostile path gets an answer at once and costs no memory.
//  - Symlinks are followed; what they lead to is checked.
//  - Anything but a regular file is refused, "<path>: cannot open: is a character device, not a
//    regular file" (also a directory, block device, named pipe (FIFO) or socket): reading /dev/zero or
//    /dev/urandom would never end, and a FIFO would block. The path is checked with stat() before it
//    is opened (so no device is opened at all), opened with O_NONBLOCK (a FIFO swapped in meanwhile
//    does not block the open) and checked again with fstat() on the opened descriptor, which is the
//    check the reads rely on: nothing can swap the file between the check and the reads.
//  - A file that reports size 0 but has content (/proc and /sys files) is refused too: its size,
//    which bounds every read, means nothing.
// Reads never go past the size seen when the file was opened.
class FileReader {
  public:
    explicit FileReader(std::string path);
    // The file `name` (one path component, no '/') in the folder open as dir_fd, without following a
    // symbolic link: a link is refused like a device ("<path>: cannot open: is a symbolic link, not a
    // regular file"), so what is read is a regular file inside that folder whatever was swapped in
    // (`gan serve` reads the run directory's files this way). path names the file in errors.
    FileReader(int dir_fd, const std::string& name, std::string path);

    const std::string& path() const { return path_; }
    uint64_t size() const { return size_; }

    // Throws "<path>: file is N bytes, more than the limit of M bytes" when size() > max_bytes.
    void require_at_most(uint64_t max_bytes) const;
    // Reads bytes [offset, offset + n) into dst (which may be null when n == 0). Throws "<path>:
    // cannot read ..." on an I/O error, when the range is not inside size() (checked before the
    // vector form allocates), or when the file ends early (it shrank since it was opened).
    void read_at(uint64_t offset, void* dst, size_t n) const;
    std::vector<uint8_t> read_at(uint64_t offset, size_t n) const;

  private:
    void open_at(int dir_fd, const char* name, bool follow_links);
    void check_range(uint64_t offset, size_t n) const;
    std::string path_;
    UniqueFd fd_;
    uint64_t size_ = 0;
};

// The whole file, read through FileReader (so only a regular file is read). Throws
// "<path>: cannot open: <strerror>" when it is missing or unreadable, FileReader's errors, and
// "<path>: file is N bytes, more than the limit of M bytes" (checked before anything is allocated).
std::vector<uint8_t> file_read_all(const std::string& path, size_t max_bytes);

// Writes n bytes to "<path>.tmp.<pid>" in the same folder, fsyncs it, renames it over path and
// fsyncs the folder, so path is always either the old file or the complete new one. On any
// failure the temp file is removed and "<path>: cannot write: <strerror>" is thrown
// (a full disk reads "No space left on device"). data may be null when n == 0.
void file_write_atomic(const std::string& path, const void* data, size_t n);
void file_write_atomic(const std::string& path, const std::string& text);

// The same, written in pieces (large outputs need not be held in memory): the constructor creates the
// temp file, write() appends, commit() fsyncs and renames as above. Destroyed without commit() (an
// error on the way), it removes the temp file and path keeps its old content. Errors as above.
class AtomicFile {
  public:
    explicit AtomicFile(std::string path);
    ~AtomicFile();  // removes the temp file unless committed
    void write(const void* data, size_t n);
    void commit();

  private:
    [[noreturn]] void fail(int err);
    std::string path_, tmp_;
    UniqueFd fd_;
};

// Inflates gzip or zlib data (zlib windowBits 15+32: the format is detected from the header;
// concatenated gzip members are joined). Throws when the data is corrupt, ends early, is followed
// by anything but another gzip member, or would inflate to more than max_out bytes. Memory grows
// with the output actually produced, never past max_out + 1 bytes.
std::vector<uint8_t> gunzip_capped(const std::vector<uint8_t>& gz, size_t max_out,
                                   const std::string& path_for_errors);

// Like gunzip_capped, but stops after max_out bytes instead of throwing: returns the first
// min(max_out, total) bytes and sets *more (when given) to whether the stream holds more.
// When *more is false the whole stream was inflated and checked (CRC included).
std::vector<uint8_t> gunzip_prefix(const std::vector<uint8_t>& gz, size_t max_out,
                                   const std::string& path_for_errors, bool* more = nullptr);

// True when gz starts with the gzip magic bytes 1f 8b.
bool is_gzip(const std::vector<uint8_t>& bytes);

// True when something (file, folder, ...) exists at path.
bool file_exists(const std::string& path);

// mkdir -p: creates dir and its missing parents (mode 0755 less the umask). Throws
// "<dir>: cannot create directory: <strerror>" (naming the part that failed when it is a parent).
void make_dirs(const std::string& dir);

}  // namespace gan
