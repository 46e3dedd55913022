// Compiled twice: against the tree before the change (-DWRAP=before -Dgan=gan_before) and after it.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "io/gif.h"
#include "io/png.h"
#include "metrics/fid.h"

namespace WRAP {

std::vector<uint8_t> png_encode(const uint8_t* px, int w, int h, int channels) {
    return gan::png_encode_image(gan::PngImage{w, h, channels, std::vector<uint8_t>(px, px + size_t(w) * h * channels)});
}

std::vector<uint8_t> gif_encode(const std::vector<std::vector<uint8_t>>& frames, int w, int h, int channels) {
    std::vector<gan::GifImageFrame> f;
    for (const auto& px : frames) f.push_back({gan::PngImage{w, h, channels, px}, 20});
    return gan::gif_encode_image(f, 0);
}

// FID of the two sets; *distance_ms: the best of 9 timings of the distance alone (the fits are the
// same code before and after).
double fid(const float* a, size_t na, const float* b, size_t nb, int d, double* distance_ms) {
    const gan::Gaussian ga = gan::gaussian_fit(a, na, d), gb = gan::gaussian_fit(b, nb, d);
    double value = 0;
    *distance_ms = 1e300;
    for (int r = 0; r < 9; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        value = gan::fid(ga, gb);
        *distance_ms = std::min(*distance_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return value;
}

}  // namespace WRAP
