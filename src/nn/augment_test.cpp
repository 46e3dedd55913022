// The differentiable augmentation: each operation's backward against finite differences (through a
// test layer around Augment), the draws (DiffAugment's ranges, reproducible from the stream position,
// per image, the probability p) and the policy's names.
#include "nn/augment.h"

#include <gtest/gtest.h>

#include <set>

#include "core/check.h"
#include "gradcheck.h"

using namespace gan;

namespace {

// Augment as a layer without parameters, for gradcheck.
class AugmentLayer final : public Layer {
  public:
    explicit AugmentLayer(Augment& a) : a_(a) {}
    Shape out_shape(Shape in) const override { return in; }
    void forward(const Tensor& x, Tensor& y) override { a_.forward(host_backend(), x, y); }
    void backward(const Tensor& dy, Tensor* dx) override {
        if (dx) a_.backward(host_backend(), dy, *dx);
    }
    std::string kind() const override { return "augment"; }

  private:
    Augment& a_;
};

std::string check(const AugmentPolicy& policy, uint64_t seed) {
    Rng rng(seed);
    Augment a;
    a.draw(policy, 4, 8, 8, Rng(seed, 9).state());
    AugmentLayer layer(a);
    Arena none;
    return gradcheck(layer, none, random_tensor({4, 3, 8, 8}, rng), rng, 1e-2f, 1e-3, 1e-4);
}

}  // namespace

TEST(Augment, EachOperationsBackwardMatchesFiniteDifferences) {
    EXPECT_EQ(check({.colour = true}, 1), "");
    EXPECT_EQ(check({.translation = true}, 2), "");
    EXPECT_EQ(check({.cutout = true}, 3), "");
    EXPECT_EQ(check({.colour = true, .translation = true, .cutout = true}, 4), "");
}

TEST(Augment, DrawsAreDiffAugmentsAndAFunctionOfTheStreamPosition) {
    const AugmentPolicy all{.colour = true, .translation = true, .cutout = true};
    const RngState base = Rng(11, 5).state();
    Augment a, b, c;
    a.draw(all, 64, 32, 32, base);
    b.draw(all, 64, 32, 32, base);
    c.draw(all, 64, 32, 32, {base.key, base.counter + 4, 4});  // one image on
    std::set<int> shifts, cuts;
    for (size_t i = 0; i < 64; ++i) {
        const AugmentDraw &d = a.draws()[i], &e = b.draws()[i];
        EXPECT_EQ(d.brightness, e.brightness);
        EXPECT_EQ(d.cut_cols, e.cut_cols);
        if (i + 1 < 64) EXPECT_EQ(a.draws()[i + 1].saturation, c.draws()[i].saturation) << "image i's draw";
        EXPECT_TRUE(d.brightness >= -0.5f && d.brightness < 0.5f);
        EXPECT_TRUE(d.saturation >= 0.0f && d.saturation < 2.0f);
        EXPECT_TRUE(d.contrast >= 0.5f && d.contrast < 1.5f);
        EXPECT_TRUE(d.shift_rows >= -4 && d.shift_rows <= 4 && d.shift_cols >= -4 && d.shift_cols <= 4);
        EXPECT_TRUE(d.cut_rows >= 0 && d.cut_rows <= 32 && d.cut_cols >= 0 && d.cut_cols <= 32);  // [0, 33)
        shifts.insert(d.shift_rows);
        cuts.insert(d.cut_rows);
    }
    EXPECT_GE(shifts.size(), 7u) << "translations over the whole range";
    EXPECT_GE(cuts.size(), 20u);
    EXPECT_NE(a.draws()[0].brightness, a.draws()[1].brightness) << "each image draws its own";
}

TEST(Augment, ProbabilityLeavesImagesAlone) {
    const AugmentPolicy all{.colour = true, .translation = true, .cutout = true};
    Rng rng(3);
    const Tensor x = random_tensor({200, 3, 4, 4}, rng);
    Augment none, half;
    none.draw(all, 200, 4, 4, Rng(3, 5).state(), 0.0f);
    Tensor y;
    none.forward(host_backend(), x, y);
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], x[i]) << "p = 0 changes nothing";
    half.draw(all, 200, 4, 4, Rng(3, 5).state(), 0.5f);
    int unchanged = 0;
    for (const AugmentDraw& d : half.draws()) unchanged += d.cut_rows < 0;
    EXPECT_GT(unchanged, 70);
    EXPECT_LT(unchanged, 130);
}

TEST(Augment, PolicyNames) {
    const AugmentPolicy p = parse_augment("color,cutout");
    EXPECT_TRUE(p.colour && p.cutout && !p.translation);
    EXPECT_EQ(to_string(p), "color,cutout");
    EXPECT_EQ(to_string(parse_augment("none")), "none");
    EXPECT_FALSE(parse_augment("").any());
    EXPECT_EQ(to_string(parse_augment("translation,colour")), "color,translation");
    EXPECT_THROW(parse_augment("color,flip"), gan::Error);
}
