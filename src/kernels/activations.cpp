#include "kernels/activations.h"

#include <algorithm>
#include <cmath>

namespace gan {

// Written branch-free so GCC vectorises them (a select between x and alpha*x stays a scalar
// compare-and-branch loop: GCC will not if-convert the possibly trapping multiply). Same values:
// max(x,0) + alpha*min(x,0) is x for x > 0 and alpha*x otherwise; dy * 1 is dy.
void leaky_relu_forward(float* y, const float* x, size_t n, float alpha) {
    for (size_t i = 0; i < n; ++i) y[i] = std::max(x[i], 0.0f) + alpha * std::min(x[i], 0.0f);
}

void leaky_relu_backward(float* dx, const float* dy, const float* x, size_t n, float alpha) {
    for (size_t i = 0; i < n; ++i) {
        const float slope = x[i] > 0.0f ? 1.0f : alpha;
        dx[i] = dy[i] * slope;
    }
}

void relu_forward(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

// dy is read whatever x's sign, so the select needs no branch and GCC vectorises it (a load only on
// one side of the select is not if-converted: a mispredicted branch per element on mixed signs).
void relu_backward(float* dx, const float* dy, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        const float g = dy[i];
        dx[i] = x[i] > 0.0f ? g : 0.0f;
    }
}

void tanh_forward(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void tanh_backward(float* dx, const float* dy, const float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

void sigmoid_forward(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}

void sigmoid_backward(float* dx, const float* dy, const float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

float bce_with_logits(const float* logits, float target, size_t n, float* dlogits, float scale) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        float l = logits[i];
        sum += std::fmax(l, 0.0f) - l * target + std::log1p(std::exp(-std::fabs(l)));
        if (dlogits) {
            float s = 1.0f / (1.0f + std::exp(-l));
            dlogits[i] = scale * (s - target) / float(n);
        }
    }
    return float(sum / double(n));
}

float mean_sigmoid(const float* logits, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += 1.0 / (1.0 + std::exp(-double(logits[i])));
    return float(sum / double(n));
}

}  // namespace gan
