#include "nn/augment.h"

#include <sstream>

#include "core/check.h"

namespace gan {

AugmentPolicy parse_augment(const std::string& list) {
    AugmentPolicy p;
    if (list.empty() || list == "none") return p;
    std::stringstream ss(list);
    std::string name;
    while (std::getline(ss, name, ',')) {
        if (name == "color" || name == "colour")
            p.colour = true;
        else if (name == "translation")
            p.translation = true;
        else if (name == "cutout")
            p.cutout = true;
        else
            throw Error("unknown augmentation '" + name + "' (known: color, translation, cutout, none)");
    }
    return p;
}

std::string to_string(const AugmentPolicy& p) {
    std::string s;
    if (p.colour) s += ",color";
    if (p.translation) s += ",translation";
    if (p.cutout) s += ",cutout";
    return s.empty() ? "none" : s.substr(1);
}

void Augment::draw(const AugmentPolicy& policy, int n, int h, int w, const RngState& base, float p) {
    std::vector<AugmentDraw> draws(static_cast<size_t>(n));
    const int shift_r = int(h * 0.125f + 0.5f), shift_c = int(w * 0.125f + 0.5f);
    const int size_r = int(h * 0.5f + 0.5f), size_c = int(w * 0.5f + 0.5f);
    for (int i = 0; i < n; ++i) {
        Rng r;
        r.set_state({base.key, base.counter + 4 * uint64_t(i), 4});
        // Every value is drawn whatever the policy, so that one augmentation's draws do not depend on
        // which others are on.
        const bool apply = r.uniform() < p;
        const float b = r.uniform() - 0.5f, s = r.uniform() * 2.0f, k = r.uniform() + 0.5f;
        const int tr = int(r.below(uint32_t(2 * shift_r + 1))) - shift_r;
        const int tc = int(r.below(uint32_t(2 * shift_c + 1))) - shift_c;
        const int cr = int(r.below(uint32_t(h + 1 - size_r % 2))), cc = int(r.below(uint32_t(w + 1 - size_c % 2)));
        if (!apply) continue;
        AugmentDraw& d = draws[size_t(i)];
        if (policy.colour) d.brightness = b, d.saturation = s, d.contrast = k;
        if (policy.translation) d.shift_rows = tr, d.shift_cols = tc;
        if (policy.cutout) d.cut_rows = cr, d.cut_cols = cc;
    }
    set(std::move(draws), h, w);
}

void Augment::set(std::vector<AugmentDraw> draws, int h, int w) {
    draws_ = std::move(draws);
    const size_t n = draws_.size();
    const int size_r = int(h * 0.5f + 0.5f), size_c = int(w * 0.5f + 0.5f);
    colour_.resize(3 * n);
    shift_.resize(6 * n);
    any_colour_ = any_shift_ = false;
    for (size_t i = 0; i < n; ++i) {
        const AugmentDraw& d = draws_[i];
        const bool cut = d.cut_rows >= 0 && d.cut_cols >= 0;
        const float c[3] = {d.brightness, d.saturation, d.contrast};
        const int s[6] = {d.shift_rows, d.shift_cols, d.cut_rows - size_r / 2, d.cut_cols - size_c / 2,
                          cut ? size_r : 0, cut ? size_c : 0};
        std::copy(c, c + 3, colour_.begin() + std::ptrdiff_t(3 * i));
        std::copy(s, s + 6, shift_.begin() + std::ptrdiff_t(6 * i));
        any_colour_ |= c[0] != 0.0f || c[1] != 1.0f || c[2] != 1.0f;
        any_shift_ |= s[0] != 0 || s[1] != 0 || cut;
    }
}

void Augment::forward(Backend& be, const Tensor& x, Tensor& y) {
    const Shape s = x.shape;
    GAN_CHECK(size_t(s.n) == draws_.size(), "augmenting ", s.n, " images with draws for ", draws_.size());
    y.on(be);
    y.resize(s);
    if (!any_colour_ && !any_shift_) return be.copy(y.data(), x.data(), x.size());
    const float* src = x.data();
    if (any_colour_) {
        Tensor& dst = any_shift_ ? mid_ : y;
        dst.on(be);
        dst.resize(s);
        be.augment_colour(dst.data(), src, s.n, s.c, s.h * s.w, colour_.data(), false);
        src = dst.data();
    }
    if (any_shift_) be.augment_shift(y.data(), src, s.n, s.c, s.h, s.w, shift_.data(), false);
}

void Augment::backward(Backend& be, const Tensor& dy, Tensor& dx) {
    const Shape s = dy.shape;
    GAN_CHECK(size_t(s.n) == draws_.size(), "augmenting ", s.n, " images with draws for ", draws_.size());
    const float* src = dy.data();
    if (any_shift_) {
        mid_.on(be);
        mid_.resize(s);
        be.augment_shift(mid_.data(), src, s.n, s.c, s.h, s.w, shift_.data(), true);
        src = mid_.data();
    }
    if (&dx != &dy) {
        dx.on(be);
        dx.resize(s);
    }
    if (any_colour_)
        be.augment_colour(dx.data(), src, s.n, s.c, s.h * s.w, colour_.data(), true);
    else if (src != dx.data())
        be.copy(dx.data(), src, dy.size());
}

}  // namespace gan
