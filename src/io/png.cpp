// PNG reading and writing through libpng. libpng reports errors by calling png_error_fn, which longjmps
// back to the setjmp in the stage that made the call. The stages (header, pixels, write) hold only
// plain C data, so the jump skips no C++ destructor; everything that owns memory lives in their
// callers, outside them.
#include "io/png.h"

#include <png.h>
#include <zlib.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "io/file.h"

namespace gan {

namespace {

constexpr size_t kMaxFileBytes = size_t(1) << 30;
// One IDAT chunk per MiB of compressed data (libpng's compression buffer is one chunk).
constexpr size_t kIdatPiece = size_t(1) << 20;
// Deflate packs at most 1032 bytes into one (its longest match is 258 bytes coded in 2 bits); the
// slack covers the zlib header and tiny images.
constexpr uint64_t kDeflateMaxRatio = 1032;
constexpr uint64_t kPngSlackBytes = 4096;
// The ancillary chunks libpng knows, skipped unread (as unknown chunks are): none changes the 8-bit
// pixels we keep (tRNS only adds the alpha we drop), and libpng allocates a known chunk's claimed length
// before reading it, so a text chunk claiming 2 GiB in a small file would take 2 GiB.
constexpr png_byte kSkippedChunks[] = "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0"
                                      "sRGB\0sTER\0tEXt\0tIME\0tRNS\0zTXt";

// What one libpng call needs on its C side: the structs, the memory it reads from or the vector it
// writes to, and the message of the error that stopped it.
struct PngState {
    png_structp png = nullptr;
    png_infop info = nullptr;
    const uint8_t* data = nullptr;
    size_t size = 0, pos = 0;
    std::vector<uint8_t>* out = nullptr;
    char message[200] = {};
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, file_channels = 0;
    size_t rowbytes = 0;
};

void png_error_fn(png_structp png, png_const_charp msg) {
    auto* st = static_cast<PngState*>(png_get_error_ptr(png));
    std::snprintf(st->message, sizeof st->message, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

void png_warning_fn(png_structp, png_const_charp) {}  // the library never prints

void png_read_fn(png_structp png, png_bytep out, png_size_t n) {
    auto* st = static_cast<PngState*>(png_get_io_ptr(png));
    if (n > st->size - st->pos) png_error(png, "file ends early");
    std::memcpy(out, st->data + st->pos, n);
    st->pos += n;
}

void png_write_fn(png_structp png, png_bytep data, png_size_t n) {
    auto* st = static_cast<PngState*>(png_get_io_ptr(png));
    bool ok = true;
    try {
        st->out->insert(st->out->end(), data, data + n);
    } catch (...) {  // no C++ exception may cross libpng's C frames
        ok = false;
    }
    if (!ok) png_error(png, "out of memory");
}

void png_flush_fn(png_structp) {}

// Reads the header and sets the transformations to 8-bit gray (gray files) or RGB (the others)
// without alpha.
bool png_stage_header(PngState* st) {
    if (setjmp(png_jmpbuf(st->png))) return false;
    png_set_read_fn(st->png, st, png_read_fn);
    png_set_user_limits(st->png, kPngMaxSide, kPngMaxSide);
    png_set_keep_unknown_chunks(st->png, PNG_HANDLE_CHUNK_NEVER, kSkippedChunks, int(sizeof kSkippedChunks / 5));
    png_read_info(st->png, st->info);
    png_get_IHDR(st->png, st->info, &st->width, &st->height, &st->bit_depth, &st->color_type, nullptr, nullptr,
                 nullptr);
    st->file_channels = png_get_channels(st->png, st->info);
    png_set_expand(st->png);  // palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha
    png_set_strip_16(st->png);
    png_set_strip_alpha(st->png);
    png_set_interlace_handling(st->png);
    png_read_update_info(st->png, st->info);
    st->rowbytes = png_get_rowbytes(st->png, st->info);
    return true;
}

bool png_stage_pixels(PngState* st, png_bytepp rows) {
    if (setjmp(png_jmpbuf(st->png))) return false;
    png_read_image(st->png, rows);
    return true;
}

// Writes a whole non-interlaced 8-bit image: rows unfiltered, deflate at zlib's default level.
bool png_stage_write(PngState* st, int channels, png_bytepp rows) {
    if (setjmp(png_jmpbuf(st->png))) return false;
    png_set_write_fn(st->png, st, png_write_fn, png_flush_fn);
    png_set_IHDR(st->png, st->info, st->width, st->height, 8, channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(st->png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(st->png, Z_DEFAULT_COMPRESSION);
    png_set_compression_buffer_size(st->png, kIdatPiece);
    png_write_info(st->png, st->info);
    png_write_image(st->png, rows);
    png_write_end(st->png, st->info);
    return true;
}

struct PngReadGuard {
    PngState* st;
    ~PngReadGuard() { png_destroy_read_struct(&st->png, st->info ? &st->info : nullptr, nullptr); }
};

struct PngWriteGuard {
    PngState* st;
    ~PngWriteGuard() { png_destroy_write_struct(&st->png, st->info ? &st->info : nullptr); }
};

// channels 1 (gray) or 3 (RGB); what: how messages start ("<path>: cannot write PNG" or "cannot
// encode PNG").
std::vector<uint8_t> png_encode(const uint8_t* pixels, int width, int height, int channels, const std::string& what) {
    GAN_CHECK(width >= 1 && height >= 1 && width <= kPngMaxSide && height <= kPngMaxSide, what,
              ": image is ", width, "x", height, "; width and height must be 1..", kPngMaxSide);
    GAN_CHECK(pixels != nullptr, what, ": no pixels");
    GAN_CHECK(channels == 1 || channels == 3, what, ": channels must be 1 or 3, not ", channels);
    std::vector<uint8_t> out;
    out.reserve(size_t(width) * size_t(height) * size_t(channels) / 2 + 1024);
    PngState st;
    st.out = &out;
    st.width = png_uint_32(width);
    st.height = png_uint_32(height);
    st.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, png_error_fn, png_warning_fn);
    GAN_CHECK(st.png != nullptr, what, ": cannot start libpng");
    PngWriteGuard guard{&st};
    st.info = png_create_info_struct(st.png);
    GAN_CHECK(st.info != nullptr, what, ": cannot start libpng");
    const size_t stride = size_t(width) * size_t(channels);
    std::vector<png_bytep> rows(static_cast<size_t>(height));
    for (size_t y = 0; y < rows.size(); ++y) rows[y] = const_cast<png_bytep>(pixels + y * stride);
    GAN_CHECK(png_stage_write(&st, channels, rows.data()), what, ": ", st.message);
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

PngImage png_decode(const uint8_t* data, size_t n, const std::string& name) {
    GAN_CHECK(n >= 8 && png_sig_cmp(data, 0, 8) == 0, name, ": not a PNG file (no PNG signature)");
    PngState st;
    st.data = data;
    st.size = n;
    st.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, png_error_fn, png_warning_fn);
    GAN_CHECK(st.png != nullptr, name, ": cannot start libpng");
    PngReadGuard guard{&st};
    st.info = png_create_info_struct(st.png);
    GAN_CHECK(st.info != nullptr, name, ": cannot start libpng");
    GAN_CHECK(png_stage_header(&st), name, ": bad PNG: ", st.message);
    GAN_CHECK(uint64_t(st.width) * st.height <= kPngMaxPixels, name, ": image is ", st.width, "x", st.height,
              ", more than ", kPngMaxPixels, " pixels");
    // The raw (filtered, uncompressed) data the header implies, and what n bytes could inflate to.
    const uint64_t raw_row = (uint64_t(st.width) * uint64_t(st.bit_depth) * uint64_t(st.file_channels) + 7) / 8 + 1;
    const uint64_t raw = raw_row * st.height;
    GAN_CHECK(raw <= kDeflateMaxRatio * n + kPngSlackBytes, name, ": bad PNG: ", st.width, "x", st.height,
              " needs ", raw, " bytes of image data, more than ", n, " bytes of file can hold");
    const int channels = int(png_get_channels(st.png, st.info));
    GAN_CHECK((channels == 1 || channels == 3) && st.rowbytes == size_t(st.width) * size_t(channels), name,
              ": bad PNG: unexpected layout after conversion");
    PngImage img{int(st.width), int(st.height), channels, std::vector<uint8_t>(st.rowbytes * st.height)};
    std::vector<png_bytep> rows(st.height);
    for (size_t y = 0; y < st.height; ++y) rows[y] = img.pixels.data() + y * st.rowbytes;
    GAN_CHECK(png_stage_pixels(&st, rows.data()), name, ": bad PNG: ", st.message);
    return img;
}

PngImage png_read_image(const std::string& path) {
    const std::vector<uint8_t> f = file_read_all(path, kMaxFileBytes);
    return png_decode(f.data(), f.size(), path);
}

GrayImage png_read_gray(const std::string& path) {
    const PngImage img = png_read_image(path);
    if (img.channels == 1) return GrayImage{img.width, img.height, img.pixels};
    GrayImage g{img.width, img.height, std::vector<uint8_t>(img.pixels.size() / 3)};
    for (size_t i = 0; i < g.pixels.size(); ++i) {
        const uint8_t* px = &img.pixels[i * 3];
        g.pixels[i] = uint8_t((int(px[0]) + px[1] + px[2] + 1) / 3);
    }
    return g;
}

}  // namespace gan
