// The image grids of png.h: many small images tiled into one picture (gray or RGB), and back.
#include <cstring>

#include "core/check.h"
#include "io/png.h"

namespace gan {

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

PngImage image_to_rgb(const PngImage& image) {
    GAN_CHECK(image.channels == 1 || image.channels == 3, "image_to_rgb: channels must be 1 or 3, not ", image.channels);
    if (image.channels == 3) return image;
    PngImage out{image.width, image.height, 3, std::vector<uint8_t>(image.pixels.size() * 3)};
    for (size_t p = 0; p < image.pixels.size(); ++p)
        out.pixels[p * 3] = out.pixels[p * 3 + 1] = out.pixels[p * 3 + 2] = image.pixels[p];
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

}  // namespace gan
