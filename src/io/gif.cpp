#include "io/gif.h"

#include <cstring>

#include "core/check.h"
#include "io/bytes.h"
#include "io/file.h"

namespace gan {

namespace {

constexpr int kMinCodeSize = 8;  // 256 palette entries: literals 0..255
constexpr uint32_t kClear = 1u << kMinCodeSize, kEnd = kClear + 1;
constexpr uint32_t kMaxCodes = 4096;  // codes are at most 12 bits wide
constexpr size_t kMaxFileBytes = size_t(1) << 30;
constexpr uint64_t kMaxCanvasPixels = uint64_t(1) << 28;

// LZW as GIF uses it (spec appendix F): codes are packed least significant bit first; the code
// width starts at min code size + 1 and grows by one when the next code to be assigned reaches
// 1 << width (up to 12 bits). The decoder assigns each code one step after the encoder does, so
// the encoder grows the width at the moment the decoder will; the table is reset with a clear
// code before it holds 4096 entries. Returns the packed code stream (not yet in sub-blocks).
std::vector<uint8_t> lzw_encode(const uint8_t* px, size_t n) {
    std::vector<uint8_t> packed;
    packed.reserve(n / 2 + 16);
    // child[code * 256 + byte]: the code of string(code) followed by byte; 0 = none yet (0 is a
    // literal, never an assigned code). set lists the entries to clear on reset.
    std::vector<uint16_t> child(size_t(kMaxCodes) * 256, 0);
    std::vector<uint32_t> set;
    set.reserve(kMaxCodes);
    uint64_t acc = 0;
    int acc_bits = 0;
    auto put = [&](uint32_t code, int width) {
        acc |= uint64_t(code) << acc_bits;
        acc_bits += width;
        while (acc_bits >= 8) {
            packed.push_back(uint8_t(acc & 0xff));
            acc >>= 8;
            acc_bits -= 8;
        }
    };
    int width = kMinCodeSize + 1;
    uint32_t next = kEnd + 1;
    put(kClear, width);
    uint32_t cur = px[0];
    for (size_t i = 1; i < n; ++i) {
        const uint32_t b = px[i];
        const size_t at = size_t(cur) * 256 + b;
        if (child[at] != 0) {
            cur = child[at];
            continue;
        }
        put(cur, width);
        child[at] = uint16_t(next);
        set.push_back(uint32_t(at));
        if (next == (1u << width) && width < 12) ++width;
        if (++next == kMaxCodes) {
            put(kClear, width);
            for (uint32_t s : set) child[s] = 0;
            set.clear();
            width = kMinCodeSize + 1;
            next = kEnd + 1;
        }
        cur = b;
    }
    put(cur, width);
    // The decoder counts an entry for this last code too, so its width may grow before the end code.
    if (next == (1u << width) && width < 12) ++width;
    put(kEnd, width);
    if (acc_bits > 0) packed.push_back(uint8_t(acc & 0xff));
    return packed;
}

// Data sub-blocks: a length byte (1..255) and that many bytes, ended by a zero-length block.
void put_sub_blocks(std::vector<uint8_t>& out, const std::vector<uint8_t>& data) {
    for (size_t at = 0; at < data.size(); at += 255) {
        const size_t len = std::min<size_t>(255, data.size() - at);
        out.push_back(uint8_t(len));
        out.insert(out.end(), data.begin() + long(at), data.begin() + long(at + len));
    }
    out.push_back(0);
}

}  // namespace

std::vector<uint8_t> gif_encode_indexed(const std::vector<GifFrame>& frames, const std::vector<uint8_t>& palette,
                                        int loop_count, const std::string& what) {
    GAN_CHECK(palette.size() == 768, what, ": the palette holds ", palette.size(), " bytes, expected 768");
    GAN_CHECK(!frames.empty(), what, ": no frames");
    GAN_CHECK(loop_count >= -1 && loop_count <= 65535, what, ": loop count ", loop_count,
              " is not in -1..65535");
    const int w = frames[0].image.width, h = frames[0].image.height;
    GAN_CHECK(w >= 1 && h >= 1 && w <= kGifMaxSide && h <= kGifMaxSide, what, ": frames are ", w, "x",
              h, "; width and height must be 1..", kGifMaxSide);
    for (size_t i = 0; i < frames.size(); ++i) {
        const GifFrame& f = frames[i];
        GAN_CHECK(f.image.width == w && f.image.height == h, what, ": frame ", i, " is ", f.image.width,
                  "x", f.image.height, " but frame 0 is ", w, "x", h, " (all frames must match)");
        GAN_CHECK(f.image.pixels.size() == size_t(w) * size_t(h), what, ": frame ", i, " holds ",
                  f.image.pixels.size(), " pixels, expected ", size_t(w) * size_t(h));
        GAN_CHECK(f.delay_cs >= 0 && f.delay_cs <= 65535, what, ": frame ", i, " delay ", f.delay_cs,
                  " is not in 0..65535 (1/100 s)");
    }

    std::vector<uint8_t> out = {'G', 'I', 'F', '8', '9', 'a'};
    // Logical screen descriptor: global colour table of 2^(7+1) entries, 8 bits per primary.
    put_le(out, uint64_t(w), 2);
    put_le(out, uint64_t(h), 2);
    out.push_back(0x80 | (7 << 4) | 7);
    out.push_back(0);  // background colour index
    out.push_back(0);  // pixel aspect ratio: not given
    out.insert(out.end(), palette.begin(), palette.end());
    if (loop_count >= 0) {
        const uint8_t app[] = {0x21, 0xff, 11, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0', 3, 1};
        out.insert(out.end(), app, app + sizeof app);
        put_le(out, uint64_t(loop_count), 2);
        out.push_back(0);
    }
    for (const GifFrame& f : frames) {
        // Graphic control extension: disposal 1 (leave in place), no transparency.
        out.insert(out.end(), {0x21, 0xf9, 4, 1 << 2});
        put_le(out, uint64_t(f.delay_cs), 2);
        out.insert(out.end(), {0, 0});
        // Image descriptor: the whole canvas, no local colour table, not interlaced.
        out.push_back(0x2c);
        put_le(out, uint64_t(0), 2);
        put_le(out, uint64_t(0), 2);
        put_le(out, uint64_t(w), 2);
        put_le(out, uint64_t(h), 2);
        out.push_back(0);
        out.push_back(kMinCodeSize);
        put_sub_blocks(out, lzw_encode(f.image.pixels.data(), f.image.pixels.size()));
    }
    out.push_back(0x3b);  // trailer
    return out;
}

namespace {

std::vector<uint8_t> encode(const std::vector<GifFrame>& frames, int loop_count, const std::string& what) {
    return gif_encode_indexed(frames, gif_gray_palette(), loop_count, what);
}

// Reads a GIF file front to back; every read is bounds-checked and names the offset.
struct Reader {
    const std::vector<uint8_t>& b;
    const std::string& path;
    size_t pos = 0;

    void need(size_t n, const char* what) const {
        GAN_CHECK(b.size() - pos >= n, path, ": truncated: ", what, " at offset ", pos, " needs ", n,
                  " bytes, the file has ", b.size() - pos, " left");
    }
    uint8_t u8(const char* what) {
        need(1, what);
        return b[pos++];
    }
    int u16(const char* what) {
        need(2, what);
        const int v = int(get_le(&b[pos], 2));
        pos += 2;
        return v;
    }
    // Concatenated data sub-blocks up to the zero-length terminator.
    std::vector<uint8_t> sub_blocks(const char* what) {
        std::vector<uint8_t> data;
        for (;;) {
            const size_t len = u8(what);
            if (len == 0) return data;
            need(len, what);
            data.insert(data.end(), b.begin() + long(pos), b.begin() + long(pos + len));
            pos += len;
        }
    }
};

// The LZW string table: code c stands for string(prefix[c]) + suffix[c]; the literals 0..clear-1
// for themselves.
struct LzwTable {
    std::vector<uint16_t> prefix = std::vector<uint16_t>(kMaxCodes);
    std::vector<uint8_t> suffix = std::vector<uint8_t>(kMaxCodes), first = std::vector<uint8_t>(kMaxCodes);
    std::vector<uint32_t> length = std::vector<uint32_t>(kMaxCodes);
    explicit LzwTable(uint32_t clear) {
        for (uint32_t c = 0; c < clear; ++c) suffix[c] = first[c] = uint8_t(c), length[c] = 1;
    }
    // Entry `next` = string(prev) + the first byte of string(code); code == next is the KwKwK case,
    // whose first byte is prev's.
    void add(uint32_t next, uint32_t prev, uint32_t code) {
        const uint8_t f = code < next ? first[code] : first[prev];
        prefix[next] = uint16_t(prev);
        suffix[next] = f;
        first[next] = first[prev];
        length[next] = length[prev] + 1;
    }
    // Writes string(code) to dst (length[code] bytes).
    void write(uint32_t code, uint8_t* dst) const {
        uint32_t c = code;
        for (size_t k = length[code]; k-- > 0;) {
            dst[k] = suffix[c];
            c = prefix[c];
        }
    }
};

// Decodes one image's LZW stream into exactly n palette indices.
std::vector<uint8_t> lzw_decode(const std::vector<uint8_t>& data, int min_code_size, size_t n,
                                const std::string& path, int frame) {
    GAN_CHECK(min_code_size >= 2 && min_code_size <= 11, path, ": frame ", frame,
              ": invalid LZW minimum code size ", min_code_size);
    const uint32_t clear = 1u << min_code_size, end = clear + 1;
    LzwTable table(clear);
    std::vector<uint8_t> out(n);
    size_t pos = 0, bit = 0;
    const size_t total_bits = data.size() * 8;
    int width = min_code_size + 1;
    uint32_t next = end + 1;
    int64_t prev = -1;
    auto emit = [&](uint32_t code) {
        GAN_CHECK(table.length[code] <= n - pos, path, ": frame ", frame, ": LZW data holds more than the ", n,
                  " pixels of the image");
        table.write(code, &out[pos]);
        pos += table.length[code];
    };
    for (;;) {
        GAN_CHECK(bit + size_t(width) <= total_bits, path, ": frame ", frame,
                  ": LZW data ends without an end code");
        uint32_t code = 0;
        for (int k = 0; k < width; ++k, ++bit) code |= uint32_t((data[bit >> 3] >> (bit & 7)) & 1) << k;
        if (code == clear) {
            width = min_code_size + 1;
            next = end + 1;
            prev = -1;
            continue;
        }
        if (code == end) break;
        if (prev < 0) {
            GAN_CHECK(code < clear, path, ": frame ", frame, ": LZW code ", code,
                      " after a clear code is not a literal");
            emit(code);
            prev = code;
            continue;
        }
        GAN_CHECK(code <= next && code < kMaxCodes, path, ": frame ", frame, ": invalid LZW code ", code,
                  " (next free code is ", next, ")");
        if (next < kMaxCodes) {
            table.add(next, uint32_t(prev), code);
            ++next;
            if (next == (1u << width) && width < 12) ++width;
        }
        GAN_CHECK(code < next, path, ": frame ", frame, ": invalid LZW code ", code);
        emit(code);
        prev = code;
    }
    GAN_CHECK(pos == n, path, ": frame ", frame, ": LZW data holds ", pos, " pixels, the image has ", n);
    return out;
}

// A colour table of 2^(size + 1) entries: R, G, B of each.
std::vector<uint8_t> read_palette(Reader& r, int packed, const char* what) {
    const size_t entries = size_t(1) << ((packed & 7) + 1);
    r.need(entries * 3, what);
    std::vector<uint8_t> rgb(r.b.begin() + long(r.pos), r.b.begin() + long(r.pos + entries * 3));
    r.pos += entries * 3;
    return rgb;
}

}  // namespace

const std::vector<uint8_t>& gif_gray_palette() {
    static const std::vector<uint8_t> palette = [] {
        std::vector<uint8_t> p(768);
        for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i / 3);
        return p;
    }();
    return palette;
}

std::vector<uint8_t> gif_encode_gray(const std::vector<GifFrame>& frames, int loop_count) {
    return encode(frames, loop_count, "cannot encode GIF");
}

void gif_write_gray(const std::string& path, const std::vector<GifFrame>& frames, int loop_count) {
    const std::vector<uint8_t> out = encode(frames, loop_count, path + ": cannot write GIF");
    file_write_atomic(path, out.data(), out.size());
}

GifAnimation gif_read_gray(const std::string& path) {
    return gif_decode_gray(file_read_all(path, kMaxFileBytes), path);
}

GifImageAnimation gif_read_image(const std::string& path) {
    return gif_decode_image(file_read_all(path, kMaxFileBytes), path);
}

namespace {

// An extension block after its 0x21: the graphic control extension gives the next frame's delay
// (*delay), the NETSCAPE2.0 application extension the loop count; others are skipped.
void read_extension(Reader& r, GifImageAnimation& a, int* delay) {
    const uint8_t label = r.u8("an extension label");
    std::vector<uint8_t> body = r.sub_blocks("an extension");
    if (label == 0xf9) {
        GAN_CHECK(body.size() >= 4, r.path, ": graphic control extension is ", body.size(), " bytes, expected 4");
        *delay = int(get_le(&body[1], 2));
    } else if (label == 0xff && body.size() >= 14 && std::memcmp(body.data(), "NETSCAPE2.0", 11) == 0 &&
               body[11] == 1) {
        a.loop_count = int(get_le(&body[12], 2));
    }
}

// An image block after its 0x2c, appended to a.frames as RGB through its (or the global) palette.
void read_frame(Reader& r, GifImageAnimation& a, const std::vector<uint8_t>& global, int delay) {
    const std::string& path = r.path;
    const int frame = int(a.frames.size());
    const int left = r.u16("an image descriptor"), top = r.u16("an image descriptor");
    const int w = r.u16("an image descriptor"), h = r.u16("an image descriptor");
    const int ipacked = r.u8("an image descriptor");
    GAN_CHECK(left == 0 && top == 0 && w == a.width && h == a.height, path, ": frame ", frame, " is ", w,
              "x", h, " at (", left, ", ", top, "); only frames covering the whole ", a.width, "x",
              a.height, " canvas are supported");
    GAN_CHECK((ipacked & 0x40) == 0, path, ": frame ", frame, " is interlaced (not supported)");
    std::vector<uint8_t> local;
    if (ipacked & 0x80) local = read_palette(r, ipacked, "a local colour table");
    const std::vector<uint8_t>& palette = (ipacked & 0x80) ? local : global;
    GAN_CHECK(!palette.empty(), path, ": frame ", frame, " has no colour table");
    const int min_code_size = r.u8("the LZW minimum code size");
    const std::vector<uint8_t> data = r.sub_blocks("image data");
    std::vector<uint8_t> idx = lzw_decode(data, min_code_size, size_t(w) * size_t(h), path, frame);
    GifImageFrame f{PngImage{w, h, 3, std::vector<uint8_t>(idx.size() * 3)}, delay};
    for (size_t i = 0; i < idx.size(); ++i) {
        GAN_CHECK(size_t(idx[i]) * 3 < palette.size(), path, ": frame ", frame, " uses colour ", int(idx[i]),
                  " of a ", palette.size() / 3, "-entry colour table");
        std::memcpy(&f.image.pixels[i * 3], &palette[size_t(idx[i]) * 3], 3);
    }
    a.frames.push_back(std::move(f));
}

}  // namespace

GifImageAnimation gif_decode_image(const std::vector<uint8_t>& bytes, const std::string& path) {
    GAN_CHECK(bytes.size() >= 6 && (std::memcmp(bytes.data(), "GIF89a", 6) == 0 ||
                                    std::memcmp(bytes.data(), "GIF87a", 6) == 0),
              path, ": not a GIF file (no GIF87a/GIF89a signature)");
    Reader r{bytes, path, 6};
    GifImageAnimation a;
    a.width = r.u16("the screen descriptor");
    a.height = r.u16("the screen descriptor");
    const int packed = r.u8("the screen descriptor");
    r.u8("the screen descriptor");  // background colour
    r.u8("the screen descriptor");  // aspect ratio
    GAN_CHECK(a.width >= 1 && a.height >= 1 && uint64_t(a.width) * uint64_t(a.height) <= kMaxCanvasPixels,
              path, ": canvas is ", a.width, "x", a.height, " (empty or too large)");
    std::vector<uint8_t> global;
    if (packed & 0x80) global = read_palette(r, packed, "the global colour table");
    int delay = 0;
    for (;;) {
        const uint8_t kind = r.u8("a block");
        if (kind == 0x3b) break;  // trailer
        if (kind == 0x21) {
            read_extension(r, a, &delay);
            continue;
        }
        GAN_CHECK(kind == 0x2c, path, ": unknown block type 0x", std::hex, int(kind), std::dec,
                  " at offset ", r.pos - 1);
        read_frame(r, a, global, delay);
        delay = 0;
    }
    GAN_CHECK(!a.frames.empty(), path, ": GIF holds no images");
    return a;
}

GifAnimation gif_decode_gray(const std::vector<uint8_t>& bytes, const std::string& path) {
    const GifImageAnimation c = gif_decode_image(bytes, path);
    GifAnimation a{c.width, c.height, c.loop_count, {}};
    for (const GifImageFrame& f : c.frames) {
        GifFrame g{GrayImage{f.image.width, f.image.height, std::vector<uint8_t>(f.image.pixels.size() / 3)}, f.delay_cs};
        for (size_t i = 0; i < g.image.pixels.size(); ++i) {
            const uint8_t* p = &f.image.pixels[i * 3];
            g.image.pixels[i] = uint8_t((int(p[0]) + p[1] + p[2] + 1) / 3);
        }
        a.frames.push_back(std::move(g));
    }
    return a;
}

}  // namespace gan
