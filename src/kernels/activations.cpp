#include "kernels/activations.h"

#include <cmath>

namespace gan {

void leaky_relu_forward(float* y, const float* x, size_t n, float alpha) {
    for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : alpha * x[i];
}

void leaky_relu_backward(float* dx, const float* dy, const float* x, size_t n, float alpha) {
    for (size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : alpha * dy[i];
}

void relu_forward(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float* dx, const float* dy, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
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
