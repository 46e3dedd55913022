#include "kernels/im2col.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/rng.h"
#include "kernels/gemm.h"

using namespace gan;

namespace {

std::vector<float> random_vec(size_t n, Rng& rng) {
    std::vector<float> v(n);
    for (float& x : v) x = rng.uniform(-1, 1);
    return v;
}

// The textbook convolution (cross-correlation, as PyTorch): y (OC, OH, OW) from x (C, H, W) and
// w (OC, C, KH, KW), in double precision.
std::vector<double> conv_naive(const std::vector<float>& x, const std::vector<float>& w, int OC, const ConvGeom& g) {
    const int OH = g.oh(), OW = g.ow();
    std::vector<double> y(size_t(OC) * OH * OW, 0.0);
    for (int o = 0; o < OC; ++o)
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                double acc = 0;
                for (int c = 0; c < g.c; ++c)
                    for (int i = 0; i < g.kh; ++i)
                        for (int j = 0; j < g.kw; ++j) {
                            int iy = oy * g.sh - g.ph + i * g.dh, ix = ox * g.sw - g.pw + j * g.dw;
                            if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                            acc += double(w[((size_t(o) * g.c + c) * g.kh + i) * g.kw + j]) *
                                   x[(size_t(c) * g.h + iy) * g.w + ix];
                        }
                y[(size_t(o) * OH + oy) * OW + ox] = acc;
            }
    return y;
}

const ConvGeom kGeoms[] = {
    {.c = 1, .h = 28, .w = 28, .kh = 5, .kw = 5},                                 // LeNet conv1
    {.c = 3, .h = 7, .w = 9, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1},  // "same"
    {.c = 2, .h = 8, .w = 8, .kh = 4, .kw = 4, .sh = 2, .sw = 2, .ph = 1, .pw = 1},  // DCGAN down-sampling
    {.c = 2, .h = 5, .w = 11, .kh = 2, .kw = 3, .sh = 3, .sw = 2, .ph = 0, .pw = 2},  // odd everything
    {.c = 1, .h = 6, .w = 6, .kh = 3, .kw = 2, .sh = 1, .sw = 2, .ph = 2, .pw = 1, .dh = 2, .dw = 1},  // dilation
    {.c = 2, .h = 3, .w = 3, .kh = 5, .kw = 5, .sh = 1, .sw = 1, .ph = 2, .pw = 2},  // kernel larger than image
    {.c = 1, .h = 4, .w = 4, .kh = 1, .kw = 1, .sh = 3, .sw = 3},                 // 1x1 strided
};

}  // namespace

TEST(Im2col, MatchesNaiveIncludingPaddingAndStrides) {
    Rng rng(1);
    for (const ConvGeom& g : kGeoms) {
        ASSERT_TRUE(g.valid());
        const size_t ld = g.cols() + 3;  // a wider matrix, as when images sit side by side
        auto x = random_vec(size_t(g.c) * g.h * g.w, rng);
        std::vector<float> fast(g.rows() * ld, 7.0f), slow(g.rows() * ld, 7.0f);
        im2col(fast.data(), ld, x.data(), g);
        im2col_naive(slow.data(), ld, x.data(), g);
        EXPECT_EQ(fast, slow) << "c=" << g.c << " h=" << g.h << " k=" << g.kh << "x" << g.kw;
        for (int r = 0; r < g.rows(); ++r)  // columns past cols() untouched
            for (size_t j = g.cols(); j < ld; ++j) EXPECT_EQ(fast[r * ld + j], 7.0f);
    }
}

TEST(Col2im, MatchesNaiveAndAccumulates) {
    Rng rng(2);
    for (const ConvGeom& g : kGeoms) {
        const size_t ld = g.cols();
        auto col = random_vec(g.rows() * ld, rng);
        auto init = random_vec(size_t(g.c) * g.h * g.w, rng);
        std::vector<float> fast = init, slow = init;
        col2im(fast.data(), col.data(), ld, g);
        col2im_naive(slow.data(), col.data(), ld, g);
        for (size_t i = 0; i < fast.size(); ++i) EXPECT_NEAR(fast[i], slow[i], 1e-5);
    }
}

TEST(Col2im, IsTheAdjointOfIm2col) {
    // <im2col(x), c> == <x, col2im(c)> for every x, c: what the gradient of a convolution needs.
    Rng rng(3);
    for (const ConvGeom& g : kGeoms) {
        const size_t ld = g.cols();
        auto x = random_vec(size_t(g.c) * g.h * g.w, rng);
        auto c = random_vec(g.rows() * ld, rng);
        std::vector<float> col(g.rows() * ld), back(x.size(), 0.0f);
        im2col(col.data(), ld, x.data(), g);
        col2im(back.data(), c.data(), ld, g);
        double lhs = 0, rhs = 0;
        for (size_t i = 0; i < col.size(); ++i) lhs += double(col[i]) * c[i];
        for (size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * back[i];
        EXPECT_NEAR(lhs, rhs, 1e-4 * (1 + std::abs(lhs)));
    }
}

TEST(Im2col, GemmOverColumnsIsTheNaiveConvolution) {
    Rng rng(4);
    const int OC = 4;
    for (const ConvGeom& g : kGeoms) {
        auto x = random_vec(size_t(g.c) * g.h * g.w, rng);
        auto w = random_vec(size_t(OC) * g.rows(), rng);
        std::vector<float> col(size_t(g.rows()) * g.cols()), y(size_t(OC) * g.cols());
        im2col(col.data(), g.cols(), x.data(), g);
        gemm(false, false, OC, g.cols(), g.rows(), 1.0f, w.data(), g.rows(), col.data(), g.cols(), 0.0f, y.data(),
             g.cols());
        auto ref = conv_naive(x, w, OC, g);
        for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], ref[i], 1e-4);
    }
}

TEST(ConvGeom, OutputSizesFollowPyTorch) {
    EXPECT_EQ((ConvGeom{.c = 1, .h = 28, .w = 28, .kh = 5, .kw = 5}.oh()), 24);
    EXPECT_EQ((ConvGeom{.c = 1, .h = 28, .w = 28, .kh = 4, .kw = 4, .sh = 2, .sw = 2, .ph = 1, .pw = 1}.ow()), 14);
    EXPECT_EQ((ConvGeom{.c = 1, .h = 7, .w = 7, .kh = 3, .kw = 3, .sh = 2, .sw = 2}.oh()), 3);
    EXPECT_FALSE((ConvGeom{.c = 1, .h = 2, .w = 2, .kh = 3, .kw = 3}.valid()));
}

TEST(Im2col, BatchMatchesOneImageAtATime) {
    // The batched forms put image n at columns n*cols() and give each image's own result; col2im_batch
    // overwrites (accumulate = false) or adds (true).
    Rng rng(11);
    const ConvGeom extra[] = {
        {.c = 3, .h = 4, .w = 4, .kh = 4, .kw = 4},                                  // 1x1 output (DCGAN G.0)
        {.c = 2, .h = 7, .w = 7, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1},  // G.3's adjoint
    };
    std::vector<ConvGeom> geoms(std::begin(kGeoms), std::end(kGeoms));
    geoms.insert(geoms.end(), std::begin(extra), std::end(extra));
    for (const ConvGeom& g : geoms) {
        const int nb = 3, P = g.cols();
        const size_t ld = size_t(nb) * P + 5, img = size_t(g.c) * g.h * g.w, xs = img + 2;
        std::vector<float> x = random_vec(xs * nb, rng);
        std::vector<float> col(size_t(g.rows()) * ld, 7.0f), ref(size_t(g.rows()) * ld, 7.0f);
        im2col_batch(col.data(), ld, x.data(), xs, nb, g);
        for (int n = 0; n < nb; ++n) im2col_naive(ref.data() + size_t(n) * P, ld, x.data() + n * xs, g);
        for (size_t i = 0; i < col.size(); ++i) ASSERT_EQ(col[i], ref[i]) << i;

        std::vector<float> c = random_vec(size_t(g.rows()) * ld, rng);
        for (bool acc : {false, true}) {
            std::vector<float> out = random_vec(xs * nb, rng), want = out;
            col2im_batch(out.data(), xs, c.data(), ld, nb, g, acc);
            for (int n = 0; n < nb; ++n) {
                if (!acc) std::fill(want.begin() + n * xs, want.begin() + n * xs + img, 0.0f);
                col2im_naive(want.data() + n * xs, c.data() + size_t(n) * P, ld, g);
            }
            for (size_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], want[i], 1e-5) << i << " acc " << acc;
        }
    }
}
