#include "io/safetensors.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.h"

using gan::testing::error_of;
using gan::testing::read_bytes;
using gan::testing::TempFolder;
using gan::testing::write_sparse;

namespace {

// A file: 8-byte length, the JSON text as given (no padding), then data_bytes bytes.
std::vector<uint8_t> make_file(const std::string& json, size_t data_bytes) {
    std::vector<uint8_t> v;
    uint64_t n = json.size();
    for (int i = 0; i < 8; ++i) v.push_back(uint8_t(n >> (8 * i)));
    v.insert(v.end(), json.begin(), json.end());
    for (size_t i = 0; i < data_bytes; ++i) v.push_back(uint8_t(i));
    return v;
}

std::string parse_error(const std::string& json, size_t data_bytes) {
    auto f = make_file(json, data_bytes);
    return error_of([&] { gan::safetensors_parse(f.data(), f.size(), "m.safetensors"); });
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

}  // namespace

TEST(Safetensors, RoundTripIsBitwise) {
    TempFolder dir;
    const std::string path = dir.file("model.safetensors");
    std::vector<float> w = {1.5f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::denorm_min(),
                            from_bits(0x7fc12345u),  // NaN with a payload
                            3.14159265f,
                            -1e-30f,
                            1e30f,
                            0.1f,
                            42.0f,
                            -7.25f};
    std::vector<float> bias = {0.5f, -0.5f, 0.25f};
    float scalar = 2.0f;
    std::vector<gan::TensorView> views = {
        {"z.weight", {3, 4}, w.data()},
        {"a.bias", {3}, bias.data()},
        {"m.scalar", {}, &scalar},
        {"empty", {0, 5}, nullptr},
    };
    std::map<std::string, std::string> meta = {{"step", "1200"}, {"format", "pt"}, {"note", "héllo\n\"q\""}};
    gan::safetensors_write(path, views, meta);
    EXPECT_EQ(dir.list(), std::vector<std::string>{"model.safetensors"});

    gan::SafetensorsFile f = gan::safetensors_read(path);
    EXPECT_EQ(f.metadata, meta);
    // Data order follows the order given; "empty" has no bytes and sorts at its offset.
    EXPECT_EQ(f.order, std::vector<std::string>({"z.weight", "a.bias", "m.scalar", "empty"}));
    ASSERT_EQ(f.tensors.size(), 4u);
    const gan::StoredTensor& tw = f.tensors.at("z.weight");
    EXPECT_EQ(tw.shape, std::vector<int64_t>({3, 4}));
    ASSERT_EQ(tw.data.size(), w.size());
    for (size_t i = 0; i < w.size(); ++i) EXPECT_EQ(bits(tw.data[i]), bits(w[i])) << i;
    EXPECT_EQ(f.tensors.at("a.bias").data, bias);
    EXPECT_EQ(f.tensors.at("m.scalar").shape, std::vector<int64_t>{});
    EXPECT_EQ(f.tensors.at("m.scalar").data, std::vector<float>{2.0f});
    EXPECT_EQ(f.tensors.at("empty").shape, std::vector<int64_t>({0, 5}));
    EXPECT_TRUE(f.tensors.at("empty").data.empty());
}

TEST(Safetensors, FileLayout) {
    TempFolder dir;
    const std::string path = dir.file("m.safetensors");
    std::vector<float> a = {1, 2}, b = {3};
    gan::safetensors_write(path, {{"b", {1}, b.data()}, {"a", {2}, a.data()}}, {});
    auto bytes = read_bytes(path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[size_t(i)];
    EXPECT_EQ(n % 8, 0u);
    ASSERT_EQ(bytes.size(), 8 + n + 12);
    std::string header(bytes.begin() + 8, bytes.begin() + 8 + long(n));
    EXPECT_EQ(header.rfind("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                           "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                           0),
              0u)
        << header;
    const size_t close = header.rfind('}');
    EXPECT_EQ(header.find_first_not_of(' ', close + 1), std::string::npos);  // padding is spaces
    EXPECT_LT(header.size() - close - 1, 8u);
    float first;
    std::memcpy(&first, &bytes[8 + n], 4);
    EXPECT_EQ(first, 3.0f);
    EXPECT_EQ(header.find("__metadata__"), std::string::npos);  // omitted when empty
}

TEST(Safetensors, ParsesHandWrittenFileWithGapsAndSpaces) {
    std::string json =
        "{ \"__metadata__\" : {\"k\":\"v\"}, \"b\":{\"dtype\":\"F32\",\"shape\":[1],"
        "\"data_offsets\":[8,12]}, \"a\":{\"shape\":[1],\"data_offsets\":[0,4],\"dtype\":\"F32\"} }   ";
    auto f = make_file(json, 12);
    float v = 7.0f;
    std::memcpy(&f[8 + json.size() + 8], &v, 4);
    gan::SafetensorsFile s = gan::safetensors_parse(f.data(), f.size(), "x");
    EXPECT_EQ(s.order, std::vector<std::string>({"a", "b"}));
    EXPECT_EQ(s.tensors.at("b").data, std::vector<float>{7.0f});
    EXPECT_EQ(s.metadata.at("k"), "v");
}

TEST(Safetensors, RejectsShortFile) {
    std::vector<uint8_t> f = {1, 0, 0};
    EXPECT_EQ(error_of([&] { gan::safetensors_parse(f.data(), f.size(), "m.st"); }),
              "m.st: file is 3 bytes; a safetensors file starts with an 8-byte header length");
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_parse(nullptr, 0, "m.st"); }), "file is 0 bytes");
    TempFolder dir;
    EXPECT_EQ(error_of([&] { gan::safetensors_read(dir.file("none.safetensors")); }),
              dir.file("none.safetensors") + ": cannot open: No such file or directory");
}

// torch.save's files (.pth, .pt: a zip archive, before PyTorch 1.6 a pickle) are named as such, with
// the conversion; a safetensors file whose length bytes happen to look like them is read as one.
TEST(Safetensors, NamesPyTorchFilesAndSaysHowToConvertThem) {
    std::vector<uint8_t> zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0};
    const std::string e = error_of([&] { gan::safetensors_parse(zip.data(), zip.size(), "runs/netG_epoch_24.pth"); });
    EXPECT_CONTAINS(e, "runs/netG_epoch_24.pth: a zip archive, as PyTorch's torch.save writes (.pth, .pt), not a "
                       "safetensors file");
    EXPECT_CONTAINS(e, "save_file(torch.load(\"runs/netG_epoch_24.pth\", map_location=\"cpu\"), "
                       "\"runs/netG_epoch_24.safetensors\")");
    std::vector<uint8_t> pickle = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20};
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_parse(pickle.data(), pickle.size(), "m.pt"); }),
                    "m.pt: a Python pickle, as PyTorch's torch.save writes");
    // 0x80 0x02 as the low bytes of a header length, and '{' at byte 8: a safetensors file (too short here).
    std::vector<uint8_t> st = {0x80, 0x02, 0, 0, 0, 0, 0, 0, '{', '}'};
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_parse(st.data(), st.size(), "m.st"); }),
                    "m.st: header length says 640 bytes");
}

TEST(Safetensors, RejectsHugeHeaderLength) {
    std::vector<uint8_t> f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
    EXPECT_EQ(error_of([&] { gan::safetensors_parse(f.data(), f.size(), "m.st"); }),
              "m.st: header length says 9223372036854775807 bytes but the file holds only 2 bytes "
              "after it");
    f = make_file("{}", 0);
    f[0] = 3;  // one byte more than there is
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_parse(f.data(), f.size(), "m.st"); }),
                    "header length says 3 bytes but the file holds only 2");
    // A length within the file but over the 100 MiB header limit.
    std::vector<uint8_t> big(8 + (size_t(100) << 20) + 16, ' ');
    uint64_t n = (uint64_t(100) << 20) + 8;
    for (int i = 0; i < 8; ++i) big[size_t(i)] = uint8_t(n >> (8 * i));
    EXPECT_EQ(error_of([&] { gan::safetensors_parse(big.data(), big.size(), "m.st"); }),
              "m.st: header length 104857608 is more than the limit of 104857600 bytes");
}

TEST(Safetensors, ReadRefusesWhatIsNotARegularFile) {
    EXPECT_EQ(error_of([] { gan::safetensors_read("/dev/zero"); }),
              "/dev/zero: cannot open: is a character device, not a regular file");
    TempFolder dir;
    const std::string folder = dir.file("x.safetensors");
    ASSERT_EQ(::mkdir(folder.c_str(), 0755), 0);
    EXPECT_EQ(error_of([&] { gan::safetensors_read(folder); }),
              folder + ": cannot open: is a directory, not a regular file");
}

// Sparse files whose header claims all of them: refused from the size or the header's first bytes,
// without reading the holes.
TEST(Safetensors, ReadRefusesSparseFileClaimingItAll) {
    TempFolder dir;
    const std::string path = dir.file("huge.safetensors");
    auto with_length = [](uint64_t n) {
        std::vector<uint8_t> v;
        for (int i = 0; i < 8; ++i) v.push_back(uint8_t(n >> (8 * i)));
        v.push_back('{');
        return v;
    };
    if (!write_sparse(path, with_length((uint64_t(1) << 40) - 8), uint64_t(1) << 40))
        GTEST_SKIP() << "no 1 TiB sparse files here";
    EXPECT_EQ(error_of([&] { gan::safetensors_read(path); }),
              path + ": file is 1099511627776 bytes, more than the limit of 17179869184 bytes");
    // 64 MiB: under every limit, so the header is read, and refused at its first NUL byte.
    ASSERT_TRUE(write_sparse(path, with_length((uint64_t(64) << 20) - 8), uint64_t(64) << 20));
    EXPECT_EQ(error_of([&] { gan::safetensors_read(path); }),
              path + ": header is not valid JSON: it contains a NUL byte at offset 9");
}

TEST(Safetensors, RejectsBadJson) {
    EXPECT_CONTAINS(parse_error("{\"a\":", 0), "m.safetensors: header is not valid JSON: ");
    EXPECT_CONTAINS(parse_error("{\"a\":\n{}", 0), "m.safetensors: header is not valid JSON: ");
    EXPECT_CONTAINS(parse_error("{\"a\xff\":1}", 0), "header is not valid JSON");  // bad UTF-8
    EXPECT_CONTAINS(parse_error(std::string("{}\0\0", 4), 0), "header is not valid JSON");
    EXPECT_EQ(parse_error("[1,2]", 0), "m.safetensors: header is an array, expected a JSON object");
    EXPECT_EQ(parse_error("{\"a\":[]}", 0),
              "m.safetensors: tensor 'a' is an array, expected an object with dtype, shape and "
              "data_offsets");
}

TEST(Safetensors, RejectsDeepNestingBeforeParsing) {
    // 64 levels parse (and are then refused for what they are); 65 are refused before parsing, and so
    // are twenty million, at once and in no more memory than the header's bytes.
    const std::string ok = "{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}";
    EXPECT_EQ(parse_error(ok, 0), "m.safetensors: tensor 'a' is an array, expected an object with dtype, shape and "
                                  "data_offsets");
    EXPECT_EQ(parse_error("{\"a\":" + std::string(64, '[') + std::string(64, ']') + "}", 0),
              "m.safetensors: header is not valid JSON: arrays and objects nested more than 64 deep at offset 76");
    EXPECT_EQ(parse_error("{\"[[[[\":" + std::string(20000000, '['), 0),
              "m.safetensors: header is not valid JSON: arrays and objects nested more than 64 deep at offset 79");
}

TEST(Safetensors, RejectsWrongDtype) {
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
              "m.safetensors: tensor 'x' has dtype F16; only F32 and I64 are supported");
    EXPECT_EQ(parse_error("{\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
              "m.safetensors: tensor 'x' has no dtype");
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
              "m.safetensors: tensor 'x' has a dtype that is an integer, not a string");
}

// PyTorch's int64 counters (batch norm's num_batches_tracked) read as floats, 8 bytes a value.
TEST(Safetensors, ReadsI64AsFloat) {
    auto f = make_file("{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                       "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                       12);
    const size_t data = f.size() - 12;  // n's little-endian bytes: 0x012a, then six zeros
    f[data] = 0x2a, f[data + 1] = 0x01;
    std::fill(f.begin() + std::ptrdiff_t(data + 2), f.begin() + std::ptrdiff_t(data + 8), uint8_t(0));
    const gan::SafetensorsFile file = gan::safetensors_parse(f.data(), f.size(), "m");
    EXPECT_EQ(file.tensors.at("n").dtype, "I64");
    EXPECT_EQ(file.tensors.at("n").data, std::vector<float>{298.0f});
    EXPECT_EQ(file.tensors.at("w").dtype, "F32");
    EXPECT_EQ(parse_error("{\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 16),
              "m.safetensors: tensor 'n' has shape [2] (16 bytes of I64) but data_offsets [0, 8] span 8 bytes");
}

TEST(Safetensors, RejectsBadShape) {
    const char* tail = ",\"data_offsets\":[0,4]}}";
    EXPECT_CONTAINS(parse_error(std::string("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1]") + tail, 4),
                    "tensor 'x' has a shape entry that is negative");
    EXPECT_CONTAINS(parse_error(std::string("{\"x\":{\"dtype\":\"F32\",\"shape\":[1.5]") + tail, 4),
                    "tensor 'x' has a shape entry that is a non-integer number");
    EXPECT_CONTAINS(parse_error(std::string("{\"x\":{\"dtype\":\"F32\",\"shape\":3") + tail, 4),
                    "tensor 'x' has a shape that is an integer, not an array");
    EXPECT_CONTAINS(parse_error("{\"x\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                    "tensor 'x' has no shape");
    // Product overflows 64 bits.
    EXPECT_EQ(parse_error(std::string("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16]") +
                              tail,
                          4),
              "m.safetensors: tensor 'x' has shape [4294967296, 4294967296, 16], more values than "
              "the 4-byte data section can hold");
    // Huge, but one dim is 0: an empty tensor.
    auto f = make_file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,0],\"data_offsets\":[0,0]}}", 0);
    EXPECT_TRUE(gan::safetensors_parse(f.data(), f.size(), "m").tensors.at("x").data.empty());
}

TEST(Safetensors, RejectsSizeMismatchAndBadOffsets) {
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24),
              "m.safetensors: tensor 'x' has shape [2, 3] (24 bytes of F32) but data_offsets [0, 20] "
              "span 20 bytes");
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1000]}}", 24),
              "m.safetensors: tensor 'x' has data_offsets [0, 1000] past the end of the 24-byte data "
              "section");
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 24),
              "m.safetensors: tensor 'x' has data_offsets [8, 4] with begin > end");
    EXPECT_CONTAINS(
        parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[18446744073709551612,"
                    "18446744073709551615]}}",
                    24),
        "past the end");
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 24),
              "m.safetensors: tensor 'x' has 1 data_offsets; expected [begin, end]");
    EXPECT_CONTAINS(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 24),
                    "not both non-negative integers");
    EXPECT_CONTAINS(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\"0-4\"}}", 24),
                    "data_offsets that is a string");
    EXPECT_EQ(parse_error("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", 24),
              "m.safetensors: tensor 'x' has no data_offsets");
}

TEST(Safetensors, RejectsOverlap) {
    EXPECT_EQ(parse_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                          "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                          24),
              "m.safetensors: tensors 'a' [0, 16] and 'b' [8, 24] overlap");
    EXPECT_CONTAINS(parse_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                                8),
                    "overlap");
}

TEST(Safetensors, RejectsBadMetadata) {
    EXPECT_EQ(parse_error("{\"__metadata__\":{\"k\":1}}", 0),
              "m.safetensors: __metadata__ value for key 'k' is an integer; metadata values must be "
              "strings");
    EXPECT_EQ(parse_error("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0),
              "m.safetensors: __metadata__ value for key 'k' is an object; metadata values must be "
              "strings");
    EXPECT_EQ(parse_error("{\"__metadata__\":[\"k\"]}", 0),
              "m.safetensors: __metadata__ is an array, expected an object of strings");
}

TEST(Safetensors, RejectsDuplicates) {
    EXPECT_EQ(parse_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                          "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                          8),
              "m.safetensors: header has the key 'a' twice");
    EXPECT_CONTAINS(parse_error("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],"
                                "\"data_offsets\":[0,4]}}",
                                4),
                    "key 'dtype' twice");
    EXPECT_CONTAINS(parse_error("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "key 'k' twice");
    // Names are reported on one line even when they hold control characters.
    EXPECT_CONTAINS(parse_error("{\"a\\nb\":1,\"a\\nb\":2}", 0), "key 'a\\x0ab' twice");

    TempFolder dir;
    std::vector<float> v = {1};
    EXPECT_EQ(error_of([&] {
                  gan::safetensors_write(dir.file("w"), {{"a", {1}, v.data()}, {"a", {1}, v.data()}}, {});
              }),
              dir.file("w") + ": cannot write tensor 'a': the name is used twice");
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_write(dir.file("w"), {{"__metadata__", {1}, v.data()}}, {}); }),
                    "the name is reserved");
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_write(dir.file("w"), {{"b", {-1}, v.data()}}, {}); }),
                    "negative dimension");
    EXPECT_CONTAINS(error_of([&] { gan::safetensors_write(dir.file("w"), {{"bad\xff", {1}, v.data()}}, {}); }),
                    "not valid UTF-8");
    EXPECT_TRUE(dir.list().empty());
}

TEST(Safetensors, NeverReadsOutOfBoundsOnTruncationOrCorruption) {
    // Every prefix of a valid file, and the file with each header byte changed, must either
    // parse or throw gan::Error (run under AddressSanitizer to check the "out of bounds" part).
    TempFolder dir;
    std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8};
    gan::safetensors_write(dir.file("m"), {{"a", {2, 3}, a.data()}, {"b", {2}, b.data()}},
                           {{"k", "v"}});
    const auto good = read_bytes(dir.file("m"));
    for (size_t n = 0; n < good.size(); ++n) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + long(n));  // own allocation per size
        try {
            gan::safetensors_parse(cut.data(), cut.size(), "cut");
        } catch (const gan::Error&) {
        }
    }
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | good[size_t(i)];
    const size_t header_end = 8 + size_t(header_len);
    for (size_t i = 0; i < header_end; ++i) {
        for (uint8_t flip : {uint8_t(0x01), uint8_t(0x10), uint8_t(0x80)}) {
            auto bad = good;
            bad[i] ^= flip;
            try {
                gan::SafetensorsFile f = gan::safetensors_parse(bad.data(), bad.size(), "bad");
                for (const auto& [name, t] : f.tensors) EXPECT_LE(t.data.size() * 4, good.size());
            } catch (const gan::Error&) {
            }
        }
    }
}
