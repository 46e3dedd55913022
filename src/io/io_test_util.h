// Helpers shared by the src/io tests only (not part of the library).
#pragma once
#include <gtest/gtest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/check.h"

namespace gan::testing {

// A fresh folder under the test temp dir, removed with everything in it at scope end.
struct TempFolder {
    std::string path;
    TempFolder() {
        std::string base = ::testing::TempDir();
        if (base.empty()) base = "/tmp/";
        if (base.back() != '/') base += '/';
        std::string tmpl = base + "gan_io_test_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
        path = buf.data();
    }
    ~TempFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    std::string file(const std::string& name) const { return path + "/" + name; }
    // Names of the entries in the folder, sorted.
    std::vector<std::string> list() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) throw std::runtime_error("test helper cannot write " + path);
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("test helper cannot read " + path);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// A sparse file: head, then holes up to `size` bytes (ftruncate; no disk is used). False when the
// file system cannot hold a file that large.
inline bool write_sparse(const std::string& path, const std::vector<uint8_t>& head, uint64_t size) {
    write_bytes(path, head);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::ftruncate(fd, off_t(size)) == 0;
    ::close(fd);
    return ok;
}

// Kills the test program with SIGALRM if it is still in scope after `seconds`: a read that blocks
// or never ends fails the test instead of hanging it.
struct Deadline {
    explicit Deadline(unsigned seconds) { ::alarm(seconds); }
    ~Deadline() { ::alarm(0); }
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;
};

// The message of the gan::Error that fn throws; records a failure when it throws nothing
// (or something else). Also checks that the message is a single line.
inline std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const gan::Error& e) {
        std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
        EXPECT_FALSE(msg.empty());
        return msg;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw a non-gan::Error: " << e.what();
        return "";
    }
    ADD_FAILURE() << "no gan::Error was thrown";
    return "";
}

inline ::testing::AssertionResult contains(const std::string& hay, const std::string& needle) {
    if (hay.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected to find \"" << needle << "\" in \"" << hay << "\"";
}

}  // namespace gan::testing

// EXPECT_CONTAINS(haystack, needle): needle is a substring of haystack (each evaluated once).
#define EXPECT_CONTAINS(hay, needle) EXPECT_TRUE(::gan::testing::contains((hay), (needle)))
