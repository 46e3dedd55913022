// The GIF writer of gif.h on giflib's encoder (EGif*), into memory through its output function.
#include "io/gif.h"

#include <gif_lib.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "core/check.h"
#include "io/file.h"

namespace gan {

namespace {

int append_bytes(GifFileType* gif, const GifByteType* data, int n) {
    auto* out = static_cast<std::vector<uint8_t>*>(gif->UserData);
    try {
        out->insert(out->end(), data, data + n);
    } catch (...) {  // no C++ exception may cross giflib's C frames
        return 0;
    }
    return n;
}

// Closes the encoder (writing the trailer) unless close() already did.
struct GifCloser {
    GifFileType* gif;
    ~GifCloser() {
        if (gif) EGifCloseFile(gif, nullptr);
    }
    int close() {
        int error = 0;
        const int rc = EGifCloseFile(gif, &error);
        gif = nullptr;
        return rc == GIF_OK ? 0 : error;
    }
};

struct MapFree {
    void operator()(ColorMapObject* m) const { GifFreeMapObject(m); }
};

void check_frames(const std::vector<GifFrame>& frames, const std::vector<uint8_t>& palette, int loop_count,
                  const std::string& what) {
    GAN_CHECK(palette.size() == 768, what, ": the palette holds ", palette.size(), " bytes, expected 768");
    GAN_CHECK(!frames.empty(), what, ": no frames");
    GAN_CHECK(loop_count >= -1 && loop_count <= 65535, what, ": loop count ", loop_count, " is not in -1..65535");
    const int w = frames[0].image.width, h = frames[0].image.height;
    GAN_CHECK(w >= 1 && h >= 1 && w <= kGifMaxSide && h <= kGifMaxSide, what, ": frames are ", w, "x", h,
              "; width and height must be 1..", kGifMaxSide);
    for (size_t i = 0; i < frames.size(); ++i) {
        const GifFrame& f = frames[i];
        GAN_CHECK(f.image.width == w && f.image.height == h, what, ": frame ", i, " is ", f.image.width, "x",
                  f.image.height, " but frame 0 is ", w, "x", h, " (all frames must match)");
        GAN_CHECK(f.image.pixels.size() == size_t(w) * size_t(h), what, ": frame ", i, " holds ",
                  f.image.pixels.size(), " pixels, expected ", size_t(w) * size_t(h));
        GAN_CHECK(f.delay_cs >= 0 && f.delay_cs <= 65535, what, ": frame ", i, " delay ", f.delay_cs,
                  " is not in 0..65535 (1/100 s)");
    }
}

// The NETSCAPE2.0 application extension: loop_count repeats (0: forever).
int put_loop(GifFileType* gif, int loop_count) {
    const GifByteType app[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    const GifByteType loop[] = {1, GifByteType(loop_count & 0xff), GifByteType(loop_count >> 8)};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) != GIF_OK) return GIF_ERROR;
    if (EGifPutExtensionBlock(gif, sizeof app, app) != GIF_OK) return GIF_ERROR;
    if (EGifPutExtensionBlock(gif, sizeof loop, loop) != GIF_OK) return GIF_ERROR;
    return EGifPutExtensionTrailer(gif);
}

// One frame: a graphic control extension (disposal 1, leave in place; no transparency; the delay)
// and a full-canvas image without a local colour table.
int put_frame(GifFileType* gif, const GifFrame& f) {
    const GifByteType control[] = {1 << 2, GifByteType(f.delay_cs & 0xff), GifByteType(f.delay_cs >> 8), 0};
    if (EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, sizeof control, control) != GIF_OK) return GIF_ERROR;
    const int w = f.image.width, h = f.image.height;
    if (EGifPutImageDesc(gif, 0, 0, w, h, false, nullptr) != GIF_OK) return GIF_ERROR;
    // In bands of whole rows as long as giflib's int pixel count allows (it takes any run of the
    // image's remaining pixels as a "line"); it takes them as non-const and masks each to the
    // palette's 8 bits, which leaves the bytes unchanged.
    auto* px = const_cast<GifPixelType*>(f.image.pixels.data());
    const int band = std::max(1, std::numeric_limits<int>::max() / w);
    for (int y = 0; y < h; y += band)
        if (EGifPutLine(gif, px + size_t(y) * size_t(w), w * std::min(band, h - y)) != GIF_OK) return GIF_ERROR;
    return GIF_OK;
}

}  // namespace

std::vector<uint8_t> gif_encode_indexed(const std::vector<GifFrame>& frames, const std::vector<uint8_t>& palette,
                                        int loop_count, const std::string& what) {
    check_frames(frames, palette, loop_count, what);
    std::vector<GifColorType> colours(256);
    for (size_t i = 0; i < colours.size(); ++i) colours[i] = {palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]};
    const std::unique_ptr<ColorMapObject, MapFree> map(GifMakeMapObject(256, colours.data()));
    GAN_CHECK(map != nullptr, what, ": out of memory");

    std::vector<uint8_t> out;
    int error = 0;
    GifCloser closer{EGifOpen(&out, append_bytes, &error)};
    GAN_CHECK(closer.gif != nullptr, what, ": giflib: ", GifErrorString(error));
    auto check = [&](int rc) { GAN_CHECK(rc == GIF_OK, what, ": giflib: ", GifErrorString(closer.gif->Error)); };
    EGifSetGifVersion(closer.gif, true);  // GIF89a: the extensions below need it
    check(EGifPutScreenDesc(closer.gif, frames[0].image.width, frames[0].image.height, 8, 0, map.get()));
    if (loop_count >= 0) check(put_loop(closer.gif, loop_count));
    for (const GifFrame& f : frames) check(put_frame(closer.gif, f));
    error = closer.close();
    GAN_CHECK(error == 0, what, ": giflib: ", GifErrorString(error));
    return out;
}

const std::vector<uint8_t>& gif_gray_palette() {
    static const std::vector<uint8_t> palette = [] {
        std::vector<uint8_t> p(768);
        for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t(i / 3);
        return p;
    }();
    return palette;
}

std::vector<uint8_t> gif_encode_gray(const std::vector<GifFrame>& frames, int loop_count) {
    return gif_encode_indexed(frames, gif_gray_palette(), loop_count, "cannot encode GIF");
}

void gif_write_gray(const std::string& path, const std::vector<GifFrame>& frames, int loop_count) {
    const std::vector<uint8_t> out = gif_encode_indexed(frames, gif_gray_palette(), loop_count, path + ": cannot write GIF");
    file_write_atomic(path, out.data(), out.size());
}

}  // namespace gan
