// Reading GIFs back with giflib's decoder (DGifOpen, DGifSlurp), for the tests of what io/gif.h
// writes (the library only writes them): the canvas, the loop count of the NETSCAPE2.0 extension,
// each frame's delay and its pixels through its (local or global) colour table.
#pragma once
#include <gif_lib.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/check.h"
#include "io/gif.h"
#include "test_util.h"

namespace gan::testing {

struct GifImageAnimation {
    int width = 0, height = 0;
    int loop_count = -1;  // from the NETSCAPE2.0 extension; -1 when the file has none
    std::vector<GifImageFrame> frames;  // channels 3: each pixel its palette colour
};

struct GifAnimation {
    int width = 0, height = 0;
    int loop_count = -1;
    std::vector<GifFrame> frames;  // gray: (r + g + b) / 3 rounded to nearest of each pixel's colour
};

namespace gif_detail {

struct Input {
    const std::vector<uint8_t>* bytes;
    size_t pos = 0;
};

inline int read(GifFileType* gif, GifByteType* out, int n) {
    auto* in = static_cast<Input*>(gif->UserData);
    const size_t k = std::min(size_t(n), in->bytes->size() - in->pos);
    std::memcpy(out, in->bytes->data() + in->pos, k);
    in->pos += k;
    return int(k);
}

// The loop count of a NETSCAPE2.0 block among an image's extension blocks, or -1.
inline int loop_count_of(const SavedImage& im) {
    for (int i = 0; i + 1 < im.ExtensionBlockCount; ++i) {
        const ExtensionBlock& app = im.ExtensionBlocks[i];
        const ExtensionBlock& sub = im.ExtensionBlocks[i + 1];
        if (app.Function == APPLICATION_EXT_FUNC_CODE && app.ByteCount == 11 &&
            std::memcmp(app.Bytes, "NETSCAPE2.0", 11) == 0 && sub.ByteCount >= 3 && sub.Bytes[0] == 1)
            return sub.Bytes[1] | sub.Bytes[2] << 8;
    }
    return -1;
}

}  // namespace gif_detail

inline GifImageAnimation gif_decode_image(const std::vector<uint8_t>& bytes, const std::string& name) {
    gif_detail::Input in{&bytes};
    int error = 0;
    GifFileType* gif = DGifOpen(&in, gif_detail::read, &error);
    GAN_CHECK(gif != nullptr, name, ": giflib: ", GifErrorString(error));
    const bool ok = DGifSlurp(gif) == GIF_OK;
    const std::string message = ok ? "" : GifErrorString(gif->Error);
    GifImageAnimation a;
    for (int k = 0; ok && k < gif->ImageCount; ++k) {
        const SavedImage& im = gif->SavedImages[k];
        if (k == 0) a.loop_count = gif_detail::loop_count_of(im);
        const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : gif->SColorMap;
        GraphicsControlBlock gcb{};
        DGifSavedExtensionToGCB(gif, k, &gcb);
        const size_t n = size_t(im.ImageDesc.Width) * size_t(im.ImageDesc.Height);
        GifImageFrame f{PngImage{im.ImageDesc.Width, im.ImageDesc.Height, 3, std::vector<uint8_t>(n * 3)},
                        gcb.DelayTime};
        for (size_t i = 0; map && i < n; ++i) {
            const GifColorType& c = map->Colors[im.RasterBits[i] % map->ColorCount];
            f.image.pixels[i * 3] = c.Red, f.image.pixels[i * 3 + 1] = c.Green, f.image.pixels[i * 3 + 2] = c.Blue;
        }
        a.frames.push_back(std::move(f));
    }
    a.width = gif->SWidth;
    a.height = gif->SHeight;
    DGifCloseFile(gif, nullptr);
    GAN_CHECK(ok, name, ": giflib: ", message);
    return a;
}

inline GifAnimation gif_decode_gray(const std::vector<uint8_t>& bytes, const std::string& name) {
    const GifImageAnimation c = gif_decode_image(bytes, name);
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

inline GifImageAnimation gif_read_image(const std::string& path) { return gif_decode_image(read_bytes(path), path); }
inline GifAnimation gif_read_gray(const std::string& path) { return gif_decode_gray(read_bytes(path), path); }

}  // namespace gan::testing
