#include "nn/weighted_layer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/linear.h"

using namespace gan;

namespace {

// Glorot's init draws the weight from U(-a, a), a = sqrt(6 / (fan_in + fan_out)), and zeroes the bias.
// The largest |w| of a few hundred draws lies just under a, so a bound from other fans shows either way.
void expect_glorot(Arena& params, Layer& layer, const std::string& prefix, int fan_in, int fan_out) {
    Rng rng(3);
    for (float& v : params.values()) v = 1.0f;
    layer.init(InitScheme::glorot_uniform, rng);
    const double a = std::sqrt(6.0 / double(fan_in + fan_out));
    const ParamInfo* w = params.find(prefix + ".weight");
    ASSERT_NE(w, nullptr);
    double largest = 0;
    for (size_t i = 0; i < w->size; ++i)
        largest = std::max(largest, double(std::fabs(params.values()[w->offset + i])));
    EXPECT_LE(largest, a) << prefix;
    EXPECT_GT(largest, 0.95 * a) << prefix;
    const ParamInfo* b = params.find(prefix + ".bias");
    ASSERT_NE(b, nullptr);
    for (size_t i = 0; i < b->size; ++i) EXPECT_EQ(params.values()[b->offset + i], 0.0f) << prefix;
}

}  // namespace

// The fans are PyTorch's (torch.nn.init): the weight's shape[1] and shape[0], each times the kernel's area.
TEST(WeightedLayer, GlorotFansAreTorchsFromTheWeightShape) {
    {
        Arena params;
        Linear fc(params, "fc", {.in = 30, .out = 20});  // weight (20, 30)
        expect_glorot(params, fc, "fc", 30, 20);
    }
    {
        Arena params;
        Conv2d conv(params, "conv", {.in = 3, .out = 8, .kh = 3, .kw = 5});  // weight (8, 3, 3, 5)
        expect_glorot(params, conv, "conv", 3 * 15, 8 * 15);
    }
    {
        Arena params;
        ConvTranspose2d up(params, "up", {.in = 8, .out = 2, .kernel = 4});  // weight (8, 2, 4, 4)
        expect_glorot(params, up, "up", 2 * 16, 8 * 16);
    }
}
