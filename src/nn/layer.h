// The layer interface. forward(x, y) writes y and keeps what backward needs (pointers to x and y,
// which the caller keeps alive until backward). backward(dy, dx) ADDS the parameter gradients into
// the arena (unless param_grads is false, as for D during the G update) and overwrites dx; dx may
// be null when the input needs no gradient. "Backward returns dL/dx" is the whole GAN interface:
// D.backward(dlogits) -> dfake, G.backward(dfake).
//
// Beyond that, a layer describes itself so that Sequential and the training step can pick the fast
// way to run it without knowing which layer it is:
//  - epilogue(): an element-wise layer that the layer before it may compute in its own pass over its
//    output (absorb()): a GEMM's bias + activation in one pass instead of two.
//  - batch_statistics(): its output for one sample depends on the others in the batch (batch norm), so
//    a batch may not be stacked with another and run through it as one.
//  - splits_over_pool(): it needs no BLAS threads: its backend calls divide their work over the
//    backend's own threads (each part single-threaded), or are too cheap to split. A model whose layers
//    all do runs on the step's own threads; any other lets the BLAS thread its GEMMs (train/policy.h).
//  - set_backend(): the device and the table of operations it computes with (backend/backend.h);
//    the host's CPU backend until set.
//  - set_precision(): how exactly it may compute (see Precision, core/op_types.h).
//  - set_comm(): the ranks a data-parallel batch is split over (core/comm.h); a layer with batch
//    statistics takes them over the whole global batch. Null or one rank: this process's batch alone.
#pragma once
#include <optional>
#include <string>

#include "backend/backend.h"
#include "core/arena.h"
#include "core/rng.h"
#include "core/tensor.h"

namespace gan {

class Comm;
class LayerWeight;

// How a model's layers initialise their parameters; each layer draws its own, in the order it added
// them to the arena, from the Rng it is given (so a seed gives the same weights whatever the layers).
enum class InitScheme {
    glorot_uniform,  // weights U(-a, a), a = sqrt(6 / (fan_in + fan_out)), biases 0 (the TF tutorial's)
    dcgan_normal,    // weights N(0, 0.02), batch-norm weights N(1, 0.02), biases 0 (PyTorch's examples/dcgan)
};

class Layer {
  public:
    virtual ~Layer() = default;
    virtual Shape out_shape(Shape in) const = 0;  // throws gan::Error on an incompatible input
    virtual void forward(const Tensor& x, Tensor& y) = 0;
    virtual void backward(const Tensor& dy, Tensor* dx) = 0;
    virtual void set_training(bool training) { training_ = training; }
    virtual std::string kind() const = 0;
    // Writes the layer's parameters (and resets its buffers) on the host's copy of the arena; layers
    // without parameters draw nothing.
    virtual void init(InitScheme /*scheme*/, Rng& /*rng*/) {}
    // The layer's weight, where a parametrisation may be set on it (nn/weight_transform.h); null for
    // layers without one.
    virtual LayerWeight* weight() { return nullptr; }

    virtual std::optional<Epilogue> epilogue() const { return std::nullopt; }
    // Takes over `e` (forward applies it to the output, backward starts with its gradient); false when
    // this layer cannot. absorb(nullopt) gives it back.
    virtual bool absorb(std::optional<Epilogue> /*e*/) { return false; }
    virtual bool batch_statistics() const { return false; }
    virtual bool splits_over_pool() const { return false; }
    virtual bool supports(Precision p) const { return p == Precision::exact; }
    virtual void set_precision(Precision p) { precision_ = p; }
    // What the last backend kept for this layer belongs to it: a new backend starts afresh.
    void set_backend(Backend* backend) {
        be_ = backend;
        state_.reset();
        placed();
    }
    Backend& backend() const { return *be_; }
    void set_comm(Comm* comm) { comm_ = comm; }

    bool param_grads = true;

  protected:
    virtual void placed() {}  // a new backend was set: move the layer's own tensors onto its memory
    bool training_ = true;
    Precision precision_ = Precision::exact;
    Backend* be_ = &host_backend();
    OpStatePtr state_;     // the backend's own, between calls (scratch, packed weights, primitives)
    Comm* comm_ = nullptr;  // null: the batch is all there is
};

}  // namespace gan
