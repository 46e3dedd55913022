// Side by side, in one process: the PNG writer, GIF writer and FID before and after the change to
// libpng, giflib and LAPACKE (scripts/bench_libraries.sh builds it). Prints whether the files are
// byte-identical (else whether their pixels are), the values, and the best of several timings.
#include <gif_lib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "io/gif.h"
#include "io/png.h"

namespace before {
std::vector<uint8_t> png_encode(const uint8_t* px, int w, int h, int channels);
std::vector<uint8_t> gif_encode(const std::vector<std::vector<uint8_t>>& frames, int w, int h, int channels);
double fid(const float* a, size_t na, const float* b, size_t nb, int d, double* distance_ms);
}  // namespace before
namespace after {
std::vector<uint8_t> png_encode(const uint8_t* px, int w, int h, int channels);
std::vector<uint8_t> gif_encode(const std::vector<std::vector<uint8_t>>& frames, int w, int h, int channels);
double fid(const float* a, size_t na, const float* b, size_t nb, int d, double* distance_ms);
}  // namespace after

namespace {

double best_ms(int reps, const std::function<void()>& f) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

// n MNIST digits (28x28) from the IDX file; channels 3 tints each digit from three of them.
std::vector<uint8_t> digits(const std::vector<uint8_t>& idx, size_t first, int n, int channels) {
    std::vector<uint8_t> out;
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c) {
            const uint8_t* d = idx.data() + 16 + (first + size_t(i) + size_t(c) * 7919) % 60000 * 784;
            out.insert(out.end(), d, d + 784);
        }
    return out;
}

// The palette indices of RGB pixels decoded from GIF bytes, frame by frame, as RGB.
std::vector<std::vector<uint8_t>> gif_pixels(const std::vector<uint8_t>& bytes) {
    struct In {
        const std::vector<uint8_t>* b;
        size_t pos;
    } in{&bytes, 0};
    int err = 0;
    GifFileType* g = DGifOpen(&in, [](GifFileType* gf, GifByteType* out, int n) {
        auto* s = static_cast<In*>(gf->UserData);
        const size_t k = std::min(size_t(n), s->b->size() - s->pos);
        std::memcpy(out, s->b->data() + s->pos, k);
        s->pos += k;
        return int(k);
    }, &err);
    std::vector<std::vector<uint8_t>> frames;
    if (!g || DGifSlurp(g) != GIF_OK) return frames;
    for (int k = 0; k < g->ImageCount; ++k) {
        const SavedImage& im = g->SavedImages[k];
        const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : g->SColorMap;
        std::vector<uint8_t> px;
        for (int i = 0; i < im.ImageDesc.Width * im.ImageDesc.Height; ++i) {
            const GifColorType& c = map->Colors[im.RasterBits[i]];
            px.insert(px.end(), {c.Red, c.Green, c.Blue});
        }
        frames.push_back(px);
    }
    DGifCloseFile(g, &err);
    return frames;
}

// The best of reps timings of each, the two taking turns (so a change in the machine's load falls on both).
void best_of_turns(int reps, const std::function<void()>& a, const std::function<void()>& b, double* ta, double* tb) {
    *ta = *tb = 1e300;
    for (int r = 0; r < reps; ++r) {
        *ta = std::min(*ta, best_ms(1, a));
        *tb = std::min(*tb, best_ms(1, b));
    }
}

const char* same(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, bool pixels_same) {
    return a == b ? "bytes identical" : pixels_same ? "pixels identical, bytes differ" : "PIXELS DIFFER";
}

void png_case(const char* name, const gan::PngImage& grid, int reps) {
    const auto a = before::png_encode(grid.pixels.data(), grid.width, grid.height, grid.channels);
    const auto b = after::png_encode(grid.pixels.data(), grid.width, grid.height, grid.channels);
    const bool px = gan::png_decode(a.data(), a.size(), "a").pixels == gan::png_decode(b.data(), b.size(), "b").pixels;
    double ta = 0, tb = 0;
    best_of_turns(
        reps, [&] { before::png_encode(grid.pixels.data(), grid.width, grid.height, grid.channels); },
        [&] { after::png_encode(grid.pixels.data(), grid.width, grid.height, grid.channels); }, &ta, &tb);
    std::printf("| PNG %s (%dx%dx%d) | %.3f ms | %.3f ms | %.2f | %zu / %zu B, %s |\n", name, grid.width, grid.height,
                grid.channels, ta, tb, tb / ta, a.size(), b.size(), same(a, b, px));
}

void gif_case(const char* name, const std::vector<std::vector<uint8_t>>& frames, int w, int h, int c, int reps) {
    const auto a = before::gif_encode(frames, w, h, c);
    const auto b = after::gif_encode(frames, w, h, c);
    const bool px = gif_pixels(a) == gif_pixels(b) && !gif_pixels(a).empty();
    double ta = 0, tb = 0;
    best_of_turns(reps, [&] { before::gif_encode(frames, w, h, c); }, [&] { after::gif_encode(frames, w, h, c); }, &ta, &tb);
    std::printf("| GIF %s (%zu frames of %dx%dx%d) | %.1f ms | %.1f ms | %.2f | %zu / %zu B, %s |\n", name, frames.size(),
                w, h, c, ta, tb, tb / ta, a.size(), b.size(), same(a, b, px));
}

// Quantisation error of the fixed palette (gif_colour_index) and of giflib's median cut
// (GifQuantizeBuffer, a palette per frame) on RGB frames.
void quantiser_case(const std::vector<std::vector<uint8_t>>& frames, int w, int h) {
    double fixed_sum = 0, cut_sum = 0, fixed_ms = 0, cut_ms = 0;
    int fixed_max = 0, cut_max = 0;
    size_t n = 0;
    for (const auto& f : frames) {
        const size_t np = size_t(w) * h;
        std::vector<GifByteType> r(np), g(np), b(np), out(np);
        for (size_t i = 0; i < np; ++i) r[i] = f[i * 3], g[i] = f[i * 3 + 1], b[i] = f[i * 3 + 2];
        std::vector<GifColorType> map(256);
        int size = 256;
        cut_ms += best_ms(1, [&] { GifQuantizeBuffer(w, h, &size, r.data(), g.data(), b.data(), out.data(), map.data()); });
        std::vector<int> idx(np);
        fixed_ms += best_ms(1, [&] {
            for (size_t i = 0; i < np; ++i) idx[i] = gan::gif_colour_index(r[i], g[i], b[i]);
        });
        const std::vector<uint8_t>& pal = gan::gif_colour_palette();
        for (size_t i = 0; i < np; ++i) {
            const int src[3] = {r[i], g[i], b[i]};
            const int fx[3] = {pal[size_t(idx[i]) * 3], pal[size_t(idx[i]) * 3 + 1], pal[size_t(idx[i]) * 3 + 2]};
            const int ct[3] = {map[out[i]].Red, map[out[i]].Green, map[out[i]].Blue};
            for (int c = 0; c < 3; ++c) {
                fixed_sum += std::abs(src[c] - fx[c]), cut_sum += std::abs(src[c] - ct[c]);
                fixed_max = std::max(fixed_max, std::abs(src[c] - fx[c]));
                cut_max = std::max(cut_max, std::abs(src[c] - ct[c]));
            }
            n += 3;
        }
    }
    std::printf("| quantiser | fixed palette (gif_colour.cpp) | giflib GifQuantizeBuffer |\n|---|---|---|\n");
    std::printf("| mean abs channel error | %.2f | %.2f |\n| max abs channel error | %d | %d |\n", fixed_sum / n,
                cut_sum / n, fixed_max, cut_max);
    std::printf("| time, all %zu frames | %.1f ms | %.1f ms |\n", frames.size(), fixed_ms, cut_ms);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s train-images-idx3-ubyte\n", argv[0]);
        return 2;
    }
    std::ifstream f(argv[1], std::ios::binary);
    const std::vector<uint8_t> idx((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (idx.size() != 16 + 60000 * 784) {
        std::fprintf(stderr, "%s: not MNIST's training images\n", argv[1]);
        return 2;
    }
    std::printf("| case | before | after | after / before | file size before / after |\n|---|---|---|---|---|\n");
    // The trainer's grids: 64 fresh samples (8 columns, pad 1, x3) and 100 fixed ones (10 columns, x2).
    png_case("samples grid", gan::image_grid_planar(digits(idx, 0, 64, 1).data(), 64, 1, 28, 28, 8, 1, 3), 60);
    png_case("fixed grid", gan::image_grid_planar(digits(idx, 64, 100, 1).data(), 100, 1, 28, 28, 10, 1, 2), 60);
    png_case("colour samples grid", gan::image_grid_planar(digits(idx, 0, 64, 3).data(), 64, 3, 28, 28, 8, 1, 3), 30);
    png_case("tiny", gan::PngImage{8, 8, 1, digits(idx, 5, 1, 1)}, 500);
    // The progress GIF: 20 epochs' fixed grids at native size (the report shrinks the x2 grids).
    std::vector<std::vector<uint8_t>> gray, colour;
    for (int e = 0; e < 20; ++e) {
        gray.push_back(gan::image_grid_planar(digits(idx, size_t(e) * 100, 100, 1).data(), 100, 1, 28, 28, 10, 1, 1).pixels);
        colour.push_back(gan::image_grid_planar(digits(idx, size_t(e) * 100, 100, 3).data(), 100, 3, 28, 28, 10, 1, 1).pixels);
    }
    gif_case("gray", gray, 300, 300, 1, 15);
    gif_case("colour", colour, 300, 300, 3, 15);
    // FID in the classifier's 128 features: random ReLU features of 10,000 digits against 10,000 others.
    const int d = 128;
    std::vector<float> w(size_t(d) * 784), a(size_t(10000) * d), b(size_t(10000) * d);
    uint32_t s = 1;
    for (float& v : w) s = s * 1664525u + 1013904223u, v = float(int(s >> 16) % 2001 - 1000) / 1000.0f / 28.0f;
    for (size_t i = 0; i < 20000; ++i) {
        const uint8_t* px = idx.data() + 16 + i * 784;
        float* out = (i < 10000 ? a.data() + i * d : b.data() + (i - 10000) * d);
        for (int k = 0; k < d; ++k) {
            float acc = 0;
            for (int p = 0; p < 784; ++p) acc += w[size_t(k) * 784 + size_t(p)] * float(px[p]) / 255.0f;
            out[k] = std::max(acc, 0.0f) + (i < 10000 ? 0.0f : 0.05f * float(k % 3));
        }
    }
    double ta = 0, tb = 0;
    const double fa = before::fid(a.data(), 10000, b.data(), 10000, d, &ta);
    const double fb = after::fid(a.data(), 10000, b.data(), 10000, d, &tb);
    std::printf("| FID of 2 x 10,000 x %d features (the distance, fits done) | %.1f ms | %.1f ms | %.2f | FID %.10g / %.10g, relative difference %.1e |\n",
                d, ta, tb, tb / ta, fa, fb, std::fabs(fb - fa) / fa);
    std::printf("\n");
    quantiser_case(colour, 300, 300);
    return 0;
}
