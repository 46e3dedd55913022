// Convolution and transposed convolution through oneDNN's direct (JIT, blocked-layout) primitives, for
// the layers whose shapes it runs faster than im2col + GEMM (BENCHMARKS.md, "oneDNN against im2col"):
// our tensors stay NCHW and weights stay in PyTorch's layout; each call reorders into and out of the
// layouts oneDNN picks. Built only with oneDNN (GAN_HAVE_DNNL); otherwise available() is false.
#pragma once
#include <memory>

namespace gan {

struct DnnlConvShape {
    bool transposed = false;  // false: Conv2d; true: ConvTranspose2d
    int n = 0, in = 0, out = 0, k = 0, stride = 1, pad = 0;
    int ih = 0, iw = 0, oh = 0, ow = 0;  // x (n, in, ih, iw) -> y (n, out, oh, ow)
    bool operator==(const DnnlConvShape&) const = default;
};

class DnnlConv {
  public:
    static bool available();
    explicit DnnlConv(const DnnlConvShape& s);  // throws gan::Error if oneDNN cannot build it
    ~DnnlConv();
    DnnlConv(const DnnlConv&) = delete;
    DnnlConv& operator=(const DnnlConv&) = delete;
    const DnnlConvShape& shape() const { return s_; }

    // y = conv(x, w); w in PyTorch's layout: (out, in, k, k) for Conv2d, (in, out, k, k) transposed.
    // Keeps x and w (pointers) for backward.
    void forward(const float* x, const float* w, float* y);
    // From dy: dx (overwritten; null to skip) and dw (ADDED into; null to skip), for the last forward.
    void backward(const float* dy, float* dx, float* dw);

  private:
    struct Impl;
    DnnlConvShape s_;
    std::unique_ptr<Impl> impl_;
};

// Whether Conv2d / ConvTranspose2d use oneDNN where it pays (default: yes when built with it). The
// im2col path stays the reference: tests run both and compare.
void conv_engine_use_onednn(bool on);
bool conv_engine_onednn();
// Whether a layer of these channels and smaller-side map size should use oneDNN (engine on, and a
// shape where it was measured to win). small_h/w: the output map of a conv, the input map of a
// transposed conv.
bool dnnl_pays(int in, int out, int small_h, int small_w);

}  // namespace gan
