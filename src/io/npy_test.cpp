#include "io/npy.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "test_util.h"

using gan::testing::error_of;
using gan::testing::read_bytes;
using gan::testing::TempFolder;
using gan::testing::write_bytes;
using gan::testing::write_sparse;

namespace {

// A version 1.0 file with the given header text (used as is) and data bytes.
std::vector<uint8_t> npy_file(const std::string& header, const std::vector<uint8_t>& data) {
    std::string s("\x93NUMPY\x01\x00", 8);
    s += char(header.size() & 0xff);
    s += char(header.size() >> 8);
    s += header;
    s.append(data.begin(), data.end());
    return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<uint8_t> iota_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 3);
    return v;
}

}  // namespace

TEST(Npy, RoundTripU8) {
    TempFolder dir;
    const std::string path = dir.file("a.npy");
    for (const std::vector<int64_t>& shape :
         {std::vector<int64_t>{2, 3, 4}, std::vector<int64_t>{7}, std::vector<int64_t>{},
          std::vector<int64_t>{0, 5}, std::vector<int64_t>{1000, 28, 28}}) {
        size_t n = 1;
        for (int64_t d : shape) n *= size_t(d);
        auto data = iota_bytes(n);
        gan::npy_write_u8(path, data.data(), shape);
        gan::NpyU8 back = gan::npy_read_u8(path);
        EXPECT_EQ(back.shape, shape);
        EXPECT_EQ(back.data, data);
    }
    EXPECT_EQ(dir.list(), std::vector<std::string>{"a.npy"});
}

TEST(Npy, HeaderLayout) {
    TempFolder dir;
    auto data = iota_bytes(24);
    gan::npy_write_u8(dir.file("a.npy"), data.data(), {2, 3, 4});
    auto bytes = read_bytes(dir.file("a.npy"));
    ASSERT_GE(bytes.size(), 10u);
    EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), std::string("\x93NUMPY\x01\x00", 8));
    size_t header_len = bytes[8] | size_t(bytes[9]) << 8;
    EXPECT_EQ((10 + header_len) % 64, 0u);
    ASSERT_EQ(bytes.size(), 10 + header_len + 24);
    std::string header(bytes.begin() + 10, bytes.begin() + 10 + long(header_len));
    const std::string dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }";
    EXPECT_EQ(header.substr(0, dict.size()), dict);
    EXPECT_EQ(header.back(), '\n');
    EXPECT_EQ(header.find_first_not_of(' ', dict.size()), header.size() - 1);

    gan::npy_write_u8(dir.file("b.npy"), data.data(), {24});
    bytes = read_bytes(dir.file("b.npy"));
    EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("'shape': (24,), }"), std::string::npos);
    gan::npy_write_u8(dir.file("c.npy"), data.data(), {});
    bytes = read_bytes(dir.file("c.npy"));
    EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("'shape': (), }"), std::string::npos);
}

TEST(Npy, RoundTripF32) {
    TempFolder dir;
    std::vector<float> v = {1.5f, -2.0f, 0.0f, 3.25f, -0.0f, 1e-42f};
    gan::npy_write_f32(dir.file("f.npy"), v.data(), {2, 3});
    auto bytes = read_bytes(dir.file("f.npy"));
    EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"),
              std::string::npos);
    gan::NpyF32 back = gan::npy_read_f32(dir.file("f.npy"));
    EXPECT_EQ(back.shape, std::vector<int64_t>({2, 3}));
    ASSERT_EQ(back.data.size(), v.size());
    EXPECT_EQ(std::memcmp(back.data.data(), v.data(), v.size() * 4), 0);
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(dir.file("f.npy")); }),
              dir.file("f.npy") + ": .npy dtype is '<f4'; expected '|u1' or '<u1'");
}

TEST(Npy, ReadsFilesWrittenByNumpy) {
    TempFolder dir;
    // np.save(f, np.arange(6, dtype=np.uint8).reshape(2, 3)) with numpy 1.24: 128-byte preamble.
    std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
    header.append(117 - header.size(), ' ');
    header += '\n';
    write_bytes(dir.file("np.npy"), npy_file(header, {0, 1, 2, 3, 4, 5}));
    gan::NpyU8 a = gan::npy_read_u8(dir.file("np.npy"));
    EXPECT_EQ(a.shape, std::vector<int64_t>({2, 3}));
    EXPECT_EQ(a.data, std::vector<uint8_t>({0, 1, 2, 3, 4, 5}));

    // Other spellings numpy (or a person) may produce: key order, quotes, spacing, '<u1',
    // a trailing comma or none, Python 2 longs, version 2.0.
    for (const std::string& h :
         {std::string("{\"shape\":(2,3),\"fortran_order\":False,\"descr\":\"<u1\"}\n"),
          std::string("{ 'descr' : '|u1' ,\n 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }  \n"),
          std::string("{'descr': '|u1', 'fortran_order': False, 'shape': (2L, 3L), }\n")}) {
        write_bytes(dir.file("v.npy"), npy_file(h, {0, 1, 2, 3, 4, 5}));
        EXPECT_EQ(gan::npy_read_u8(dir.file("v.npy")).shape, std::vector<int64_t>({2, 3})) << h;
    }
    // Version 2.0: a uint32 header length.
    const std::string h2 = "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }\n";
    std::string s2("\x93NUMPY\x02\x00", 8);
    s2 += char(h2.size());
    s2.append(3, '\0');
    s2 += h2;
    s2 += "\x09\x08\x07\x06";
    std::vector<uint8_t> v2(s2.begin(), s2.end());
    write_bytes(dir.file("v2.npy"), v2);
    EXPECT_EQ(gan::npy_read_u8(dir.file("v2.npy")).data, std::vector<uint8_t>({9, 8, 7, 6}));
}

TEST(Npy, RejectsCorruptFiles) {
    TempFolder dir;
    const std::string path = dir.file("bad.npy");
    auto expect_error = [&](const std::vector<uint8_t>& bytes, const std::string& text) {
        write_bytes(path, bytes);
        std::string msg = error_of([&] { gan::npy_read_u8(path); });
        EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;
        EXPECT_CONTAINS(msg, text);
    };
    const std::vector<uint8_t> six = {0, 1, 2, 3, 4, 5};
    const std::string good = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }\n";

    expect_error({'N', 'U', 'M', 'P', 'Y'}, "not a .npy file");
    auto f = npy_file(good, six);
    f[0] = 0x94;
    expect_error(f, "not a .npy file");
    f = npy_file(good, six);
    f[6] = 9;
    expect_error(f, "unsupported .npy version 9.0");
    f = npy_file(good, six);
    f[9] = 0x10;  // header length 4096 + ...: past the end
    expect_error(f, "truncated: the .npy header says it is");

    expect_error(npy_file(good, {0, 1, 2, 3, 4}),
                 "header says shape (2, 3) (6 bytes of data) but the file holds 5 bytes after the header");
    expect_error(npy_file(good, {0, 1, 2, 3, 4, 5, 6}), "but the file holds 7 bytes after the header");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }\n", six),
                 "Fortran-order .npy arrays are not supported");
    expect_error(npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }\n", six),
                 ".npy dtype is '<i8'; expected '|u1' or '<u1'");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False}\n", six),
                 "it needs the keys 'descr', 'fortran_order' and 'shape'");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), 'x': 1}\n", six),
                 "expected a string, True, False or a tuple at column");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), 'x': 'y'}\n", six),
                 "unexpected key 'x'");
    expect_error(npy_file("{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (6,)}\n", six),
                 "key 'descr' appears twice");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (6)}\n", six),
                 "'(6)' at column 51 is not a tuple");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (-6,)}\n", six),
                 "expected a non-negative integer at column 52, found '-'");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), ", six),
                 "expected a quoted string at column");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3)} extra", six),
                 "expected the end of the header after '}'");
    expect_error(npy_file("{'descr: '|u1'}", six), "expected ':'");
    expect_error(npy_file("", six), "expected '{' at column 1, found the end");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': 0, 'shape': (6,)}", six),
                 "expected a string, True, False or a tuple");
    // Shape whose product overflows 64 bits.
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 2)}", six),
                 "is too large");
    expect_error(npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,)}", six),
                 "is too large");
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(dir.file("missing.npy")); }),
              dir.file("missing.npy") + ": cannot open: No such file or directory");
}

TEST(Npy, WriteRejectsBadShape) {
    TempFolder dir;
    uint8_t b = 0;
    EXPECT_EQ(error_of([&] { gan::npy_write_u8(dir.file("a.npy"), &b, {2, -1}); }),
              dir.file("a.npy") + ": cannot write .npy: shape (2, -1) has a negative dimension");
    EXPECT_CONTAINS(error_of([&] { gan::npy_write_u8(dir.file("a.npy"), nullptr, {2}); }), "no data");
    EXPECT_TRUE(dir.list().empty());
}

TEST(Npy, ReadRefusesWhatIsNotARegularFile) {
    EXPECT_EQ(error_of([] { gan::npy_read_u8("/dev/urandom"); }),
              "/dev/urandom: cannot open: is a character device, not a regular file");
    TempFolder dir;
    const std::string link = dir.file("x.npy");
    ASSERT_EQ(::symlink("/dev/zero", link.c_str()), 0);
    EXPECT_EQ(error_of([&] { gan::npy_read_f32(link); }), link + ": cannot open: is a character device, not a regular file");
    const std::string fifo = dir.file("fifo.npy");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    gan::testing::Deadline deadline(10);
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(fifo); }), fifo + ": cannot open: is a named pipe (FIFO), not a regular file");
}

// A sparse file whose shape claims all of it, and headers that claim more than they may: refused
// before the data (or the oversized header) is read.
TEST(Npy, ReadRefusesHeadersClaimingHugeData) {
    // A version 1.0 file's first bytes: the header padded so the data starts at a multiple of 64.
    auto head_of = [](const std::string& dict) {
        const size_t pad = (64 - (10 + dict.size() + 1) % 64) % 64;
        return npy_file(dict + std::string(pad, ' ') + "\n", {});
    };
    TempFolder dir;
    const std::string path = dir.file("huge.npy");
    const std::vector<uint8_t> head =
        head_of("{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627648,), }");
    ASSERT_EQ(head.size(), 128u);
    if (!write_sparse(path, head, uint64_t(1) << 40)) GTEST_SKIP() << "no 1 TiB sparse files here";
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(path); }),
              path + ": file is 1099511627776 bytes, more than the limit of 17179869184 bytes");
    // Version 2.0: a 4-byte header length, here 2 MiB of a 3 MiB sparse file.
    std::vector<uint8_t> v2 = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0x20, 0};
    ASSERT_TRUE(write_sparse(path, v2, uint64_t(3) << 20));
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(path); }),
              path + ": the .npy header is 2097152 bytes, more than the limit of 1048576 bytes");
    // A valid header whose shape claims more than the 1 MiB file holds.
    ASSERT_TRUE(write_sparse(path, head_of("{'descr': '|u1', 'fortran_order': False, 'shape': (4000000, 28, 28), }"),
                             1 << 20));
    EXPECT_EQ(error_of([&] { gan::npy_read_u8(path); }),
              path + ": header says shape (4000000, 28, 28) (3136000000 bytes of data) but the file holds 1048448 "
                     "bytes after the header");
}

// Class labels for `gan sample --labels`: numpy's usual integer dtypes, widened to int64.
TEST(Npy, ReadIntWidensTheUsualIntegerDtypes) {
    TempFolder dir;
    const std::string path = dir.file("l.npy");
    auto bytes_of = [](const auto& v) {
        const auto* p = reinterpret_cast<const uint8_t*>(v.data());
        return std::vector<uint8_t>(p, p + v.size() * sizeof(v[0]));
    };
    const std::vector<int64_t> want = {0, 9, -1, 3};
    write_bytes(path, npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", bytes_of(want)));
    gan::NpyI64 a = gan::npy_read_int(path);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{4}));
    EXPECT_EQ(a.data, want);
    write_bytes(path, npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }",
                               bytes_of(std::vector<int32_t>{0, 9, -1, 3})));
    EXPECT_EQ(gan::npy_read_int(path).data, want);
    write_bytes(path, npy_file("{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", {0, 9, 0xff, 3}));
    EXPECT_EQ(gan::npy_read_int(path).data, want);
    write_bytes(path, npy_file("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", {0, 9, 0xff, 3}));
    EXPECT_EQ(gan::npy_read_int(path).data, (std::vector<int64_t>{0, 9, 255, 3}));
}

TEST(Npy, ReadIntRefusesFloatsAndShortData) {
    TempFolder dir;
    const std::string path = dir.file("l.npy");
    write_bytes(path, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", iota_bytes(8)));
    EXPECT_NE(error_of([&] { gan::npy_read_int(path); }).find(path + ": .npy dtype is '<f4'; expected '<i8' or"),
              std::string::npos);
    write_bytes(path, npy_file("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", iota_bytes(12)));
    EXPECT_NE(error_of([&] { gan::npy_read_int(path); }).find("16 bytes of data) but the file holds 12"),
              std::string::npos);
}

// The header gan sample --save-z streams its latents after: the same bytes npy_write_f32 writes first.
TEST(Npy, F32HeaderIsWhatTheWriterWrites) {
    TempFolder dir;
    const std::string path = dir.file("z.npy");
    const std::vector<float> z = {1.5f, -2.0f, 0.25f, 4.0f, 5.0f, 6.0f};
    gan::npy_write_f32(path, z.data(), {3, 2});
    const std::vector<uint8_t> file = read_bytes(path);
    const std::vector<uint8_t> head = gan::npy_header_f32(path, {3, 2});
    ASSERT_EQ(file.size(), head.size() + z.size() * 4);
    EXPECT_TRUE(std::equal(head.begin(), head.end(), file.begin()));
    EXPECT_EQ(head.size() % 64, 0u);
}
