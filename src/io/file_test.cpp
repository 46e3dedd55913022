#include "io/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <zlib.h>

#include <cstring>

#include "test_util.h"

using gan::testing::Deadline;
using gan::testing::error_of;
using gan::testing::gzip_bytes;
using gan::testing::read_bytes;
using gan::testing::TempFolder;
using gan::testing::write_bytes;
using gan::testing::write_sparse;

namespace {

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    uint32_t x = 12345;
    for (auto& b : v) {
        x = x * 1103515245u + 12345u;
        b = uint8_t(x >> 24);
    }
    return v;
}

}  // namespace

TEST(File, ReadAllReadsWholeFile) {
    TempFolder dir;
    auto bytes = pattern(200000);
    write_bytes(dir.file("a.bin"), bytes);
    EXPECT_EQ(gan::file_read_all(dir.file("a.bin"), 1 << 20), bytes);
    EXPECT_EQ(gan::file_read_all(dir.file("a.bin"), bytes.size()), bytes);  // exactly the limit
    write_bytes(dir.file("empty"), {});
    EXPECT_TRUE(gan::file_read_all(dir.file("empty"), 10).empty());
}

TEST(File, ReadAllMissingFileNamesPath) {
    TempFolder dir;
    std::string msg = error_of([&] { gan::file_read_all(dir.file("nope.bin"), 100); });
    EXPECT_EQ(msg, dir.file("nope.bin") + ": cannot open: No such file or directory");
}

TEST(File, ReadAllRejectsOverLimit) {
    TempFolder dir;
    write_bytes(dir.file("a.bin"), pattern(101));
    std::string msg = error_of([&] { gan::file_read_all(dir.file("a.bin"), 100); });
    EXPECT_CONTAINS(msg, dir.file("a.bin") + ": file is 101 bytes, more than the limit of 100");
}

TEST(File, ReadAllRejectsDirectory) {
    TempFolder dir;
    std::string msg = error_of([&] { gan::file_read_all(dir.path, 100); });
    EXPECT_EQ(msg, dir.path + ": cannot open: is a directory, not a regular file");
    ::mkdir(dir.file("x.safetensors").c_str(), 0755);  // a folder named like a checkpoint
    msg = error_of([&] { gan::FileReader f(dir.file("x.safetensors")); });
    EXPECT_EQ(msg, dir.file("x.safetensors") + ": cannot open: is a directory, not a regular file");
}

// Devices whose reads never end (/dev/zero, /dev/urandom) or end at once (/dev/null): each is
// refused by what it is, before a byte is read.
TEST(FileReader, RefusesCharacterDevices) {
    Deadline deadline(10);
    for (const char* dev : {"/dev/zero", "/dev/null", "/dev/urandom"}) {
        if (::access(dev, R_OK) != 0) continue;
        EXPECT_EQ(error_of([&] { gan::FileReader f(dev); }),
                  std::string(dev) + ": cannot open: is a character device, not a regular file");
        EXPECT_EQ(error_of([&] { gan::file_read_all(dev, size_t(1) << 40); }),
                  std::string(dev) + ": cannot open: is a character device, not a regular file");
    }
}

TEST(FileReader, RefusesFifoWithoutWriterAtOnce) {
    TempFolder dir;
    const std::string fifo = dir.file("g.safetensors");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0) << std::strerror(errno);
    Deadline deadline(10);  // opening a FIFO without O_NONBLOCK would block here for good
    EXPECT_EQ(error_of([&] { gan::FileReader f(fifo); }),
              fifo + ": cannot open: is a named pipe (FIFO), not a regular file");
}

TEST(FileReader, InAFolderReadsItsFilesAndRefusesLinksOutOfIt) {
    TempFolder dir;
    write_bytes(dir.file("secret"), {'s'});
    ASSERT_EQ(::mkdir(dir.file("run").c_str(), 0755), 0);
    write_bytes(dir.file("run/config.json"), {'{', '}'});
    ASSERT_EQ(::symlink(dir.file("secret").c_str(), dir.file("run/losses.svg").c_str()), 0);
    ASSERT_EQ(::symlink("/dev/zero", dir.file("run/zero.svg").c_str()), 0);
    const int run = ::open(dir.file("run").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(run, 0);
    {
        gan::FileReader f(run, "config.json", "RUN/config.json");
        EXPECT_EQ(f.size(), 2u);
        EXPECT_EQ(f.read_at(0, 2), (std::vector<uint8_t>{'{', '}'}));
    }
    for (const char* link : {"losses.svg", "zero.svg"})
        EXPECT_EQ(error_of([&] { gan::FileReader f(run, link, std::string("RUN/") + link); }),
                  std::string("RUN/") + link + ": cannot open: is a symbolic link, not a regular file");
    EXPECT_EQ(error_of([&] { gan::FileReader f(run, "../secret", "RUN/../secret"); }),
              "RUN/../secret: cannot open: not a file name in its folder");
    ::close(run);
}

TEST(FileReader, RefusesSocket) {
    TempFolder dir;
    const std::string path = dir.file("s.npy");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) GTEST_SKIP() << "temp path too long for a socket";
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    EXPECT_EQ(error_of([&] { gan::FileReader f(path); }), path + ": cannot open: is a socket, not a regular file");
    ::close(fd);
}

TEST(FileReader, FollowsSymlinksThenChecks) {
    TempFolder dir;
    const std::string to_zero = dir.file("x.npy");
    ASSERT_EQ(::symlink("/dev/zero", to_zero.c_str()), 0);
    EXPECT_EQ(error_of([&] { gan::FileReader f(to_zero); }),
              to_zero + ": cannot open: is a character device, not a regular file");
    // A symlink to a regular file reads that file.
    write_bytes(dir.file("real.bin"), pattern(100));
    ASSERT_EQ(::symlink(dir.file("real.bin").c_str(), dir.file("link.bin").c_str()), 0);
    EXPECT_EQ(gan::file_read_all(dir.file("link.bin"), 100), pattern(100));
    // A dangling symlink reads as a missing file.
    ASSERT_EQ(::symlink(dir.file("gone").c_str(), dir.file("dangling").c_str()), 0);
    EXPECT_EQ(error_of([&] { gan::FileReader f(dir.file("dangling")); }),
              dir.file("dangling") + ": cannot open: No such file or directory");
}

// /proc files are regular files of size 0 that still have content: their size cannot bound a read.
TEST(FileReader, RefusesProcFiles) {
    const std::string status = "/proc/self/status";
    if (::access(status.c_str(), R_OK) != 0) GTEST_SKIP() << "no /proc here";
    EXPECT_EQ(error_of([&] { gan::FileReader f(status); }),
              status + ": cannot open: reports size 0 but has content (as /proc and /sys files do), not a "
                       "regular file");
    // A really empty file is fine: the format parsers call it empty or truncated.
    TempFolder dir;
    write_bytes(dir.file("empty"), {});
    gan::FileReader f(dir.file("empty"));
    EXPECT_EQ(f.size(), 0u);
}

// A 1 TiB sparse file is refused by its size before anything is allocated or read.
TEST(FileReader, HugeSparseFileRefusedBeforeReading) {
    TempFolder dir;
    const std::string path = dir.file("huge.bin");
    if (!write_sparse(path, pattern(64), uint64_t(1) << 40)) GTEST_SKIP() << "no 1 TiB sparse files here";
    Deadline deadline(10);
    gan::FileReader f(path);
    EXPECT_EQ(f.size(), uint64_t(1) << 40);
    EXPECT_EQ(error_of([&] { f.require_at_most(uint64_t(1) << 30); }),
              path + ": file is 1099511627776 bytes, more than the limit of 1073741824 bytes");
    EXPECT_EQ(error_of([&] { gan::file_read_all(path, size_t(1) << 30); }),
              path + ": file is 1099511627776 bytes, more than the limit of 1073741824 bytes");
    EXPECT_EQ(f.read_at(0, 64), pattern(64));
}

TEST(FileReader, ReadAtStaysInsideTheFile) {
    TempFolder dir;
    const std::string path = dir.file("a.bin");
    write_bytes(path, pattern(1000));
    gan::FileReader f(path);
    EXPECT_EQ(f.path(), path);
    EXPECT_EQ(f.size(), 1000u);
    const std::vector<uint8_t> all = pattern(1000);
    EXPECT_EQ(f.read_at(990, 10), std::vector<uint8_t>(all.begin() + 990, all.end()));
    EXPECT_TRUE(f.read_at(1000, 0).empty());
    // Ranges past the end are refused before any buffer is allocated (SIZE_MAX would not fit).
    EXPECT_EQ(error_of([&] { f.read_at(0, SIZE_MAX); }),
              path + ": cannot read bytes [0, 18446744073709551615): the file is 1000 bytes");
    EXPECT_EQ(error_of([&] { f.read_at(995, 10); }), path + ": cannot read bytes [995, 1005): the file is 1000 bytes");
    EXPECT_EQ(error_of([&] { f.read_at(uint64_t(1) << 62, 1); }),
              path + ": cannot read bytes [4611686018427387904, 4611686018427387905): the file is 1000 bytes");
}

TEST(FileReader, FileShrunkAfterOpeningIsAnError) {
    TempFolder dir;
    const std::string path = dir.file("a.bin");
    write_bytes(path, pattern(1000));
    gan::FileReader f(path);
    ASSERT_EQ(::truncate(path.c_str(), 400), 0);
    uint8_t buf[1000];
    EXPECT_EQ(error_of([&] { f.read_at(0, buf, sizeof buf); }),
              path + ": cannot read: the file ends at byte 400 but was 1000 bytes when opened (it changed while "
                     "being read)");
}

TEST(File, WriteAtomicCreatesAndReplacesLeavingNoTemp) {
    TempFolder dir;
    const std::string path = dir.file("out.txt");
    gan::file_write_atomic(path, std::string("first version, longer than the second"));
    EXPECT_EQ(read_bytes(path), std::vector<uint8_t>({'f', 'i', 'r', 's', 't', ' ', 'v', 'e', 'r',
                                                      's', 'i', 'o', 'n', ',', ' ', 'l', 'o', 'n',
                                                      'g', 'e', 'r', ' ', 't', 'h', 'a', 'n', ' ',
                                                      't', 'h', 'e', ' ', 's', 'e', 'c', 'o', 'n',
                                                      'd'}));
    auto bytes = pattern(3 << 20);
    gan::file_write_atomic(path, bytes.data(), bytes.size());
    EXPECT_EQ(read_bytes(path), bytes);
    gan::file_write_atomic(path, nullptr, 0);
    EXPECT_TRUE(read_bytes(path).empty());
    EXPECT_EQ(dir.list(), std::vector<std::string>{"out.txt"});
}

TEST(File, WriteAtomicIntoMissingDirectoryNamesPath) {
    TempFolder dir;
    const std::string path = dir.file("no/such/dir/out.bin");
    std::string msg = error_of([&] { gan::file_write_atomic(path, std::string("x")); });
    EXPECT_EQ(msg, path + ": cannot write: No such file or directory");
    EXPECT_TRUE(dir.list().empty());
}

TEST(File, WriteAtomicFailureKeepsOldFileAndRemovesTemp) {
    // Make write() fail part-way with EFBIG by lowering the file size limit for this process.
    TempFolder dir;
    const std::string path = dir.file("keep.bin");
    auto old_bytes = pattern(100);
    write_bytes(path, old_bytes);
    struct rlimit old_lim {};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    if (old_lim.rlim_cur != RLIM_INFINITY && old_lim.rlim_cur < 8192) GTEST_SKIP();
    auto old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = old_lim;
    lim.rlim_cur = 4096;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
    auto big = pattern(10000);
    std::string msg = error_of([&] { gan::file_write_atomic(path, big.data(), big.size()); });
    setrlimit(RLIMIT_FSIZE, &old_lim);
    signal(SIGXFSZ, old_handler);
    EXPECT_EQ(msg, path + ": cannot write: " + std::strerror(EFBIG));
    EXPECT_EQ(read_bytes(path), old_bytes);
    EXPECT_EQ(dir.list(), std::vector<std::string>{"keep.bin"});
}

TEST(File, WriteAtomicOverDirectoryFails) {
    TempFolder dir;
    gan::make_dirs(dir.file("sub"));
    std::string msg = error_of([&] { gan::file_write_atomic(dir.file("sub"), std::string("x")); });
    EXPECT_CONTAINS(msg, dir.file("sub") + ": cannot write: ");
    EXPECT_EQ(dir.list(), std::vector<std::string>{"sub"});
}

TEST(File, ExistsAndMakeDirs) {
    TempFolder dir;
    const std::string nested = dir.file("a/b//c/");
    EXPECT_FALSE(gan::file_exists(dir.file("a")));
    gan::make_dirs(nested);
    EXPECT_TRUE(gan::file_exists(dir.file("a/b/c")));
    gan::make_dirs(nested);  // already there: fine
    gan::make_dirs(dir.path);
    write_bytes(dir.file("a/file"), {1});
    EXPECT_TRUE(gan::file_exists(dir.file("a/file")));
    std::string msg = error_of([&] { gan::make_dirs(dir.file("a/file/sub")); });
    EXPECT_CONTAINS(msg, dir.file("a/file/sub") + ": cannot create directory: ");
    EXPECT_CONTAINS(msg, "Not a directory");
    msg = error_of([&] { gan::make_dirs(dir.file("a/file")); });
    EXPECT_EQ(msg, dir.file("a/file") + ": cannot create directory: Not a directory");
}

TEST(File, GunzipRoundTripAndZlib) {
    auto data = pattern(300000);
    EXPECT_EQ(gan::gunzip_capped(gzip_bytes(data), data.size(), "x.gz"), data);
    EXPECT_EQ(gan::gunzip_capped(gzip_bytes(data, 15), data.size(), "x.z"), data);  // zlib format
    std::vector<uint8_t> none;
    EXPECT_TRUE(gan::gunzip_capped(gzip_bytes(none), 0, "empty.gz").empty());
}

TEST(File, GunzipRejectsOutputOverCap) {
    std::vector<uint8_t> zeros(1 << 20, 0);
    auto gz = gzip_bytes(zeros);
    std::string msg = error_of([&] { gan::gunzip_capped(gz, zeros.size() - 1, "bomb.gz"); });
    EXPECT_EQ(msg, "bomb.gz: compressed data inflates to more than the limit of 1048575 bytes");
}

TEST(File, GunzipPrefixStopsAtCap) {
    auto data = pattern(100000);
    auto gz = gzip_bytes(data);
    bool more = false;
    auto head = gan::gunzip_prefix(gz, 16, "x.gz", &more);
    EXPECT_TRUE(more);
    EXPECT_EQ(head, std::vector<uint8_t>(data.begin(), data.begin() + 16));
    auto all = gan::gunzip_prefix(gz, data.size(), "x.gz", &more);
    EXPECT_FALSE(more);
    EXPECT_EQ(all, data);
    auto bigger = gan::gunzip_prefix(gz, data.size() + 100, "x.gz", &more);
    EXPECT_FALSE(more);
    EXPECT_EQ(bigger, data);
}

TEST(File, GunzipJoinsConcatenatedMembers) {
    auto a = pattern(1000), b = pattern(77);
    auto gz = gzip_bytes(a), gz_b = gzip_bytes(b);
    gz.insert(gz.end(), gz_b.begin(), gz_b.end());
    auto expected = a;
    expected.insert(expected.end(), b.begin(), b.end());
    EXPECT_EQ(gan::gunzip_capped(gz, 10000, "cat.gz"), expected);
}

TEST(File, GunzipRejectsCorruptTruncatedAndTrailingGarbage) {
    auto data = pattern(5000);
    auto gz = gzip_bytes(data);

    auto truncated = gz;
    truncated.resize(gz.size() / 2);
    std::string msg = error_of([&] { gan::gunzip_capped(truncated, 1 << 20, "t.gz"); });
    EXPECT_CONTAINS(msg, "t.gz: corrupt compressed data: the stream ends early");

    auto crc_broken = gz;
    crc_broken[gz.size() - 6] ^= 0xff;  // inside the CRC32 trailer
    msg = error_of([&] { gan::gunzip_capped(crc_broken, 1 << 20, "c.gz"); });
    EXPECT_CONTAINS(msg, "c.gz: corrupt compressed data: ");

    auto garbage = gz;
    garbage.push_back('x');
    garbage.push_back('y');
    msg = error_of([&] { gan::gunzip_capped(garbage, 1 << 20, "g.gz"); });
    EXPECT_EQ(msg, "g.gz: corrupt compressed data: 2 bytes of trailing garbage after the compressed stream");

    std::vector<uint8_t> not_gz = {'h', 'e', 'l', 'l', 'o'};
    msg = error_of([&] { gan::gunzip_capped(not_gz, 1 << 20, "n.gz"); });
    EXPECT_CONTAINS(msg, "n.gz: corrupt compressed data: ");
    msg = error_of([&] { gan::gunzip_capped({}, 1 << 20, "e.gz"); });
    EXPECT_CONTAINS(msg, "e.gz: corrupt compressed data");

    // Flipping any single byte must never crash: either an error or (rarely) other output.
    for (size_t i = 0; i < gz.size(); i += 7) {
        auto bad = gz;
        bad[i] ^= 0x5a;
        try {
            auto out = gan::gunzip_capped(bad, 1 << 16, "f.gz");
            EXPECT_LE(out.size(), size_t(1) << 16);
        } catch (const gan::Error&) {
        }
    }
}

TEST(File, IsGzip) {
    EXPECT_TRUE(gan::is_gzip(gzip_bytes(pattern(10))));
    EXPECT_FALSE(gan::is_gzip({0x1f}));
    EXPECT_FALSE(gan::is_gzip({0x00, 0x00, 0x08, 0x03}));
}
