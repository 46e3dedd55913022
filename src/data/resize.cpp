#include "data/resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/check.h"

namespace gan {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // PIL's PRECISION_BITS for 8-bit images

// For each output index: the first input index and the fixed-point weights of the inputs it uses.
struct Taps {
    int ksize = 0;
    std::vector<int> first, count;
    std::vector<int32_t> weights;  // out_size x ksize
};

double triangle(double x) {
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

// PIL's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter (support 1).
Taps make_taps(int in_size, int out_size) {
    const double scale = double(in_size) / double(out_size);
    const double filterscale = std::max(scale, 1.0);
    const double support = 1.0 * filterscale;
    const double ss = 1.0 / filterscale;
    Taps t;
    t.ksize = int(std::ceil(support)) * 2 + 1;
    t.first.resize(size_t(out_size));
    t.count.resize(size_t(out_size));
    t.weights.assign(size_t(out_size) * size_t(t.ksize), 0);
    std::vector<double> w(size_t(t.ksize));
    for (int o = 0; o < out_size; ++o) {
        const double center = (o + 0.5) * scale;
        const int lo = std::max(int(center - support + 0.5), 0);
        const int hi = std::min(int(center + support + 0.5), in_size);
        double sum = 0.0;
        for (int x = 0; x < hi - lo; ++x) {
            w[size_t(x)] = triangle((x + lo - center + 0.5) * ss);
            sum += w[size_t(x)];
        }
        for (int x = 0; x < hi - lo; ++x) {
            const double v = sum != 0.0 ? w[size_t(x)] / sum : w[size_t(x)];
            const double f = v * double(1 << kPrecisionBits);
            t.weights[size_t(o) * size_t(t.ksize) + size_t(x)] = int32_t(v < 0 ? f - 0.5 : f + 0.5);
        }
        t.first[size_t(o)] = lo;
        t.count[size_t(o)] = hi - lo;
    }
    return t;
}

// Sums of 8-bit samples times weights that add up to 2^22 (give or take rounding) fit in 32 bits,
// as in PIL.
uint8_t clip8(int32_t acc) {
    const int32_t v = acc >> kPrecisionBits;
    return uint8_t(std::clamp<int32_t>(v, 0, 255));
}

constexpr int32_t kHalf = int32_t(1) << (kPrecisionBits - 1);

Image resize_horizontal(const Image& in, int out_w) {
    const Taps t = make_taps(in.width, out_w);
    const int c = in.channels;
    Image out{in.height, out_w, c, std::vector<uint8_t>(size_t(in.height) * out_w * c)};
    for (int y = 0; y < in.height; ++y) {
        const uint8_t* src = in.pixels.data() + size_t(y) * in.width * c;
        uint8_t* dst = out.pixels.data() + size_t(y) * out_w * c;
        for (int o = 0; o < out_w; ++o) {
            const int32_t* k = t.weights.data() + size_t(o) * t.ksize;
            const uint8_t* s = src + size_t(t.first[size_t(o)]) * c;
            int32_t acc[kResizeMaxChannels] = {kHalf, kHalf, kHalf, kHalf};
            for (int x = 0; x < t.count[size_t(o)]; ++x, s += c)
                for (int ch = 0; ch < c; ++ch) acc[ch] += int32_t(s[ch]) * k[x];
            for (int ch = 0; ch < c; ++ch) dst[size_t(o) * c + ch] = clip8(acc[ch]);
        }
    }
    return out;
}

Image resize_vertical(const Image& in, int out_h) {
    const Taps t = make_taps(in.height, out_h);
    const size_t row = size_t(in.width) * size_t(in.channels);
    Image out{out_h, in.width, in.channels, std::vector<uint8_t>(size_t(out_h) * row)};
    std::vector<int32_t> acc(row);
    for (int o = 0; o < out_h; ++o) {
        std::fill(acc.begin(), acc.end(), kHalf);
        const int32_t* k = t.weights.data() + size_t(o) * t.ksize;
        for (int y = 0; y < t.count[size_t(o)]; ++y) {
            const uint8_t* src = in.pixels.data() + size_t(t.first[size_t(o)] + y) * row;
            for (size_t i = 0; i < row; ++i) acc[i] += int32_t(src[i]) * k[y];
        }
        uint8_t* dst = out.pixels.data() + size_t(o) * row;
        for (size_t i = 0; i < row; ++i) dst[i] = clip8(acc[i]);
    }
    return out;
}

// Python's round(d / 2) for d >= 0: halves go to the even neighbour.
int half_round_even(int d) {
    const int k = d / 2;
    return (d % 2 == 0 || k % 2 == 0) ? k : k + 1;
}

}  // namespace

Image resize_bilinear(const Image& in, int out_height, int out_width) {
    GAN_CHECK(out_height >= 1 && out_width >= 1, "resize: output size ", out_height, "x", out_width);
    GAN_CHECK(in.height >= 1 && in.width >= 1 && in.channels >= 1 && in.channels <= kResizeMaxChannels &&
                  in.pixels.size() == size_t(in.height) * in.width * in.channels,
              "resize: malformed input image");
    Image tmp = out_width == in.width ? in : resize_horizontal(in, out_width);
    if (out_height == tmp.height) return tmp;
    return resize_vertical(tmp, out_height);
}

std::pair<int, int> shorter_side_size(int height, int width, int n) {
    GAN_CHECK(height >= 1 && width >= 1 && n >= 1, "resize: bad sizes ", height, "x", width, " -> ", n);
    if (height <= width) return {n, int(int64_t(n) * width / height)};
    return {int(int64_t(n) * height / width), n};
}

Image center_crop(const Image& in, int height, int width) {
    GAN_CHECK(height >= 1 && width >= 1 && height <= in.height && width <= in.width, "crop: ", height,
              "x", width, " out of a ", in.height, "x", in.width, " image");
    const int top = half_round_even(in.height - height);
    const int left = half_round_even(in.width - width);
    const size_t c = size_t(in.channels);
    Image out{height, width, in.channels, std::vector<uint8_t>(size_t(height) * width * c)};
    for (int y = 0; y < height; ++y) {
        const uint8_t* src = in.pixels.data() + (size_t(top + y) * in.width + left) * c;
        std::copy(src, src + size_t(width) * c, out.pixels.data() + size_t(y) * width * c);
    }
    return out;
}

Image resize_and_crop(const Image& in, int n) {
    const auto [h, w] = shorter_side_size(in.height, in.width, n);
    GAN_CHECK(uint64_t(h) * uint64_t(w) <= kImageMaxPixels, "resize: a ", in.height, "x", in.width,
              " image would be ", h, "x", w, " before cropping (too narrow for size ", n, ")");
    return center_crop(resize_bilinear(in, h, w), n, n);
}

}  // namespace gan
