#include "nn/spectral_norm.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "nn/sequential.h"

namespace gan {

namespace {

// x / max(|x|, eps) over n values, in place.
void normalise(Backend& be, float* x, size_t n, float eps) {
    const float norm = float(std::sqrt(be.dot(x, x, n)));
    be.scale(x, n, 1.0f / std::max(norm, eps));
}

}  // namespace

SpectralNorm::SpectralNorm(Arena& buffers, const std::string& prefix, const WeightShape& s, float eps)
    : buffers_(buffers), eps_(eps) {
    GAN_CHECK(s.dim >= 0 && size_t(s.dim) < s.shape.size(), prefix, ": spectral norm over a dimension the weight lacks");
    h_ = s.shape[size_t(s.dim)];
    w_ = int64_t(s.size()) / h_;
    u_ = buffers.add(prefix + ".weight_u", {h_});
    v_ = buffers.add(prefix + ".weight_v", {w_});
}

void SpectralNorm::init(Rng& rng) {
    for (size_t off : {u_, v_}) {
        const size_t n = off == u_ ? size_t(h_) : size_t(w_);
        float* x = buffers_.values().data() + off;
        double sq = 0;
        for (size_t i = 0; i < n; ++i) x[i] = rng.normal(), sq += double(x[i]) * x[i];
        const float scale = 1.0f / std::max(float(std::sqrt(sq)), eps_);
        for (size_t i = 0; i < n; ++i) x[i] *= scale;
    }
}

// W as the (h, w) matrix: itself when dim is 0; a transposed convolution's (in, out, k...) with `out`
// moved to the front otherwise.
const float* SpectralNorm::as_matrix(Backend& be, const float* stored, const WeightShape& s) {
    if (s.dim == 0) return stored;
    GAN_CHECK(s.dim == 1, "spectral norm over dimension ", s.dim, " of a weight is not supported");
    const size_t outer = size_t(s.shape[0]), k = size_t(w_) / outer;
    mat_.on(be);
    mat_.resize({int(s.size()), 1, 1, 1});
    for (size_t i = 0; i < outer; ++i)
        be.copy_2d(mat_.data() + i * k, size_t(w_), stored + i * size_t(h_) * k, k, size_t(h_), k);
    return mat_.data();
}

void SpectralNorm::forward(Backend& be, float* w, const float* stored, const WeightShape& s, bool training) {
    const float* m = as_matrix(be, stored, s);
    float* u = buffers_.value(u_);
    float* v = buffers_.value(v_);
    const int h = int(h_), wd = int(w_);
    t_.on(be);
    t_.resize({h, 1, 1, 1});
    if (training) {
        be.gemm(true, false, wd, 1, h, 1.0f, m, wd, u, 1, 0.0f, v, 1);  // v = Wᵀu
        normalise(be, v, size_t(wd), eps_);
    }
    be.gemm(false, false, h, 1, wd, 1.0f, m, wd, v, 1, 0.0f, t_.data(), 1);  // t = W v
    if (training) {
        be.copy(u, t_.data(), size_t(h));
        normalise(be, u, size_t(h), eps_);
    }
    sigma_ = float(be.dot(u, t_.data(), size_t(h)));
    be.copy(w, stored, s.size());
    be.scale(w, s.size(), 1.0f / sigma_);
}

void SpectralNorm::backward(Backend& be, float* dstored, const float* dw, const float*, const float* w,
                            const WeightShape& s) {
    const float c = float(be.dot(dw, w, s.size())) / sigma_;
    be.axpy(dstored, dw, s.size(), 1.0f / sigma_);
    const float* u = buffers_.value(u_);
    const float* v = buffers_.value(v_);
    const int h = int(h_), wd = int(w_);
    if (s.dim == 0) {  // dstored -= c · u vᵀ
        be.gemm(false, false, h, wd, 1, -c, u, 1, v, wd, 1.0f, dstored, wd);
        return;
    }
    // (in, out, k...): block i is (out, k), the columns [i·k, (i + 1)·k) of u vᵀ.
    const int outer = int(s.shape[0]), k = wd / outer;
    for (int i = 0; i < outer; ++i)
        be.gemm(false, false, h, k, 1, -c, u, 1, v + size_t(i) * k, k, 1.0f, dstored + size_t(i) * h * k,
                k);
}

void add_spectral_norm(Sequential& net, size_t i) {
    LayerWeight* lw = net.layer(i).weight();
    GAN_CHECK(lw, net.prefix(), ".", i, ": spectral norm needs a layer with a weight, not ", net.layer(i).kind());
    const std::string prefix = net.prefix() + "." + std::to_string(i);
    net.params.rename(lw->offset(), prefix + ".weight_orig");
    lw->set_transform(std::make_unique<SpectralNorm>(net.buffers, prefix, lw->shape()));
}

}  // namespace gan
