// Spectral normalisation (Miyato et al. 2018) as torch.nn.utils.spectral_norm computes it, as a weight
// transform (nn/weight_transform.h). The stored weight W, as a matrix of h = W.shape[dim] rows (the output
// dimension) by w columns (the rest, in PyTorch's order), is divided by an estimate of its largest singular
// value σ = uᵀ W v. Each training forward first takes one power iteration, v = normalise(Wᵀu),
// u = normalise(W v) (normalise: x / max(|x|, eps)); an evaluation forward uses u and v as they are. The
// backward holds u and v constant, as PyTorch does: dW = dw/σ - (Σ dw⊙w)/σ · u vᵀ.
// u and v are buffers of the model, named as PyTorch's state dict names them: the layer's "X.weight"
// becomes "X.weight_orig" and the buffers "X.weight_u" (h) and "X.weight_v" (w) join it, so the state
// dicts of both load in the other.
#pragma once
#include <string>

#include "core/arena.h"
#include "core/rng.h"
#include "nn/weight_transform.h"

namespace gan {

class Layer;
class Sequential;

class SpectralNorm final : public WeightTransform {
  public:
    // u and v are added to `buffers` as <prefix>.weight_u and <prefix>.weight_v.
    SpectralNorm(Arena& buffers, const std::string& prefix, const WeightShape& s, float eps = 1e-12f);
    void init(Rng& rng) override;  // u, v ~ normalise(N(0, 1)), as PyTorch draws them
    void forward(Backend& be, float* w, const float* stored, const WeightShape& s, bool training) override;
    void backward(Backend& be, float* dstored, const float* dw, const float* stored, const float* w,
                  const WeightShape& s) override;
    float sigma() const { return sigma_; }  // of the last forward
    size_t u_offset() const { return u_; }
    size_t v_offset() const { return v_; }

  private:
    const float* as_matrix(Backend& be, const float* stored, const WeightShape& s);
    Arena& buffers_;
    int64_t h_ = 0, w_ = 0;
    size_t u_ = 0, v_ = 0;
    float eps_;
    float sigma_ = 1.0f;
    Tensor mat_, t_;  // W permuted to (h, w) when dim is not 0; W v
};

// Spectral normalisation on layer `i` of `net` (its weight renamed <prefix>.weight_orig, u and v added to
// net.buffers); before the arenas leave the host. Throws gan::Error for a layer without a weight.
void add_spectral_norm(Sequential& net, size_t i);

}  // namespace gan
