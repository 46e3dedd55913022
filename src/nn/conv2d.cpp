#include "nn/conv2d.h"

#include "core/check.h"

namespace gan {

namespace {

// Sets kh and kw from kernel where they are 0, checks o and returns the weight's shape (out, in, kh, kw).
std::vector<int64_t> resolve(Conv2dOptions& o, const std::string& prefix) {
    if (o.kh == 0) o.kh = o.kernel;
    if (o.kw == 0) o.kw = o.kernel;
    GAN_CHECK(o.in > 0 && o.out > 0 && o.kh > 0 && o.kw > 0 && o.stride > 0 && o.padding >= 0, prefix,
              ": conv2d needs positive channels, kernel and stride and a non-negative padding");
    return {o.out, o.in, o.kh, o.kw};
}

}  // namespace

// The base is built first, so o_ gets the options as resolve left them.
Conv2d::Conv2d(Arena& params, const std::string& prefix, Conv2dOptions o)
    : ConvLayer(params, prefix, resolve(o, prefix), 0, o.bias), o_(o) {}

ConvShape Conv2d::conv_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv2d expects ", o_.in, " input channels, got ", in.c);
    const int oh = (in.h + 2 * o_.padding - o_.kh) / o_.stride + 1;
    const int ow = (in.w + 2 * o_.padding - o_.kw) / o_.stride + 1;
    GAN_CHECK(in.h + 2 * o_.padding >= o_.kh && in.w + 2 * o_.padding >= o_.kw && oh > 0 && ow > 0, "conv2d kernel ",
              o_.kh, "x", o_.kw, " does not fit a ", in.h, "x", in.w, " input");
    return {.transposed = false, .n = in.n, .in = in.c, .out = o_.out, .kh = o_.kh, .kw = o_.kw, .stride = o_.stride,
            .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = oh, .ow = ow};
}

}  // namespace gan
