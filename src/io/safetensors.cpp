#include "io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/check.h"
#include "io/json_depth.h"
#include "io/bytes.h"
#include "io/file.h"

namespace gan {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; big-endian hosts need byte swapping here");

namespace {

using json = nlohmann::json;

// Largest file safetensors_read loads.
constexpr size_t kMaxFileBytes = size_t(16) << 30;

// s with control characters escaped, so a message stays on one line.
std::string clean(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += char(c);
        }
    }
    return out;
}

// 'name' for messages.
std::string quoted(const std::string& s) {
    std::string out(1, '\'');
    out += clean(s);
    out += '\'';
    return out;
}

// nlohmann's parse_error text without its "[json.exception...] " prefix, on one printable line.
std::string json_error_text(const std::exception& e) {
    std::string s = e.what();
    if (!s.empty() && s[0] == '[') {
        size_t close = s.find("] ");
        if (close != std::string::npos) s = s.substr(close + 2);
    }
    for (char& c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) c = ' ';
        else if (u >= 0x80) c = '?';
    }
    return s;
}

// "an integer", "a string", ... for messages.
const char* json_type(const json& j) {
    if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
    if (j.is_number()) return "a non-integer number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "an array";
    if (j.is_object()) return "an object";
    if (j.is_boolean()) return "a boolean";
    if (j.is_null()) return "null";
    return "an unexpected value";
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

struct Entry {
    std::string name;
    std::vector<int64_t> shape;
    uint64_t count = 0;  // product(shape)
    uint64_t begin = 0, end = 0;
    bool i64 = false;    // dtype I64 (8 bytes a value), else F32
};

Entry parse_entry(const std::string& path, const std::string& name, const json& j,
                  uint64_t data_size) {
    const std::string t = str(path, ": tensor ", quoted(name));
    GAN_CHECK(j.is_object(), t, " is ", json_type(j), ", expected an object with dtype, shape and "
              "data_offsets");
    Entry e;
    e.name = name;

    auto dtype = j.find("dtype");
    GAN_CHECK(dtype != j.end(), t, " has no dtype");
    GAN_CHECK(dtype->is_string(), t, " has a dtype that is ", json_type(*dtype), ", not a string");
    const std::string& dt = dtype->get_ref<const std::string&>();
    GAN_CHECK(dt == "F32" || dt == "I64", t, " has dtype ", clean(dt), "; only F32 and I64 are supported");
    e.i64 = dt == "I64";
    const uint64_t width = e.i64 ? 8 : 4;

    auto shape = j.find("shape");
    GAN_CHECK(shape != j.end(), t, " has no shape");
    GAN_CHECK(shape->is_array(), t, " has a shape that is ", json_type(*shape), ", not an array");
    uint64_t count = 1;
    bool overflow = false;
    for (const json& d : *shape) {
        GAN_CHECK(d.is_number_unsigned(), t, " has a shape entry that is ",
                  d.is_number_integer() ? "negative" : json_type(d),
                  "; shape must be an array of non-negative integers");
        uint64_t v = d.get<uint64_t>();
        GAN_CHECK(v <= uint64_t(INT64_MAX), t, " has a shape entry ", v, " that is too large");
        e.shape.push_back(int64_t(v));
        if (__builtin_mul_overflow(count, v, &count)) overflow = true;
    }
    bool has_zero = std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end();
    if (has_zero) count = 0, overflow = false;
    GAN_CHECK(!overflow && count <= data_size / width, t, " has shape ", shape_text(e.shape),
              ", more values than the ", data_size, "-byte data section can hold");
    e.count = count;

    auto offs = j.find("data_offsets");
    GAN_CHECK(offs != j.end(), t, " has no data_offsets");
    GAN_CHECK(offs->is_array(), t, " has data_offsets that is ", json_type(*offs),
              "; expected [begin, end]");
    GAN_CHECK(offs->size() == 2, t, " has ", offs->size(), " data_offsets; expected [begin, end]");
    GAN_CHECK((*offs)[0].is_number_unsigned() && (*offs)[1].is_number_unsigned(), t,
              " has data_offsets that are not both non-negative integers");
    e.begin = (*offs)[0].get<uint64_t>();
    e.end = (*offs)[1].get<uint64_t>();
    const std::string range = str("[", e.begin, ", ", e.end, "]");
    GAN_CHECK(e.begin <= e.end, t, " has data_offsets ", range, " with begin > end");
    GAN_CHECK(e.end <= data_size, t, " has data_offsets ", range, " past the end of the ",
              data_size, "-byte data section");
    GAN_CHECK(e.end - e.begin == count * width, t, " has shape ", shape_text(e.shape), " (",
              count * width, " bytes of ", dt, ") but data_offsets ", range, " span ", e.end - e.begin,
              " bytes");
    return e;
}

}  // namespace

namespace {

// Reads bytes [offset, offset + n) of the file being parsed into dst; the caller has checked that
// the range lies inside the file.
using ReadAt = std::function<void(uint64_t offset, void* dst, size_t n)>;

// The header_len bytes after the length, read in pieces. nlohmann/json stops at a NUL byte as if the
// input ended there, hiding what follows; checking each piece as it arrives refuses a header of
// zeros (a sparse file) after its first piece.
std::vector<uint8_t> read_header_bytes(uint64_t header_len, const ReadAt& read, const std::string& path) {
    std::vector<uint8_t> hdr;
    constexpr size_t kPiece = size_t(1) << 20;
    while (hdr.size() < header_len) {
        const size_t at = hdr.size(), len = std::min<size_t>(kPiece, header_len - at);
        hdr.resize(at + len);
        read(8 + at, hdr.data() + at, len);
        const void* nul = std::memchr(hdr.data() + at, 0, len);
        GAN_CHECK(nul == nullptr, path, ": header is not valid JSON: it contains a NUL byte at offset ",
                  8 + (static_cast<const uint8_t*>(nul) - hdr.data()));
    }
    return hdr;
}

// The header as a JSON object, rejecting duplicate keys in any object (nlohmann would silently
// keep the last one).
json parse_header_json(const std::vector<uint8_t>& hdr, const std::string& path) {
    std::vector<std::set<std::string>> keys;
    std::optional<std::string> duplicate;
    auto cb = [&](int, json::parse_event_t ev, json& parsed) {
        if (ev == json::parse_event_t::object_start) {
            keys.emplace_back();
        } else if (ev == json::parse_event_t::object_end) {
            if (!keys.empty()) keys.pop_back();
        } else if (ev == json::parse_event_t::key && !keys.empty()) {
            const std::string& k = parsed.get_ref<const std::string&>();
            if (!keys.back().insert(k).second && !duplicate) duplicate = k;
        }
        return true;
    };
    const size_t deep = json_too_deep_at(reinterpret_cast<const char*>(hdr.data()), hdr.size());
    GAN_CHECK(deep == std::string::npos, path, ": header is not valid JSON: arrays and objects nested more than ",
              kJsonMaxDepth, " deep at offset ", 8 + deep);
    json header;
    try {
        header = json::parse(hdr.begin(), hdr.end(), cb);
    } catch (const json::exception& e) {
        throw Error(str(path, ": header is not valid JSON: ", json_error_text(e)));
    }
    GAN_CHECK(!duplicate, path, ": header has the key ", quoted(duplicate.value_or("")), " twice");
    GAN_CHECK(header.is_object(), path, ": header is ", json_type(header), ", expected a JSON object");
    return header;
}

void read_metadata(const json& m, const std::string& path, std::map<std::string, std::string>& out) {
    GAN_CHECK(m.is_object(), path, ": __metadata__ is ", json_type(m), ", expected an object of strings");
    for (auto mi = m.begin(); mi != m.end(); ++mi) {
        GAN_CHECK(mi.value().is_string(), path, ": __metadata__ value for key ", quoted(mi.key()), " is ",
                  json_type(mi.value()), "; metadata values must be strings");
        out[mi.key()] = mi.value().get<std::string>();
    }
}

// Sorts the entries by offset and checks that no two share a byte (empty tensors occupy none).
void sort_and_check_overlap(std::vector<Entry>& entries, const std::string& path) {
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        if (a.begin != b.begin) return a.begin < b.begin;
        if (a.end != b.end) return a.end < b.end;
        return a.name < b.name;
    });
    const Entry* prev = nullptr;
    for (const Entry& e : entries) {
        if (e.begin == e.end) continue;
        GAN_CHECK(prev == nullptr || e.begin >= prev->end, path, ": tensors ", quoted(prev->name),
                  " [", prev->begin, ", ", prev->end, "] and ", quoted(e.name), " [", e.begin, ", ",
                  e.end, "] overlap");
        prev = &e;
    }
}

// PyTorch's torch.save writes a zip archive (a .pth or .pt file; before PyTorch 1.6 a pickle), which a
// PyTorch user may well give where safetensors is asked for: named as such, with the conversion, rather
// than refused for a header length that its first bytes would make. A safetensors file's header starts
// with '{' at byte 8, so none is taken for one.
void check_not_pytorch(const uint8_t* head, uint64_t n, const ReadAt& read, const std::string& path) {
    const bool zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    const bool pickle = head[0] == 0x80 && head[1] >= 2 && head[1] <= 5;
    if (!zip && !pickle) return;
    uint8_t brace = 0;
    if (n > 8) read(8, &brace, 1);
    if (brace == '{') return;
    const size_t dot = path.find_last_of('.'), slash = path.find_last_of('/');
    const std::string stem = dot != std::string::npos && (slash == std::string::npos || dot > slash)
                                 ? path.substr(0, dot) : path;
    throw Error(str(path, ": a ", zip ? "zip archive" : "Python pickle", ", as PyTorch's torch.save writes (.pth, "
                    ".pt), not a safetensors file; convert its state dict: python3 -c 'import torch; from "
                    "safetensors.torch import save_file; save_file(torch.load(\"", path, "\", map_location=\"cpu\"), "
                    "\"", stem, ".safetensors\")' (docs/parity.md, \"PyTorch names and the netG file\")"));
}

// The parser behind safetensors_parse and safetensors_read. It reads what the format allows and
// no more: the 8-byte length, then the header once its length is checked against the file size
// (in pieces, stopping at the first NUL byte), then each tensor's bytes once every entry's shape
// and offsets are checked. Gaps between tensors are never read.
SafetensorsFile parse(uint64_t n, const ReadAt& read, const std::string& path) {
    GAN_CHECK(n >= 8, path, ": file is ", n, " bytes; a safetensors file starts with an 8-byte header length");
    uint8_t len_bytes[8];
    read(0, len_bytes, 8);
    check_not_pytorch(len_bytes, n, read, path);
    const uint64_t header_len = get_le(len_bytes, 8);
    GAN_CHECK(header_len <= n - 8, path, ": header length says ", header_len,
              " bytes but the file holds only ", n - 8, " bytes after it");
    GAN_CHECK(header_len <= kSafetensorsMaxHeaderBytes, path, ": header length ", header_len,
              " is more than the limit of ", kSafetensorsMaxHeaderBytes, " bytes");
    const uint64_t data_start = 8 + header_len;
    const uint64_t data_size = n - data_start;
    const json header = parse_header_json(read_header_bytes(header_len, read, path), path);

    SafetensorsFile out;
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__")
            read_metadata(it.value(), path, out.metadata);
        else
            entries.push_back(parse_entry(path, it.key(), it.value(), data_size));
    }
    sort_and_check_overlap(entries, path);
    for (const Entry& e : entries) {
        StoredTensor t;
        t.shape = e.shape;
        t.data.resize(e.count);
        if (e.i64) {
            t.dtype = "I64";
            std::vector<int64_t> v(e.count);
            if (e.count) read(data_start + e.begin, v.data(), e.count * 8);
            std::copy(v.begin(), v.end(), t.data.begin());
        } else if (e.count) {
            read(data_start + e.begin, t.data.data(), e.count * 4);
        }
        out.order.push_back(e.name);
        out.tensors.emplace(e.name, std::move(t));
    }
    return out;
}

}  // namespace

SafetensorsFile safetensors_parse(const uint8_t* bytes, size_t n, const std::string& path) {
    GAN_CHECK(bytes != nullptr || n == 0, path, ": no data");
    return parse(n, [bytes](uint64_t offset, void* dst, size_t len) { std::memcpy(dst, bytes + offset, len); },
                 path);
}

SafetensorsFile safetensors_read(const std::string& path) {
    FileReader f(path);
    f.require_at_most(kMaxFileBytes);
    return parse(f.size(), [&f](uint64_t offset, void* dst, size_t len) { f.read_at(offset, dst, len); }, path);
}

void safetensors_write(const std::string& path, const std::vector<TensorView>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : metadata) m[k] = v;
        header["__metadata__"] = std::move(m);
    }
    std::set<std::string> seen;
    std::vector<uint64_t> sizes;
    uint64_t offset = 0;
    for (const TensorView& t : tensors) {
        const std::string what = str(path, ": cannot write tensor ", quoted(t.name));
        GAN_CHECK(t.name != "__metadata__", what, ": the name is reserved");
        GAN_CHECK(seen.insert(t.name).second, what, ": the name is used twice");
        uint64_t count = 1;
        bool overflow = false;
        for (int64_t d : t.shape) {
            GAN_CHECK(d >= 0, what, ": shape ", shape_text(t.shape), " has a negative dimension");
            if (__builtin_mul_overflow(count, uint64_t(d), &count)) overflow = true;
        }
        if (std::find(t.shape.begin(), t.shape.end(), 0) != t.shape.end()) count = 0, overflow = false;
        GAN_CHECK(!overflow && count <= (uint64_t(1) << 60), what, ": shape ", shape_text(t.shape),
                  " is too large");
        GAN_CHECK(count == 0 || t.data != nullptr, what, ": no data");
        header[t.name] = {{"dtype", "F32"},
                          {"shape", t.shape},
                          {"data_offsets", {offset, offset + count * 4}}};
        sizes.push_back(count * 4);
        offset += count * 4;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::ordered_json::exception&) {
        throw Error(str(path, ": cannot write: a tensor name or metadata string is not valid UTF-8"));
    }
    text.append((8 - text.size() % 8) % 8, ' ');

    std::vector<uint8_t> buf;
    buf.reserve(8 + text.size() + offset);
    put_le(buf, text.size(), 8);
    buf.insert(buf.end(), text.begin(), text.end());
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto* p = reinterpret_cast<const uint8_t*>(tensors[i].data);
        if (sizes[i]) buf.insert(buf.end(), p, p + sizes[i]);
    }
    file_write_atomic(path, buf.data(), buf.size());
}

}  // namespace gan
