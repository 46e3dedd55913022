// A weight parametrisation: the weight a layer computes with, derived from its stored parameter before
// each use (spectral normalisation divides the stored weight by its largest singular value; weight
// standardisation and weight norm are others). The layer keeps the stored parameter in its arena, asks
// the transform for the weight in each forward, and hands the transform the gradient at that weight in
// each backward, which it turns into the gradient at the stored parameter. Transforms compute through
// the layer's backend, so they run on whatever device the layer does.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/arena.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace gan {

// A weight as PyTorch stores it: `shape`, with `dim` the output dimension (0; 1 for a transposed
// convolution, whose weight is (in, out, kh, kw)).
struct WeightShape {
    std::vector<int64_t> shape;
    int dim = 0;
    size_t size() const;
};

class WeightTransform {
  public:
    virtual ~WeightTransform() = default;
    // Draws the transform's own state, if any, when the model's parameters are initialised (after the
    // layer's own draws, nn/sequential.h).
    virtual void init(Rng& /*rng*/) {}
    // w from the stored parameter. training: the transform may update its own state (a power
    // iteration's vectors); otherwise it must not.
    virtual void forward(Backend& be, float* w, const float* stored, const WeightShape& s, bool training) = 0;
    // ADDS into dstored the gradient at the stored parameter, given dw, the gradient at w, for the last
    // forward (stored and w are its input and output).
    virtual void backward(Backend& be, float* dstored, const float* dw, const float* stored, const float* w,
                          const WeightShape& s) = 0;
};

// A layer's weight: its stored parameter in the arena, through a transform when one is set.
class LayerWeight {
  public:
    LayerWeight(Arena& params, size_t offset, WeightShape shape)
        : params_(params), offset_(offset), shape_(std::move(shape)) {}
    void set_transform(std::unique_ptr<WeightTransform> t) { transform_ = std::move(t); }
    WeightTransform* transform() const { return transform_.get(); }
    size_t offset() const { return offset_; }  // of the stored parameter in its arena
    const WeightShape& shape() const { return shape_; }
    // Moves the transform's tensors onto the layer's memory (Layer::placed).
    void place(Memory& mem);

    // The weight to compute with: the stored parameter, or its transform (computed now).
    const float* forward(Backend& be, bool training);
    // The weight of the last forward (for the backward's products).
    const float* current() const;
    // Where the backward puts the weight gradient. overwrite non-null: as Arena::grad_to_write (*overwrite
    // set when the caller writes instead of adding); null: the caller adds. With a transform this is a
    // cleared scratch the caller fills; finish_grad() then passes it through the transform.
    float* grad(Backend& be, bool* overwrite);
    void finish_grad(Backend& be);

  private:
    Arena& params_;
    size_t offset_;
    WeightShape shape_;
    std::unique_ptr<WeightTransform> transform_;
    Tensor w_, dw_;  // the transformed weight and its gradient
};

}  // namespace gan
