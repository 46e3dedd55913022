// Plumbing shared by every test program (tests/*_test.cpp and src/*/*_test.cpp; not part of the
// library): temporary folders, whole-file reads and writes, and running the `gan` program.
#pragma once
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/check.h"

namespace gan::testing {

// A fresh folder under the test temp dir, removed with everything in it at scope end, unless the
// running test has failed (kept for a look) or GAN_KEEP_TEST_FILES is set.
struct TempFolder {
    std::string path;
    explicit TempFolder(const std::string& name = "gan_test") {
        std::string base = ::testing::TempDir();
        if (base.empty()) base = "/tmp/";
        if (base.back() != '/') base += '/';
        std::string tmpl = base + name + "_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
        path = buf.data();
    }
    ~TempFolder() {
        if (std::getenv("GAN_KEEP_TEST_FILES") || ::testing::Test::HasFailure()) return;
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

// The whole file as text ("" when it cannot be read).
inline std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The whole file as bytes; throws when it cannot be opened.
inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("test helper cannot read " + path);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const void* data, size_t n) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(static_cast<const char*>(data), std::streamsize(n));
    if (!f) throw std::runtime_error("test helper cannot write " + path);
}
inline void write_file(const std::string& path, const std::string& text) { write_file(path, text.data(), text.size()); }
inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    write_file(path, bytes.data(), bytes.size());
}

// in deflated with zlib; window_bits as deflateInit2 takes them (15 + 16: a gzip member, 15: a
// zlib stream, -15: raw deflate).
inline std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& in, int window_bits = 15 + 16) {
    z_stream zs{};
    if (deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("test helper: deflateInit2 failed");
    std::vector<uint8_t> out(deflateBound(&zs, uLong(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = uInt(in.size());
    zs.next_out = out.data();
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("test helper: deflate failed");
    return out;
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

// ---- running the `gan` program (GAN_BINARY) ---------------------------------------------------

struct RunOptions {
    bool separate_err = false;  // stderr in its own file (RunResult::err); else after stdout in out
    bool as_nobody = false;     // drop root to uid/gid 65534 first (so file modes are enforced)
    long fsize_limit = -1;      // RLIMIT_FSIZE in bytes (writes past it fail with EFBIG)
    double timeout_s = 600;     // killed with SIGKILL after this long
    std::vector<std::pair<std::string, std::string>> env;  // set in the program's environment
};

struct RunResult {
    bool exited = false, timed_out = false;
    int code = -1, signal = 0;  // exit code (-1 unless it exited), terminating signal (0 if none)
    std::string out, err;       // err stays empty unless RunOptions::separate_err
    double seconds = 0;         // wall time until the program ended (or was killed)
    long max_rss_kb = 0;        // the program's peak resident set (wait4's ru_maxrss)
};

// A running `gan args...` with stdout in out_path and stderr in err_path ("" = into out_path too).
class GanProcess {
public:
    GanProcess(std::vector<std::string> args, const std::string& out_path, const std::string& err_path,
               const RunOptions& ro = {})
        : out_path_(out_path), err_path_(err_path.empty() ? out_path : err_path) {
        args.insert(args.begin(), GAN_BINARY);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        start_ = std::chrono::steady_clock::now();
        pid_ = ::fork();
        if (pid_ == 0) exec_child(argv, ro, !err_path.empty());
        if (pid_ < 0) throw std::runtime_error("fork failed");
    }
    ~GanProcess() {
        if (!reaped_) kill_and_reap(SIGKILL);
    }
    GanProcess(const GanProcess&) = delete;
    GanProcess& operator=(const GanProcess&) = delete;

    pid_t pid() const { return pid_; }
    // True once the program has ended (and is reaped).
    bool poll() {
        if (!reaped_ && ::wait4(pid_, &status_, WNOHANG, &usage_) == pid_) finish();
        return reaped_;
    }
    // Waits up to timeout_s from now; false (and the program killed) when it did not end in time.
    bool wait(double timeout_s) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        while (!poll()) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill_and_reap(SIGKILL);
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return true;
    }
    void kill_and_reap(int sig) {
        if (poll()) return;
        ::kill(pid_, sig);
        ::wait4(pid_, &status_, 0, &usage_);
        finish();
    }
    int exit_code() const { return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }
    int term_signal() const { return WIFSIGNALED(status_) ? WTERMSIG(status_) : 0; }
    std::string out() const { return read_file(out_path_); }
    std::string err() const { return read_file(err_path_); }
    double seconds() const { return seconds_; }
    long max_rss_kb() const { return usage_.ru_maxrss; }

private:
    // In the forked child: redirect, apply the options, exec; exit codes 120-123 say which step failed.
    [[noreturn]] void exec_child(std::vector<char*>& argv, const RunOptions& ro, bool separate) const {
        const int o = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
        const int e = separate ? ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666) : o;
        if (o < 0 || e < 0) ::_exit(120);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& [name, value] : ro.env) ::setenv(name.c_str(), value.c_str(), 1);
        if (ro.fsize_limit >= 0) {
            std::signal(SIGXFSZ, SIG_IGN);  // inherited across exec: write() then fails with EFBIG
            rlimit rl{rlim_t(ro.fsize_limit), rlim_t(ro.fsize_limit)};
            if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) ::_exit(121);
        }
        if (ro.as_nobody && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(122);
        ::execv(argv[0], argv.data());
        ::_exit(123);
    }
    void finish() {
        reaped_ = true;
        seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

    std::string out_path_, err_path_;
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    rusage usage_{};
    std::chrono::steady_clock::time_point start_;
    double seconds_ = 0;
};

// Runs `gan args...` to its end (or ro.timeout_s) and returns what it printed and how it ended.
inline RunResult run_gan(const std::vector<std::string>& args, const RunOptions& ro = {}) {
    TempFolder logs("gan_run");
    const std::string out_path = logs.file("stdout.txt"), err_path = ro.separate_err ? logs.file("stderr.txt") : "";
    GanProcess p(args, out_path, err_path, ro);
    RunResult r;
    r.timed_out = !p.wait(ro.timeout_s);
    r.seconds = p.seconds();
    r.max_rss_kb = p.max_rss_kb();
    r.code = p.exit_code();
    r.exited = r.code >= 0;
    r.signal = p.term_signal();
    r.out = read_file(out_path);
    if (ro.separate_err) r.err = read_file(err_path);
    return r;
}

// The same with the arguments in one string, split at spaces (no quoting).
inline RunResult run_gan(const std::string& args, const RunOptions& ro = {}) {
    std::vector<std::string> v;
    std::istringstream in(args);
    for (std::string a; in >> a;) v.push_back(a);
    return run_gan(v, ro);
}

}  // namespace gan::testing

// EXPECT_CONTAINS(haystack, needle): needle is a substring of haystack (each evaluated once).
#define EXPECT_CONTAINS(hay, needle) EXPECT_TRUE(::gan::testing::contains((hay), (needle)))
