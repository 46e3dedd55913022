// Max pooling over NCHW planes (nn/pool.h has the layer's contract), on host arrays.
#pragma once
#include <cstddef>

namespace gan {

// MaxPool2d over planes (h, w) -> (oh, ow): y the window maxima, args the index of each winner within
// its input plane (the first maximum in reading order; a NaN wins and stays, as PyTorch).
void maxpool_forward(float* y, int* args, const float* x, size_t planes, int h, int w, int oh, int ow, int kernel,
                     int stride, int pad);
// dx = 0, then each dy added into the input its window's winner came from.
void maxpool_backward(float* dx, const float* dy, const int* args, size_t planes, int h, int w, int oh, int ow);

}  // namespace gan
