// Resizing and cropping as torchvision's Resize(n) + CenterCrop(n) do on PIL images, so a folder of
// images becomes the same n x n pixels here as in a PyTorch pipeline.
#pragma once
#include <utility>

#include "data/image_decode.h"

namespace gan {

inline constexpr int kResizeMaxChannels = 4;

// PIL's Image.resize(..., BILINEAR) for 8-bit images: separable triangle filter whose support widens
// by the scale when shrinking (antialiasing), fixed-point weights of 22 fractional bits, the
// horizontal pass first and its result rounded to 8 bits, each pass skipped when its size is kept.
// out_height, out_width >= 1; 1 to kResizeMaxChannels channels.
Image resize_bilinear(const Image& in, int out_height, int out_width);

// torchvision Resize(n)'s output size (height, width): the shorter side becomes n and the longer
// one n * longer / shorter, rounded down.
std::pair<int, int> shorter_side_size(int height, int width, int n);

// torchvision CenterCrop: the height x width window whose top-left corner is at
// round((in - out) / 2) on each axis, rounding halves to even as Python's round() does.
// height <= in.height and width <= in.width.
Image center_crop(const Image& in, int height, int width);

// resize_bilinear to shorter_side_size(n), then center_crop to n x n.
Image resize_and_crop(const Image& in, int n);

}  // namespace gan
