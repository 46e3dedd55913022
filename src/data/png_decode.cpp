// decode_png: libpng's sequential reader on a memory buffer. libpng reports errors by calling our
// error function, which longjmps back to the setjmp in the stage that made the call. The stages
// (png_stage_header, png_stage_pixels) hold only plain C data, so the jump skips no C++ destructor;
// everything that owns memory lives in decode_png, outside them.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "data/image_decode.h"

namespace gan {
namespace {

// Deflate packs at most 1032 bytes into one (its longest match is 258 bytes coded in 2 bits);
// the slack covers the zlib header and tiny images.
constexpr uint64_t kDeflateMaxRatio = 1032;
constexpr uint64_t kPngSlackBytes = 4096;

struct PngState {
    png_structp png = nullptr;
    png_infop info = nullptr;
    const uint8_t* data = nullptr;
    size_t size = 0, pos = 0;
    char message[200] = {};
    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0, file_channels = 0, out_channels = 0;
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

// Reads the header and sets the transformations to 8-bit gray or RGB without alpha.
bool png_stage_header(PngState* st) {
    if (setjmp(png_jmpbuf(st->png))) return false;
    png_set_read_fn(st->png, st, png_read_fn);
    png_set_user_limits(st->png, kImageMaxSide, kImageMaxSide);
    png_read_info(st->png, st->info);
    png_get_IHDR(st->png, st->info, &st->width, &st->height, &st->bit_depth, &st->color_type,
                 &st->interlace, nullptr, nullptr);
    st->file_channels = png_get_channels(st->png, st->info);
    png_set_expand(st->png);  // palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha
    png_set_strip_16(st->png);
    png_set_strip_alpha(st->png);
    const bool gray = (st->color_type & PNG_COLOR_MASK_COLOR) == 0;
    if (gray && st->out_channels == 3) png_set_gray_to_rgb(st->png);
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

struct PngGuard {
    PngState* st;
    ~PngGuard() { png_destroy_read_struct(&st->png, st->info ? &st->info : nullptr, nullptr); }
};

}  // namespace

Image decode_png(const uint8_t* data, size_t n, int channels, const std::string& name) {
    GAN_CHECK(channels == 1 || channels == 3, name, ": channels must be 1 or 3, not ", channels);
    PngState st;
    st.data = data;
    st.size = n;
    st.out_channels = channels;
    st.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, png_error_fn, png_warning_fn);
    GAN_CHECK(st.png != nullptr, name, ": cannot start libpng");
    PngGuard guard{&st};
    st.info = png_create_info_struct(st.png);
    GAN_CHECK(st.info != nullptr, name, ": cannot start libpng");
    GAN_CHECK(png_stage_header(&st), name, ": bad PNG: ", st.message);
    check_image_dims(st.width, st.height, name);
    // The raw (filtered, uncompressed) data the header implies, and what n bytes could inflate to.
    const uint64_t raw_row = (uint64_t(st.width) * uint64_t(st.bit_depth) * uint64_t(st.file_channels) + 7) / 8 + 1;
    const uint64_t raw = raw_row * st.height;
    GAN_CHECK(raw <= kDeflateMaxRatio * n + kPngSlackBytes, name, ": bad PNG: ", st.width, "x", st.height,
              " needs ", raw, " bytes of image data, more than ", n, " bytes of file can hold");
    const int got_channels = int(png_get_channels(st.png, st.info));
    GAN_CHECK((got_channels == 1 || got_channels == 3) && st.rowbytes == size_t(st.width) * got_channels,
              name, ": bad PNG: unexpected layout after conversion");
    Image img;
    img.width = int(st.width);
    img.height = int(st.height);
    img.channels = got_channels;
    img.pixels.resize(st.rowbytes * st.height);
    std::vector<png_bytep> rows(st.height);
    for (size_t y = 0; y < st.height; ++y) rows[y] = img.pixels.data() + y * st.rowbytes;
    GAN_CHECK(png_stage_pixels(&st, rows.data()), name, ": bad PNG: ", st.message);
    convert_channels(img, channels);
    return img;
}

}  // namespace gan
