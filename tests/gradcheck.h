// Gradient check for a layer: backward against central finite differences of
// L = sum(y ⊙ r) for a random upstream gradient r, over the input and every parameter.
// Also checks that a second backward ADDS the same parameter gradients again, and (check_frozen)
// that a frozen layer (param_grads = false) adds nothing to the parameter gradients but still
// writes the same dx over whatever dx held.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/rng.h"
#include "nn/layer.h"

namespace gan {

inline Tensor random_tensor(Shape s, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
    Tensor t(s);
    for (size_t i = 0; i < t.size(); ++i) t[i] = rng.uniform(lo, hi);
    return t;
}

inline double weighted_sum(const Tensor& y, const Tensor& r) {
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += double(y[i]) * r[i];
    return s;
}

// After forward(x) and backward(r) gave dx: the same backward with param_grads = false. Empty on
// success, else what went wrong.
inline std::string check_frozen_backward(Layer& layer, Arena& params, const Tensor& r, const Tensor& dx) {
    params.zero_grad();
    Tensor frozen_dx(dx.shape);
    for (size_t i = 0; i < frozen_dx.size(); ++i) frozen_dx[i] = 1e6f;  // must be overwritten
    layer.param_grads = false;
    layer.backward(r, &frozen_dx);
    layer.param_grads = true;
    for (size_t i = 0; i < params.size(); ++i)
        if (params.grads()[i] != 0.0f) return "frozen layer changed parameter gradient " + std::to_string(i);
    if (frozen_dx.shape != dx.shape) return "frozen layer gives dx of another shape";
    for (size_t i = 0; i < dx.size(); ++i)
        if (std::fabs(frozen_dx[i] - dx[i]) > 1e-6f + 1e-5f * std::fabs(dx[i]))
            return "frozen layer gives another dx[" + std::to_string(i) + "]";
    return "";
}

// Returns an empty string on success, else a description of the worst coordinate.
inline std::string gradcheck(Layer& layer, Arena& params, Tensor x, Rng& rng, float eps = 1e-2f,
                             double rtol = 2e-2, double atol = 2e-3, bool check_frozen = true) {
    Tensor y;
    layer.forward(x, y);
    Tensor r = random_tensor(y.shape, rng);
    params.zero_grad();
    Tensor dx;
    layer.backward(r, &dx);
    const AlignedVec<float> g1 = params.grads();
    layer.forward(x, y);
    layer.backward(r, &dx);  // accumulates
    for (size_t i = 0; i < g1.size(); ++i)
        if (std::fabs(params.grads()[i] - 2 * g1[i]) > 1e-5 + 1e-4 * std::fabs(g1[i]))
            return "parameter gradient " + std::to_string(i) + " does not accumulate";
    if (check_frozen) {
        const std::string frozen = check_frozen_backward(layer, params, r, dx);
        if (!frozen.empty()) return frozen;
    }

    auto loss = [&] {
        Tensor yy;
        layer.forward(x, yy);
        return weighted_sum(yy, r);
    };
    auto compare = [&](const char* what, size_t i, double analytic, double numeric) -> std::string {
        if (std::fabs(analytic - numeric) > atol + rtol * std::fabs(numeric))
            return std::string(what) + "[" + std::to_string(i) + "]: backward " + std::to_string(analytic) +
                   " vs finite differences " + std::to_string(numeric);
        return "";
    };
    for (size_t i = 0; i < x.size(); ++i) {
        float keep = x[i];
        x[i] = keep + eps;
        double lp = loss();
        x[i] = keep - eps;
        double lm = loss();
        x[i] = keep;
        auto msg = compare("dx", i, dx[i], (lp - lm) / (2.0 * eps));
        if (!msg.empty()) return msg;
    }
    for (size_t i = 0; i < params.size(); ++i) {
        float keep = params.values()[i];
        params.values()[i] = keep + eps;
        double lp = loss();
        params.values()[i] = keep - eps;
        double lm = loss();
        params.values()[i] = keep;
        auto msg = compare("dparam", i, g1[i], (lp - lm) / (2.0 * eps));
        if (!msg.empty()) return msg;
    }
    return "";
}

}  // namespace gan
