#include "io/png.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/check.h"
#include "io/bytes.h"
#include "io/file.h"

namespace gan {

namespace {

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr size_t kMaxFileBytes = size_t(1) << 30;
constexpr size_t kIdatPiece = size_t(1) << 20;
// Deflate expands at most about 1032:1, so image data larger than this is implausible.
constexpr uint64_t kMaxInflateRatio = 1040;

void put_chunk(std::vector<uint8_t>& out, const char* type, const uint8_t* data, size_t n) {
    put_be32(out, uint32_t(n));
    size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    if (n) out.insert(out.end(), data, data + n);
    uLong crc = crc32(0L, out.data() + type_at, uInt(4 + n));
    put_be32(out, uint32_t(crc));
}

// Chunk type for messages: printable letters as they are, anything else as '?'.
std::string chunk_name(const uint8_t* p) {
    std::string s;
    for (int i = 0; i < 4; ++i) {
        char c = char(p[i]);
        s += ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) ? c : '?';
    }
    return s;
}

uint8_t paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
    if (pa <= pb && pa <= pc) return uint8_t(a);
    if (pb <= pc) return uint8_t(b);
    return uint8_t(c);
}

// channels 1 (gray) or 3 (RGB); what: how messages start ("<path>: cannot write PNG" or "cannot
// encode PNG").
std::vector<uint8_t> png_encode(const uint8_t* pixels, int width, int height, int channels, const std::string& what) {
    GAN_CHECK(width >= 1 && height >= 1 && width <= kPngMaxSide && height <= kPngMaxSide, what,
              ": image is ", width, "x", height, "; width and height must be 1..", kPngMaxSide);
    GAN_CHECK(pixels != nullptr, what, ": no pixels");
    GAN_CHECK(channels == 1 || channels == 3, what, ": channels must be 1 or 3, not ", channels);
    const size_t w = size_t(width) * size_t(channels), h = size_t(height);
    std::vector<uint8_t> raw(h * (w + 1));
    for (size_t y = 0; y < h; ++y) {
        raw[y * (w + 1)] = 0;  // filter type None
        std::memcpy(&raw[y * (w + 1) + 1], pixels + y * w, w);
    }
    uLongf zlen = compressBound(uLong(raw.size()));
    std::vector<uint8_t> z(zlen);
    int rc = compress2(z.data(), &zlen, raw.data(), uLong(raw.size()), Z_DEFAULT_COMPRESSION);
    GAN_CHECK(rc == Z_OK, what, ": zlib compress failed (error ", rc, ")");
    z.resize(zlen);

    std::vector<uint8_t> out(kSignature, kSignature + 8);
    std::vector<uint8_t> ihdr;
    put_be32(ihdr, uint32_t(width));
    put_be32(ihdr, uint32_t(h));
    ihdr.push_back(8);                      // bit depth
    ihdr.push_back(channels == 1 ? 0 : 2);  // colour type: gray or RGB
    ihdr.push_back(0);  // compression: deflate
    ihdr.push_back(0);  // filter method 0
    ihdr.push_back(0);  // not interlaced
    put_chunk(out, "IHDR", ihdr.data(), ihdr.size());
    for (size_t at = 0; at < z.size(); at += kIdatPiece)
        put_chunk(out, "IDAT", z.data() + at, std::min(kIdatPiece, z.size() - at));
    put_chunk(out, "IEND", nullptr, 0);
    return out;
}

}  // namespace

std::vector<uint8_t> png_encode_gray(const uint8_t* pixels, int width, int height) {
    return png_encode(pixels, width, height, 1, "cannot encode PNG");
}

void png_write_gray(const std::string& path, const uint8_t* pixels, int width, int height) {
    const std::vector<uint8_t> out = png_encode(pixels, width, height, 1, path + ": cannot write PNG");
    file_write_atomic(path, out.data(), out.size());
}

std::vector<uint8_t> png_encode_image(const PngImage& image) {
    return png_encode(image.pixels.data(), image.width, image.height, image.channels, "cannot encode PNG");
}

void png_write_image(const std::string& path, const PngImage& image) {
    const std::vector<uint8_t> out =
        png_encode(image.pixels.data(), image.width, image.height, image.channels, path + ": cannot write PNG");
    file_write_atomic(path, out.data(), out.size());
}

PngImage image_grid_planar(const uint8_t* images, int n, int channels, int rows, int cols, int grid_cols, int pad,
                           int scale) {
    GAN_CHECK(channels == 1 || channels == 3, "image grid: channels must be 1 or 3, not ", channels);
    GAN_CHECK(n >= 1 && rows >= 1 && cols >= 1, "image grid: bad image shape");
    const size_t plane = size_t(rows) * size_t(cols), C = size_t(channels);
    std::vector<uint8_t> one(size_t(n) * plane);  // plane c of every image, one after another
    PngImage out;
    out.channels = channels;
    for (size_t c = 0; c < C; ++c) {
        for (size_t i = 0; i < size_t(n); ++i) std::memcpy(one.data() + i * plane, images + (i * C + c) * plane, plane);
        const GrayImage g = image_grid(one.data(), n, rows, cols, grid_cols, pad, scale);
        out.width = g.width;
        out.height = g.height;
        out.pixels.resize(g.pixels.size() * C);
        for (size_t p = 0; p < g.pixels.size(); ++p) out.pixels[p * C + c] = g.pixels[p];
    }
    return out;
}

std::vector<uint8_t> planar_to_interleaved(const uint8_t* images, size_t n, int channels, int rows, int cols) {
    const size_t plane = size_t(rows) * size_t(cols), C = size_t(channels);
    std::vector<uint8_t> out(n * C * plane);
    for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < C; ++c)
            for (size_t p = 0; p < plane; ++p) out[(i * plane + p) * C + c] = images[(i * C + c) * plane + p];
    return out;
}

namespace {

// What the chunks of a PNG file say: the IHDR fields this decoder needs and the IDAT data joined.
struct PngChunks {
    uint32_t width = 0, height = 0;
    int channels = 0;
    std::vector<uint8_t> idat;
};

// Checks an IHDR chunk's 13 bytes and keeps the size and channel count.
void read_ihdr(const uint8_t* data, uint32_t len, const std::string& path, PngChunks& c) {
    GAN_CHECK(len == 13, path, ": IHDR chunk is ", len, " bytes, expected 13");
    c.width = read_be32(data);
    c.height = read_be32(data + 4);
    const int depth = data[8], ctype = data[9];
    GAN_CHECK(c.width >= 1 && c.height >= 1 && c.width <= uint32_t(kPngMaxSide) && c.height <= uint32_t(kPngMaxSide),
              path, ": image is ", c.width, "x", c.height, "; width and height must be 1..", kPngMaxSide);
    GAN_CHECK(ctype != 3, path, ": palette PNGs (colour type 3) are not supported");
    GAN_CHECK(ctype == 0 || ctype == 2 || ctype == 4 || ctype == 6, path, ": invalid PNG colour type ", ctype);
    GAN_CHECK(depth == 8, path, ": bit depth ", depth, " is not supported (only 8-bit)");
    GAN_CHECK(data[10] == 0, path, ": unknown compression method ", int(data[10]));
    GAN_CHECK(data[11] == 0, path, ": unknown filter method ", int(data[11]));
    GAN_CHECK(data[12] == 0, path, ": interlaced PNGs are not supported");
    c.channels = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 4 ? 2 : 4;
}

// Walks the chunks after the signature, checking lengths, CRCs and order, up to IEND.
PngChunks read_chunks(const std::vector<uint8_t>& f, const std::string& path) {
    PngChunks c;
    bool seen_ihdr = false, seen_iend = false;
    size_t pos = 8;
    while (pos < f.size()) {
        GAN_CHECK(f.size() - pos >= 12, path, ": truncated: a chunk at offset ", pos,
                  " needs at least 12 bytes but the file has ", f.size() - pos, " left");
        const uint32_t len = read_be32(&f[pos]);
        const uint8_t* type = &f[pos + 4];
        const std::string name = chunk_name(type);
        GAN_CHECK(len <= 0x7fffffffu && len <= f.size() - pos - 12, path, ": truncated: chunk '",
                  name, "' at offset ", pos, " says it holds ", len, " bytes but the file has ",
                  f.size() - pos - 12, " left");
        const uint8_t* data = type + 4;
        const uint32_t stored_crc = read_be32(data + len);
        const uint32_t crc = uint32_t(crc32(0L, type, uInt(len + 4)));
        GAN_CHECK(crc == stored_crc, path, ": chunk '", name, "' at offset ", pos,
                  " has a bad CRC (file corrupt)");
        GAN_CHECK(seen_ihdr || name == "IHDR", path, ": the first chunk is '", name,
                  "', expected 'IHDR'");
        pos += 12 + size_t(len);

        if (name == "IHDR") {
            GAN_CHECK(!seen_ihdr, path, ": more than one IHDR chunk");
            seen_ihdr = true;
            read_ihdr(data, len, path, c);
        } else if (name == "IDAT") {
            c.idat.insert(c.idat.end(), data, data + len);
        } else if (name == "IEND") {
            seen_iend = true;
            break;  // anything after IEND is ignored, as other decoders do
        } else if (name != "PLTE") {  // PLTE: a suggested palette for RGB images, not needed
            GAN_CHECK((type[0] & 0x20) != 0, path, ": unknown critical chunk '", name, "'");
        }
    }
    GAN_CHECK(seen_ihdr, path, ": no IHDR chunk");
    GAN_CHECK(seen_iend, path, ": truncated: no IEND chunk");
    GAN_CHECK(!c.idat.empty(), path, ": no image data (IDAT chunk)");
    return c;
}

// Undoes the per-row filters of h rows of `stride` bytes (each after its filter byte) in place;
// bpp = bytes per pixel (8-bit samples).
void unfilter_rows(std::vector<uint8_t>& raw, size_t h, size_t stride, size_t bpp, const std::string& path) {
    for (size_t y = 0; y < h; ++y) {
        uint8_t* row = &raw[y * (stride + 1)];
        const uint8_t ft = row[0];
        uint8_t* cur = row + 1;
        const uint8_t* prev = y ? &raw[(y - 1) * (stride + 1) + 1] : nullptr;
        GAN_CHECK(ft <= 4, path, ": row ", y, " has invalid filter type ", int(ft));
        for (size_t i = 0; i < stride; ++i) {
            const int a = i >= bpp ? cur[i - bpp] : 0;
            const int b = prev ? prev[i] : 0;
            const int c = (prev && i >= bpp) ? prev[i - bpp] : 0;
            switch (ft) {
                case 0: break;
                case 1: cur[i] = uint8_t(cur[i] + a); break;
                case 2: cur[i] = uint8_t(cur[i] + b); break;
                case 3: cur[i] = uint8_t(cur[i] + ((a + b) >> 1)); break;
                case 4: cur[i] = uint8_t(cur[i] + paeth(a, b, c)); break;
            }
        }
    }
}

// Unfiltered rows to gray: gray (+alpha) keeps the gray sample, RGB(A) averages the three colours.
GrayImage rows_to_gray(const std::vector<uint8_t>& raw, size_t w, size_t h, int channels) {
    const size_t bpp = size_t(channels), stride = w * bpp;
    GrayImage img;
    img.width = int(w);
    img.height = int(h);
    img.pixels.resize(w * h);
    for (size_t y = 0; y < h; ++y) {
        const uint8_t* src = &raw[y * (stride + 1) + 1];
        uint8_t* dst = &img.pixels[y * w];
        for (size_t x = 0; x < w; ++x) {
            const uint8_t* px = src + x * bpp;
            dst[x] = channels <= 2 ? px[0] : uint8_t((int(px[0]) + px[1] + px[2] + 1) / 3);
        }
    }
    return img;
}

}  // namespace

GrayImage png_read_gray(const std::string& path) {
    const std::vector<uint8_t> f = file_read_all(path, kMaxFileBytes);
    GAN_CHECK(f.size() >= 8 && std::memcmp(f.data(), kSignature, 8) == 0, path,
              ": not a PNG file (no PNG signature)");
    const PngChunks c = read_chunks(f, path);

    const size_t w = c.width, h = c.height, stride = w * size_t(c.channels);
    const size_t raw_size = h * (stride + 1);
    GAN_CHECK(raw_size <= uint64_t(c.idat.size()) * kMaxInflateRatio + 4096, path, ": ", c.idat.size(),
              " bytes of compressed image data cannot hold a ", w, "x", h, " image");
    bool more = false;
    std::vector<uint8_t> raw = gunzip_prefix(c.idat, raw_size, path, &more);
    // Extra data after the last row is ignored, as libpng does.
    GAN_CHECK(raw.size() == raw_size, path, ": truncated image data: a ", w, "x", h, " image needs ",
              raw_size, " bytes, the IDAT data inflates to ", raw.size());
    unfilter_rows(raw, h, stride, size_t(c.channels), path);
    return rows_to_gray(raw, w, h, c.channels);
}

GrayImage image_grid(const uint8_t* images, int n, int rows, int cols, int grid_cols, int pad,
                     int scale) {
    GAN_CHECK(n >= 1 && rows >= 1 && cols >= 1 && grid_cols >= 1 && scale >= 1 && pad >= 0,
              "image_grid: invalid arguments n=", n, " rows=", rows, " cols=", cols,
              " grid_cols=", grid_cols, " pad=", pad, " scale=", scale);
    GAN_CHECK(images != nullptr, "image_grid: no images");
    const int64_t grid_rows = (int64_t(n) + grid_cols - 1) / grid_cols;
    const int64_t tile_w = int64_t(cols) + 2 * int64_t(pad), tile_h = int64_t(rows) + 2 * int64_t(pad);
    const int64_t uw = int64_t(grid_cols) * tile_w, uh = grid_rows * tile_h;  // before scaling
    const int64_t W = uw * scale, H = uh * scale;
    GAN_CHECK(W <= kPngMaxSide && H <= kPngMaxSide, "image_grid: a grid of ", grid_rows, "x",
              grid_cols, " tiles of ", rows, "x", cols, " with pad ", pad, " and scale ", scale,
              " would be ", W, "x", H, ", larger than ", kPngMaxSide, " on a side");

    std::vector<uint8_t> small(size_t(uw * uh), 0);
    for (int i = 0; i < n; ++i) {
        const int64_t ty = i / grid_cols, tx = i % grid_cols;
        const uint8_t* img = images + size_t(i) * size_t(rows) * size_t(cols);
        for (int y = 0; y < rows; ++y) {
            uint8_t* dst = &small[size_t((ty * tile_h + pad + y) * uw + tx * tile_w + pad)];
            std::memcpy(dst, img + size_t(y) * size_t(cols), size_t(cols));
        }
    }
    GrayImage g;
    g.width = int(W);
    g.height = int(H);
    g.pixels.resize(size_t(W * H));
    for (int64_t y = 0; y < H; ++y)
        for (int64_t x = 0; x < W; ++x)
            g.pixels[size_t(y * W + x)] = small[size_t((y / scale) * uw + x / scale)];
    return g;
}

namespace {

// Whether grid looks like image_grid's output with this pad and scale: every scale x scale block
// uniform, every border pixel black.
bool grid_matches(const GrayImage& g, int rows, int cols, int pad, int scale) {
    const int tile_w = cols + 2 * pad, tile_h = rows + 2 * pad;
    for (int y = 0; y < g.height; ++y) {
        const int uy = y / scale, ry = uy % tile_h;
        const bool border_row = ry < pad || ry >= pad + rows;
        for (int x = 0; x < g.width; ++x) {
            const int ux = x / scale, rx = ux % tile_w;
            const uint8_t v = g.pixels[size_t(y) * size_t(g.width) + size_t(x)];
            if ((border_row || rx < pad || rx >= pad + cols) && v != 0) return false;
            if (v != g.pixels[size_t(uy * scale) * size_t(g.width) + size_t(ux * scale)]) return false;
        }
    }
    return true;
}

}  // namespace

std::vector<uint8_t> grid_split(const GrayImage& grid, int grid_rows, int grid_cols, int rows,
                                int cols) {
    GAN_CHECK(grid_rows >= 1 && grid_cols >= 1 && rows >= 1 && cols >= 1 && rows <= kPngMaxSide &&
                  cols <= kPngMaxSide && grid_rows <= kPngMaxSide && grid_cols <= kPngMaxSide,
              "grid_split: invalid arguments grid_rows=", grid_rows, " grid_cols=", grid_cols,
              " rows=", rows, " cols=", cols);
    GAN_CHECK(grid.width >= 1 && grid.height >= 1 &&
                  grid.pixels.size() == size_t(grid.width) * size_t(grid.height),
              "grid_split: the image is ", grid.width, "x", grid.height, " but holds ",
              grid.pixels.size(), " pixels");
    const std::string what = str("grid_split: a ", grid.width, "x", grid.height, " image");
    const std::string layout =
        str(grid_rows, "x", grid_cols, " tiles of ", rows, "x", cols, " images");
    bool any_fit = false;
    for (int pad : {1, 0, 2}) {
        const int64_t uw = int64_t(grid_cols) * (cols + 2 * pad);
        const int64_t uh = int64_t(grid_rows) * (rows + 2 * pad);
        if (grid.width % uw != 0) continue;
        const int64_t scale = grid.width / uw;
        if (scale < 1 || uh * scale != grid.height) continue;
        any_fit = true;
        if (!grid_matches(grid, rows, cols, pad, int(scale))) continue;

        std::vector<uint8_t> out(size_t(grid_rows) * size_t(grid_cols) * size_t(rows) * size_t(cols));
        size_t k = 0;
        for (int ty = 0; ty < grid_rows; ++ty)
            for (int tx = 0; tx < grid_cols; ++tx)
                for (int y = 0; y < rows; ++y)
                    for (int x = 0; x < cols; ++x) {
                        const int64_t sy = (int64_t(ty) * (rows + 2 * pad) + pad + y) * scale;
                        const int64_t sx = (int64_t(tx) * (cols + 2 * pad) + pad + x) * scale;
                        out[k++] = grid.pixels[size_t(sy * grid.width + sx)];
                    }
        return out;
    }
    GAN_CHECK(any_fit, what, " is not a grid of ", layout,
              " with pad 0, 1 or 2 and a whole-number scale");
    throw Error(str(what, " has the size of a grid of ", layout,
                    " but its pixels do not match one (borders not black or scaled pixels not "
                    "uniform)"));
}

}  // namespace gan
