// Shared by the libFuzzer targets in fuzz/ (built by scripts/fuzz.sh, not by CMake).
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gan_fuzz {

// An in-memory file (memfd) that readers taking a path can open as /proc/self/fd/N, so the
// file-level readers (npy, png) are fuzzed through exactly the code users run.
class MemFile {
  public:
    MemFile() {
        fd_ = ::memfd_create("gan_fuzz", 0);
        if (fd_ < 0) {
            std::perror("memfd_create");
            std::abort();
        }
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    // Replaces the contents with data[0, n) and returns the path to open.
    const std::string& set(const uint8_t* data, size_t n) {
        if (::ftruncate(fd_, 0) != 0) std::abort();
        size_t done = 0;
        while (done < n) {
            ssize_t w = ::pwrite(fd_, data + done, n - done, off_t(done));
            if (w <= 0) std::abort();
            done += size_t(w);
        }
        return path_;
    }

  private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace gan_fuzz
