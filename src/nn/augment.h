// Differentiable augmentation (DiffAugment, Zhao et al. 2020) of every image the discriminator sees:
// colour (brightness, saturation, contrast), translation by up to 1/8 of the side with zero padding, and
// cutout of a square of half the side, each drawn per image. The operations are linear in the image
// (the brightness adds a constant), so backward() is the transposed Jacobian, and a generator's
// gradient reaches it through them. The values are drawn as DiffAugment draws them:
//   brightness b = u - 0.5, saturation s = 2u, contrast k = u + 0.5 (u uniform in [0, 1)),
//   translation t = an integer in [-shift, shift], shift = round(side / 8), for the rows and columns,
//   cutout centre o = an integer in [0, side + 1 - size % 2), size = round(side / 2): the rows (and
//   columns) [o - size / 2, o - size / 2 + size) are zeroed, clipped to the image;
// and with probability 1 - p an image is left as it is (the adaptive probability of ADA, Karras et al.
// 2020; p = 1 is DiffAugment). The numerics run on the backend (backend/backend.h: augment_*).
#pragma once
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace gan {

struct AugmentPolicy {
    bool colour = false, translation = false, cutout = false;
    bool any() const { return colour || translation || cutout; }
};
// "color,translation,cutout" (any of them, comma-separated; "colour" too), or "" / "none" for none.
// Throws gan::Error naming an unknown one.
AugmentPolicy parse_augment(const std::string& list);
std::string to_string(const AugmentPolicy& p);  // "color,translation,cutout", "none"

// One image's draw: what DiffAugment's random numbers would be (identity: 0, 1, 1, 0, 0 and no cutout).
struct AugmentDraw {
    float brightness = 0, saturation = 1, contrast = 1;
    int shift_rows = 0, shift_cols = 0;
    int cut_rows = -1, cut_cols = -1;  // the cutout's centre as DiffAugment draws it; -1: no cutout
};

class Augment {
  public:
    // Draws for n images of side h x w: image i from a stream of its own, `base` moved on by 4i blocks
    // (so a draw depends on the image's index and base only); each with probability p.
    void draw(const AugmentPolicy& policy, int n, int h, int w, const RngState& base, float p = 1.0f);
    void set(std::vector<AugmentDraw> draws, int h, int w);  // given draws (tests)
    const std::vector<AugmentDraw>& draws() const { return draws_; }
    // y = T(x) for the drawn images (x.shape.n of them); backward: dx = Tᵀ dy. dx may be dy.
    void forward(Backend& be, const Tensor& x, Tensor& y);
    void backward(Backend& be, const Tensor& dy, Tensor& dx);

  private:
    std::vector<AugmentDraw> draws_;
    std::vector<float> colour_;  // (n, 3) for augment_colour
    std::vector<int> shift_;     // (n, 5) for augment_shift
    bool any_colour_ = false, any_shift_ = false;
    Tensor mid_;  // between the colour and the shift
};

}  // namespace gan
