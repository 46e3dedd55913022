#include "io/npy.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "core/check.h"
#include "io/bytes.h"
#include "io/file.h"

namespace gan {

static_assert(std::endian::native == std::endian::little,
              ".npy '<f4' data is little-endian; big-endian hosts need byte swapping here");

namespace {

constexpr char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMaxFileBytes = size_t(16) << 30;
// Largest header a reader accepts (numpy writes a few hundred bytes; its own reader stops at 10,000
// unless told otherwise).
constexpr uint64_t kMaxHeaderBytes = uint64_t(1) << 20;

std::string shape_tuple(const std::vector<int64_t>& shape) {
    std::string s = "(";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

// product(shape), or throws when a dim is negative or the product overflows `limit`.
uint64_t checked_count(const std::string& path, const std::vector<int64_t>& shape, uint64_t limit,
                       const char* what) {
    uint64_t count = 1;
    bool overflow = false;
    for (int64_t d : shape) {
        GAN_CHECK(d >= 0, path, ": ", what, ": shape ", shape_tuple(shape), " has a negative dimension");
        if (d == 0) return 0;
        if (__builtin_mul_overflow(count, uint64_t(d), &count)) overflow = true;
    }
    GAN_CHECK(!overflow && count <= limit, path, ": ", what, ": shape ", shape_tuple(shape),
              " is too large");
    return count;
}

// Magic, version 1.0, header length and the header dict padded to a multiple of 64 bytes.
std::vector<uint8_t> npy_preamble(const std::string& path, const char* descr, const std::vector<int64_t>& shape,
                                  uint64_t* count) {
    *count = checked_count(path, shape, uint64_t(1) << 40, "cannot write .npy");
    std::string header = str("{'descr': '", descr, "', 'fortran_order': False, 'shape': ",
                             shape_tuple(shape), ", }");
    const size_t preamble = 10;  // magic, version, uint16 length
    size_t total = preamble + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    GAN_CHECK(header.size() <= 65535, path, ": cannot write .npy: shape ", shape_tuple(shape),
              " makes the header too long for version 1.0");
    std::vector<uint8_t> buf(kMagic, kMagic + 6);
    buf.push_back(1);
    buf.push_back(0);
    put_le(buf, header.size(), 2);
    buf.insert(buf.end(), header.begin(), header.end());
    return buf;
}

void write_npy(const std::string& path, const char* descr, const void* data, size_t item,
               const std::vector<int64_t>& shape) {
    uint64_t count = 0;
    const std::vector<uint8_t> head = npy_preamble(path, descr, shape, &count);
    GAN_CHECK(count == 0 || data != nullptr, path, ": cannot write .npy: no data");
    AtomicFile f(path);
    f.write(head.data(), head.size());
    f.write(data, count * item);
    f.commit();
}

// A parsed header value: a string, a bool or a tuple of integers.
struct Value {
    enum Kind { String, Bool, Tuple } kind = String;
    std::string s;
    bool b = false;
    std::vector<int64_t> ints;
};

// Parses the Python dict literal of a .npy header (only what numpy writes: string keys, and
// string, True/False and integer-tuple values).
class HeaderParser {
public:
    HeaderParser(const std::string& path, const std::string& text) : path_(path), t_(text) {}

    std::map<std::string, Value> parse() {
        std::map<std::string, Value> dict;
        skip_ws();
        expect('{');
        skip_ws();
        while (peek() != '}') {
            std::string key = parse_string();
            skip_ws();
            expect(':');
            skip_ws();
            Value v = parse_value();
            GAN_CHECK(dict.emplace(key, std::move(v)).second, path_, ": bad .npy header: key '",
                      key, "' appears twice");
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                skip_ws();
            } else {
                GAN_CHECK(peek() == '}', fail("',' or '}'"));
            }
        }
        ++pos_;
        skip_ws();
        GAN_CHECK(pos_ == t_.size(), fail("the end of the header after '}'"));
        return dict;
    }

private:
    char peek() const { return pos_ < t_.size() ? t_[pos_] : '\0'; }
    void skip_ws() {
        while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\t' ||
                                    t_[pos_] == '\r'))
            ++pos_;
    }
    std::string fail(const char* expected) const {
        std::string found = pos_ < t_.size() ? str("'", printable(t_[pos_]), "'") : "the end";
        return str(path_, ": bad .npy header: expected ", expected, " at column ", pos_ + 1,
                   ", found ", found);
    }
    static std::string printable(char c) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) return std::string(1, c);
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        return buf;
    }
    void expect(char c) {
        const char want[] = {'\'', c, '\'', '\0'};
        GAN_CHECK(peek() == c, fail(want));
        ++pos_;
    }
    std::string parse_string() {
        const char q = peek();
        GAN_CHECK(q == '\'' || q == '"', fail("a quoted string"));
        size_t close = t_.find(q, pos_ + 1);
        GAN_CHECK(close != std::string::npos, path_, ": bad .npy header: unterminated string at column ",
                  pos_ + 1);
        std::string s = t_.substr(pos_ + 1, close - pos_ - 1);
        GAN_CHECK(s.find('\\') == std::string::npos && s.find('\n') == std::string::npos, path_,
                  ": bad .npy header: unsupported escape or newline in a string at column ",
                  pos_ + 1);
        pos_ = close + 1;
        return s;
    }
    Value parse_value() {
        Value v;
        const char c = peek();
        if (c == '\'' || c == '"') {
            v.kind = Value::String;
            v.s = parse_string();
        } else if (t_.compare(pos_, 4, "True") == 0) {
            v.kind = Value::Bool;
            v.b = true;
            pos_ += 4;
        } else if (t_.compare(pos_, 5, "False") == 0) {
            v.kind = Value::Bool;
            v.b = false;
            pos_ += 5;
        } else if (c == '(') {
            v.kind = Value::Tuple;
            const size_t open = pos_;
            ++pos_;
            skip_ws();
            bool trailing_comma = false;
            while (peek() != ')') {
                v.ints.push_back(parse_int());
                skip_ws();
                trailing_comma = false;
                if (peek() == ',') {
                    ++pos_;
                    skip_ws();
                    trailing_comma = true;
                } else {
                    GAN_CHECK(peek() == ')', fail("',' or ')'"));
                }
            }
            ++pos_;
            // In Python "(3)" is the integer 3, not a tuple.
            GAN_CHECK(v.ints.size() != 1 || trailing_comma, path_,
                      ": bad .npy header: '(", v.ints[0], ")' at column ", open + 1,
                      " is not a tuple (a one-element tuple needs a trailing comma)");
        } else {
            GAN_CHECK(false, fail("a string, True, False or a tuple"));
        }
        return v;
    }
    int64_t parse_int() {
        GAN_CHECK(peek() >= '0' && peek() <= '9', fail("a non-negative integer"));
        uint64_t v = 0;
        while (peek() >= '0' && peek() <= '9') {
            v = v * 10 + uint64_t(peek() - '0');
            GAN_CHECK(v <= uint64_t(INT64_MAX) / 10, path_, ": bad .npy header: integer at column ",
                      pos_ + 1, " is too large");
            ++pos_;
        }
        if (peek() == 'L') ++pos_;  // Python 2 long suffix
        return int64_t(v);
    }

    const std::string& path_;
    const std::string& t_;
    size_t pos_ = 0;
};

// Checks the preamble and header of the open file f against the accepted descrs; fills shape and
// returns the number of values. The data's length (count * item, exactly what follows the header)
// is checked against the file's size before anything of it is read, so a header that claims more
// than the file holds costs nothing.
// The bytes per value of a descr such as '<f4' or '|u1': its last character.
size_t descr_item(const std::string& descr) { return size_t(descr.back() - '0'); }

uint64_t read_npy_header(const FileReader& f, std::initializer_list<const char*> descrs, std::string& matched,
                         std::vector<int64_t>& shape, uint64_t& data_offset) {
    const std::string& path = f.path();
    f.require_at_most(kMaxFileBytes);
    const uint64_t size = f.size();
    const std::vector<uint8_t> pre = f.read_at(0, size_t(std::min<uint64_t>(size, 12)));
    GAN_CHECK(pre.size() >= 10 && std::memcmp(pre.data(), kMagic, 6) == 0, path,
              ": not a .npy file (no \\x93NUMPY magic)");
    const int major = pre[6], minor = pre[7];
    uint64_t header_len = 0, preamble = 0;
    if (major == 1) {
        header_len = get_le(&pre[8], 2);
        preamble = 10;
    } else if (major == 2 || major == 3) {
        GAN_CHECK(size >= 12, path, ": truncated .npy preamble");
        header_len = get_le(&pre[8], 4);
        preamble = 12;
    } else {
        throw Error(str(path, ": unsupported .npy version ", major, ".", minor));
    }
    GAN_CHECK(header_len <= size - preamble, path, ": truncated: the .npy header says it is ", header_len,
              " bytes but the file holds ", size - preamble, " after the preamble");
    GAN_CHECK(header_len <= kMaxHeaderBytes, path, ": the .npy header is ", header_len,
              " bytes, more than the limit of ", kMaxHeaderBytes, " bytes");
    const std::vector<uint8_t> head = f.read_at(preamble, size_t(header_len));
    const std::string text(head.begin(), head.end());
    std::map<std::string, Value> dict = HeaderParser(path, text).parse();

    for (const auto& [k, v] : dict)
        GAN_CHECK(k == "descr" || k == "fortran_order" || k == "shape", path,
                  ": bad .npy header: unexpected key '", k, "'");
    auto descr = dict.find("descr"), fortran = dict.find("fortran_order"), shp = dict.find("shape");
    GAN_CHECK(descr != dict.end() && fortran != dict.end() && shp != dict.end(), path,
              ": bad .npy header: it needs the keys 'descr', 'fortran_order' and 'shape'");
    GAN_CHECK(descr->second.kind == Value::String, path, ": bad .npy header: 'descr' is not a string");
    bool known = false;
    std::string wanted;
    for (const char* d : descrs) {
        known = known || descr->second.s == d;
        wanted += wanted.empty() ? "'" : " or '";
        wanted += d;
        wanted += '\'';
    }
    GAN_CHECK(known, path, ": .npy dtype is '", descr->second.s, "'; expected ", wanted);
    matched = descr->second.s;
    const size_t item = descr_item(matched);
    GAN_CHECK(fortran->second.kind == Value::Bool, path,
              ": bad .npy header: 'fortran_order' is not True or False");
    GAN_CHECK(!fortran->second.b, path, ": Fortran-order .npy arrays are not supported");
    GAN_CHECK(shp->second.kind == Value::Tuple, path, ": bad .npy header: 'shape' is not a tuple");
    shape = shp->second.ints;

    const uint64_t have = size - preamble - header_len;
    const uint64_t count = checked_count(path, shape, UINT64_MAX / item, "bad .npy header");
    GAN_CHECK(count * item == have, path, ": header says shape ", shape_tuple(shape), " (",
              count * item, " bytes of data) but the file holds ", have, " bytes after the header");
    data_offset = preamble + header_len;
    return count;
}

// Reads path's values (checked as above) into data, which is resized to hold them.
template <typename T>
void read_npy(const std::string& path, std::initializer_list<const char*> descrs, std::vector<int64_t>& shape,
              std::vector<T>& data) {
    FileReader f(path);
    uint64_t offset = 0;
    std::string descr;
    const uint64_t count = read_npy_header(f, descrs, descr, shape, offset);
    GAN_CHECK(descr_item(descr) == sizeof(T), path, ": .npy dtype '", descr, "' is not ", sizeof(T), " bytes a value");
    data.resize(size_t(count));
    f.read_at(offset, data.data(), size_t(count) * sizeof(T));
}

}  // namespace

std::vector<uint8_t> npy_header_u8(const std::string& path, const std::vector<int64_t>& shape) {
    uint64_t count = 0;
    return npy_preamble(path, "|u1", shape, &count);
}

void npy_write_u8(const std::string& path, const uint8_t* data, const std::vector<int64_t>& shape) {
    write_npy(path, "|u1", data, 1, shape);
}

void npy_write_f32(const std::string& path, const float* data, const std::vector<int64_t>& shape) {
    write_npy(path, "<f4", data, 4, shape);
}

std::vector<uint8_t> npy_header_f32(const std::string& path, const std::vector<int64_t>& shape) {
    uint64_t count = 0;
    return npy_preamble(path, "<f4", shape, &count);
}

NpyU8 npy_read_u8(const std::string& path) {
    NpyU8 out;
    read_npy(path, {"|u1", "<u1"}, out.shape, out.data);
    return out;
}

NpyF32 npy_read_f32(const std::string& path) {
    NpyF32 out;
    read_npy(path, {"<f4"}, out.shape, out.data);
    return out;
}

NpyI64 npy_read_int(const std::string& path) {
    NpyI64 out;
    FileReader f(path);
    uint64_t offset = 0;
    std::string descr;
    const uint64_t count = read_npy_header(f, {"<i8", "<i4", "|u1", "<u1", "|i1"}, descr, out.shape, offset);
    const size_t item = descr_item(descr);
    const std::vector<uint8_t> raw = f.read_at(offset, size_t(count) * item);
    out.data.resize(size_t(count));
    for (size_t i = 0; i < out.data.size(); ++i) {
        const uint8_t* p = raw.data() + i * item;
        if (item == 8) {
            int64_t v;
            std::memcpy(&v, p, 8);
            out.data[i] = v;
        } else if (item == 4) {
            int32_t v;
            std::memcpy(&v, p, 4);
            out.data[i] = v;
        } else {
            out.data[i] = descr == "|i1" ? int64_t(int8_t(*p)) : int64_t(*p);
        }
    }
    return out;
}

}  // namespace gan
