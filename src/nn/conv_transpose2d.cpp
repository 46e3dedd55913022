#include "nn/conv_transpose2d.h"

#include "core/check.h"

namespace gan {

namespace {

const ConvTranspose2dOptions& checked(const ConvTranspose2dOptions& o, const std::string& prefix) {
    GAN_CHECK(o.in > 0 && o.out > 0 && o.kernel > 0 && o.stride > 0 && o.padding >= 0, prefix,
              ": conv_transpose2d needs positive channels, kernel and stride and a non-negative padding");
    GAN_CHECK(o.output_padding >= 0 && o.output_padding < o.stride, prefix, ": output_padding must be in [0, stride)");
    return o;
}

}  // namespace

ConvTranspose2d::ConvTranspose2d(Arena& params, const std::string& prefix, ConvTranspose2dOptions o)
    : ConvLayer(params, prefix, {checked(o, prefix).in, o.out, o.kernel, o.kernel}, 1, o.bias), o_(o) {}

ConvShape ConvTranspose2d::conv_shape(Shape in) const {
    GAN_CHECK(in.c == o_.in, "conv_transpose2d expects ", o_.in, " input channels, got ", in.c);
    const int oh = (in.h - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    const int ow = (in.w - 1) * o_.stride - 2 * o_.padding + o_.kernel + o_.output_padding;
    GAN_CHECK(oh > 0 && ow > 0, "conv_transpose2d padding ", o_.padding, " leaves no output for a ", in.h, "x",
              in.w, " input");
    // The convolution from y back to x must land on x's size exactly.
    GAN_CHECK(oh + 2 * o_.padding >= o_.kernel && (oh + 2 * o_.padding - o_.kernel) / o_.stride + 1 == in.h &&
                  (ow + 2 * o_.padding - o_.kernel) / o_.stride + 1 == in.w,
              "conv_transpose2d geometry is inconsistent");
    return {.transposed = true, .n = in.n, .in = in.c, .out = o_.out, .kh = o_.kernel, .kw = o_.kernel,
            .stride = o_.stride, .pad = o_.padding, .ih = in.h, .iw = in.w, .oh = oh, .ow = ow};
}

}  // namespace gan
