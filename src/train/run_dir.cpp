#include "train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/check.h"
#include "io/file.h"

namespace gan {

bool run_dir_holds_run(const std::string& dir) {
    std::error_code e;
    return std::filesystem::exists(dir + "/config.json", e) || std::filesystem::exists(dir + "/checkpoints", e);
}

void run_dir_clear(const std::string& dir) {
    std::error_code e;
    std::vector<std::filesystem::path> entries;  // listed first: removing while listing skips entries
    for (std::filesystem::directory_iterator it(dir, e), end; !e && it != end; it.increment(e))
        entries.push_back(it->path());
    GAN_CHECK(!e, dir, ": cannot list: ", e.message());
    for (const std::filesystem::path& p : entries) {
        if (p.filename() == kRunDirLockName) continue;  // held by this process: removing it would unlock
        std::filesystem::remove_all(p, e);
        GAN_CHECK(!e, p.string(), ": cannot remove: ", e.message());
    }
}

std::string run_dir_generator_path(const std::string& dir, int epoch) {
    char name[64];
    std::snprintf(name, sizeof name, "/checkpoints/generator_epoch_%03d.safetensors", epoch);
    return dir + name;
}

void run_dir_prune_generators(const std::string& dir, int epoch, int keep_last, int keep_every) {
    if (keep_last <= 0) return;
    for (int e = 1; e <= epoch - keep_last; ++e) {
        if (keep_every > 0 && e % keep_every == 0) continue;
        std::error_code ec;
        std::filesystem::remove(run_dir_generator_path(dir, e), ec);
        GAN_CHECK(!ec, run_dir_generator_path(dir, e), ": cannot remove (--keep-checkpoints): ", ec.message());
    }
}

void file_append_atomic(const std::string& path, const std::string& text, const std::string& header) {
    std::string all = header;
    if (file_exists(path)) {
        std::vector<uint8_t> old = file_read_all(path, size_t(1) << 31);
        all.assign(old.begin(), old.end());
    }
    file_write_atomic(path, all + text);
}

void csv_keep_epochs(const std::string& path, int max_epoch, const std::string& header) {
    if (!file_exists(path)) return;
    std::vector<uint8_t> bytes = file_read_all(path, size_t(1) << 31);
    std::string text(bytes.begin(), bytes.end()), kept;
    std::string pad;  // the empty fields a row of an older, narrower header gets
    const size_t first_end = text.find('\n');
    const std::string old_header = text.substr(0, first_end);
    if (!header.empty() && header.size() > old_header.size() && header.compare(0, old_header.size(), old_header) == 0 &&
        header[old_header.size()] == ',')
        pad.assign(size_t(std::count(header.begin() + std::ptrdiff_t(old_header.size()), header.end(), ',')), ',');
    size_t pos = 0;
    for (bool first = true; pos < text.size(); first = false) {
        size_t end = text.find('\n', pos);
        end = end == std::string::npos ? text.size() : end + 1;
        const size_t body = end - pos - (text[end - 1] == '\n' ? 1 : 0);
        if (first && !pad.empty()) {
            kept += header + "\n";
        } else if (first || std::atoi(text.c_str() + pos) <= max_epoch) {
            kept.append(text, pos, body);
            kept += pad + "\n";
        }
        pos = end;
    }
    if (kept != text) file_write_atomic(path, kept);
}

void remove_temp_files(const std::string& dir) {
    std::error_code e;
    for (std::filesystem::directory_iterator it(dir, e), end; !e && it != end; it.increment(e)) {
        const std::string name = it->path().filename().string();
        const size_t at = name.rfind(".tmp.");
        if (at == std::string::npos || at + 5 >= name.size() || at + 15 < name.size() ||
            name.find_first_not_of("0123456789", at + 5) != std::string::npos)
            continue;
        const long pid = std::atol(name.c_str() + at + 5);
        if (pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove(it->path(), e);
    }
}

RunDirLock::RunDirLock(const std::string& dir) {
    const std::string path = dir + "/" + kRunDirLockName;
    fd_ = UniqueFd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    const int fd = fd_.get();
    GAN_CHECK(fd >= 0, path, ": cannot create: ", std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        // The holder writes its pid just after it locks: give it a moment when the file is still empty.
        std::string pid;
        for (int tries = 0; tries < 20 && pid.empty(); ++tries) {
            char buf[32] = {};
            const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
            for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) pid += buf[i];
            if (pid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        GAN_CHECK(err != EWOULDBLOCK, dir, " is in use by gan train (pid ", pid.empty() ? "unknown" : pid, ")");
        throw Error(str(path, ": cannot lock: ", std::strerror(err)));
    }
    const std::string me = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != ssize_t(me.size())) {
        const int err = errno;
        throw Error(str(path, ": cannot write: ", std::strerror(err)));
    }
}

void run_dir_prepare(const std::string& dir, const std::string& config_json, int epoch) {
    make_dirs(dir + "/samples");
    make_dirs(dir + "/checkpoints");
    for (const char* sub : {"", "/samples", "/checkpoints"}) remove_temp_files(dir + sub);
    file_write_atomic(dir + "/config.json", config_json);
    const std::string header = "epoch,steps,d_loss,g_loss,d_loss_last,g_loss_last,d_real,d_fake,epoch_seconds,"
                               "images_per_s,elapsed_s,data_share,comm_share,augment_p";
    for (const char* log : {"/steps.csv", "/eval.csv"}) csv_keep_epochs(dir + log, epoch);
    const std::string csv = dir + "/metrics.csv";
    csv_keep_epochs(csv, epoch, header);
    if (!file_exists(csv) || epoch == 0) file_write_atomic(csv, header + "\n");
}

}  // namespace gan
