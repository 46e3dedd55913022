// decode_jpeg: libjpeg-turbo on a memory buffer. Its error manager's error_exit longjmps back to the
// setjmp of the stage that called into libjpeg; the stages (jpeg_stage_header, jpeg_stage_pixels)
// hold only plain C data, so the jump skips no C++ destructor. Messages are formatted into the state
// instead of printed (the library never prints).
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>

#include "core/check.h"
#include "data/image_decode.h"

namespace gan {
namespace {

// libjpeg's own working memory (progressive files keep every coefficient: 128 bytes per 8x8 block
// per component, so 6 bytes per pixel at most for 3 full-resolution components) is capped at this
// plus a margin.
constexpr long kJpegWorkBytesPerPixel = 8;
constexpr long kJpegWorkSlackBytes = long(16) << 20;

struct JpegState {
    jpeg_decompress_struct cinfo;
    jpeg_error_mgr err;
    jpeg_progress_mgr progress;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX + 32] = {};
    bool truncated = false;
};

JpegState* state_of(j_common_ptr cinfo) { return static_cast<JpegState*>(cinfo->client_data); }

void jpeg_error_exit_fn(j_common_ptr cinfo) {
    JpegState* st = state_of(cinfo);
    (*cinfo->err->format_message)(cinfo, st->message);
    std::longjmp(st->jump, 1);
}

// Warnings (level -1) are not printed; a premature end of data is remembered and refused later. So
// is a marker met inside a scan's data (JWRN_HIT_MARKER): a file cut in its scan that still ends with
// the end-of-image marker FF D9, which libjpeg would otherwise fill with gray.
void jpeg_emit_message_fn(j_common_ptr cinfo, int level) {
    const int code = cinfo->err->msg_code;
    if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) state_of(cinfo)->truncated = true;
}

void jpeg_output_message_fn(j_common_ptr) {}

void jpeg_progress_fn(j_common_ptr cinfo) {
    auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->input_scan_number > kJpegMaxScans) {
        JpegState* st = state_of(cinfo);
        std::snprintf(st->message, sizeof st->message, "more than %d scans", kJpegMaxScans);
        std::longjmp(st->jump, 1);
    }
}

bool jpeg_stage_header(JpegState* st, const uint8_t* data, size_t n) {
    if (setjmp(st->jump)) return false;
    jpeg_mem_src(&st->cinfo, data, static_cast<unsigned long>(n));
    jpeg_read_header(&st->cinfo, TRUE);
    return true;
}

// Starts decompression into `channels` colour components (JCS_GRAYSCALE or JCS_RGB).
bool jpeg_stage_start(JpegState* st, int channels) {
    if (setjmp(st->jump)) return false;
    st->cinfo.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&st->cinfo);
    return true;
}

bool jpeg_stage_pixels(JpegState* st, uint8_t* out, size_t row_bytes) {
    if (setjmp(st->jump)) return false;
    while (st->cinfo.output_scanline < st->cinfo.output_height) {
        JSAMPROW row = out + size_t(st->cinfo.output_scanline) * row_bytes;
        if (jpeg_read_scanlines(&st->cinfo, &row, 1) != 1) break;
    }
    return true;
}

struct JpegGuard {
    JpegState* st;
    ~JpegGuard() { jpeg_destroy_decompress(&st->cinfo); }
};

}  // namespace

Image decode_jpeg(const uint8_t* data, size_t n, int channels, const std::string& name) {
    GAN_CHECK(channels == 1 || channels == 3, name, ": channels must be 1 or 3, not ", channels);
    GAN_CHECK(n > 0 && n <= kImageMaxFileBytes, name, ": bad JPEG: ", n, " bytes");
    auto st = std::make_unique<JpegState>();
    st->cinfo.err = jpeg_std_error(&st->err);
    st->cinfo.client_data = st.get();
    st->err.error_exit = jpeg_error_exit_fn;
    st->err.emit_message = jpeg_emit_message_fn;
    st->err.output_message = jpeg_output_message_fn;
    if (setjmp(st->jump)) throw Error(str(name, ": cannot start libjpeg: ", st->message));
    jpeg_create_decompress(&st->cinfo);
    JpegGuard guard{st.get()};
    st->progress.progress_monitor = jpeg_progress_fn;
    st->cinfo.progress = &st->progress;
    GAN_CHECK(jpeg_stage_header(st.get(), data, n), name, ": bad JPEG: ", st->message);
    const jpeg_decompress_struct& ci = st->cinfo;
    check_image_dims(ci.image_width, ci.image_height, name);
    const uint64_t pixels = uint64_t(ci.image_width) * ci.image_height;
    GAN_CHECK(pixels <= kJpegMaxPixelsPerByte * n, name, ": bad JPEG: ", ci.image_width, "x",
              ci.image_height, " pixels from only ", n, " bytes");
    const bool gray_in = ci.jpeg_color_space == JCS_GRAYSCALE;
    GAN_CHECK(gray_in || ci.jpeg_color_space == JCS_YCbCr || ci.jpeg_color_space == JCS_RGB, name,
              ": JPEG colour space ", int(ci.jpeg_color_space), " (CMYK or YCCK) is not supported");
    st->cinfo.mem->max_memory_to_use = long(pixels) * kJpegWorkBytesPerPixel + kJpegWorkSlackBytes;
    // Colour becomes gray through RGB, so that gray follows PIL's formula rather than taking luma.
    const int decode_channels = gray_in && channels == 1 ? 1 : 3;
    GAN_CHECK(jpeg_stage_start(st.get(), decode_channels), name, ": bad JPEG: ", st->message);
    GAN_CHECK(int(ci.output_components) == decode_channels, name, ": bad JPEG: ",
              ci.output_components, " components after conversion");
    Image img;
    img.width = int(ci.output_width);
    img.height = int(ci.output_height);
    img.channels = decode_channels;
    const size_t row_bytes = size_t(img.width) * size_t(decode_channels);
    img.pixels.resize(row_bytes * size_t(img.height));
    GAN_CHECK(jpeg_stage_pixels(st.get(), img.pixels.data(), row_bytes), name, ": bad JPEG: ",
              st->message);
    GAN_CHECK(!st->truncated, name, ": bad JPEG: file ends before the image data does");
    GAN_CHECK(ci.output_scanline == ci.output_height, name, ": bad JPEG: image data ends early");
    convert_channels(img, channels);
    return img;
}

}  // namespace gan
