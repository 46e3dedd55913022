// Element-wise activations and the stable BCE-with-logits loss, on float arrays of n elements.
// Backward functions overwrite dx (activations have no parameters).
#pragma once
#include <cstddef>

namespace gan {

void leaky_relu_forward(float* y, const float* x, size_t n, float alpha);
void leaky_relu_backward(float* dx, const float* dy, const float* x, size_t n, float alpha);
void relu_forward(float* y, const float* x, size_t n);
void relu_backward(float* dx, const float* dy, const float* x, size_t n);
void tanh_forward(float* y, const float* x, size_t n);
void tanh_backward(float* dx, const float* dy, const float* y, size_t n);  // uses the output y
void sigmoid_forward(float* y, const float* x, size_t n);
void sigmoid_backward(float* dx, const float* dy, const float* y, size_t n);

// Mean over n logits of max(l,0) - l*t + log(1 + exp(-|l|)) with one target t for all.
// Writes dlogits[i] = scale * (sigmoid(l_i) - t) / n when dlogits is not null. Returns the mean loss.
float bce_with_logits(const float* logits, float target, size_t n, float* dlogits, float scale = 1.0f);

// Mean of sigmoid(logits): the mean probability D gives the batch (D(x), D(G(z))).
float mean_sigmoid(const float* logits, size_t n);

}  // namespace gan
