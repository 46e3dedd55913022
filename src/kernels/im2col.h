// im2col / col2im for 2-D convolutions on NCHW images (one image at a time), so a convolution is one
// GEMM: y (OC, OH*OW) = W (OC, C*KH*KW) · col (C*KH*KW, OH*OW). Transposed convolution and its
// gradients reuse the same pair (col2im is the adjoint of im2col).
#pragma once
#include <cstddef>

namespace gan {

// Geometry of one 2-D convolution over an image of c channels, h x w pixels.
struct ConvGeom {
    int c = 1, h = 1, w = 1;    // input channels and size
    int kh = 1, kw = 1;         // kernel size
    int sh = 1, sw = 1;         // stride
    int ph = 0, pw = 0;         // zero padding on each side
    int dh = 1, dw = 1;         // dilation
    int oh() const { return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1; }
    int ow() const { return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1; }
    int rows() const { return c * kh * kw; }  // rows of col, ordered (c, ki, kj) like W's (in, kh, kw)
    int cols() const { return oh() * ow(); }  // output pixels, row-major
    bool valid() const;                       // positive sizes and at least one output pixel
};

// col (rows, ld): col[(ci*kh + ki)*kw + kj][oy*ow + ox] = x[ci][oy*sh - ph + ki*dh][ox*sw - pw + kj*dw],
// 0 outside the image. x is one image (c, h, w). ld >= cols() is col's row stride, so several
// images can sit side by side in one matrix (image n at column n*cols()).
void im2col(float* col, size_t ld, const float* x, const ConvGeom& g);

// The adjoint: ADDS each col entry into the pixel it was read from (entries that fell into the
// padding are dropped). x (c, h, w) must be initialised (zero it for a plain write).
void col2im(float* x, const float* col, size_t ld, const ConvGeom& g);

// Batched forms: nb images x (c, h, w) each xs floats apart; image n fills columns [n*cols(), (n+1)*cols())
// of col. The loops run row by row over col (all images of one row together) from zero-padded copies of
// one channel's planes, so col streams through memory once and the planes stay in cache.
void im2col_batch(float* col, size_t ld, const float* x, size_t xs, int nb, const ConvGeom& g);
// accumulate: add into x as col2im (each pixel's col entries are summed first, then added to x);
// otherwise overwrite (x need not be initialised).
void col2im_batch(float* x, size_t xs, const float* col, size_t ld, int nb, const ConvGeom& g, bool accumulate);

// Oracles for tests: the same contracts by the most direct loops.
void im2col_naive(float* col, size_t ld, const float* x, const ConvGeom& g);
void col2im_naive(float* x, const float* col, size_t ld, const ConvGeom& g);

}  // namespace gan
