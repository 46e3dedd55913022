// Whole-file reads, atomic writes, capped gzip/zlib inflation and directory helpers.
// Every failure throws gan::Error with a one-line message that starts with the path.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gan {

// The whole file. Throws "<path>: cannot open: <strerror>" when it is missing or unreadable,
// and an error when it is a directory or holds more than max_bytes bytes (checked before reading).
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
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    void write(const void* data, size_t n);
    void commit();

  private:
    [[noreturn]] void fail(int err);
    std::string path_, tmp_;
    int fd_ = -1;
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
