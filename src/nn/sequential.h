// Sequential: layers in order over one parameter arena, owning the activations between them.
// Layer i's parameters are named "<prefix>.<i>.weight" etc., as in a PyTorch nn.Sequential.
// A layer that offers an epilogue (an activation) is absorbed by the layer before it when that layer
// can compute it (nn/layer.h): the pair then runs as one, and the activation layer stays in the list
// (for names, export and inspection) but is skipped when the model runs.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/layer.h"

namespace gan {

// How a model computes: in training mode (batch statistics, a transform's state updates) or in
// evaluation mode, and in which precision from which layer on (set_precision).
struct Mode {
    bool training = true;
    Precision precision = Precision::exact;
    size_t precision_first = 0;
};

class Sequential {
  public:
    explicit Sequential(std::string prefix) : prefix_(std::move(prefix)) {}
    Sequential(const Sequential&) = delete;
    Sequential& operator=(const Sequential&) = delete;

    // add<Linear>(LinearOptions{...}) for layers with parameters (they get the arena and name),
    // add_plain<Activation>(...) for layers without.
    template <typename L, typename... A>
    L& add(A&&... args) {
        auto layer = std::make_unique<L>(params, prefix_ + "." + std::to_string(layers_.size()),
                                         std::forward<A>(args)...);
        return push(std::move(layer));
    }
    // Layers with non-trainable state (batch-norm running statistics) also get the buffer arena:
    // L(params, buffers, name, args...).
    template <typename L, typename... A>
    L& add_with_buffers(A&&... args) {
        auto layer = std::make_unique<L>(params, buffers, prefix_ + "." + std::to_string(layers_.size()),
                                         std::forward<A>(args)...);
        return push(std::move(layer));
    }
    template <typename L, typename... A>
    L& add_plain(A&&... args) {
        return push(std::make_unique<L>(std::forward<A>(args)...));
    }

    // Checks every layer's shape for a given input; returns the output shape. Throws on a mismatch.
    Shape check_shapes(Shape in) const;
    // x must stay alive until backward. With `out`, the last layer writes its output there (a caller's
    // buffer, e.g. the rows of a larger batch) instead of into the model's own tensor.
    const Tensor& forward(const Tensor& x, Tensor* out = nullptr);
    void backward(const Tensor& dy, Tensor* dx);
    void set_param_grads(bool on);
    void set_training(bool training);
    Mode mode() const { return {training_, precision_, precision_first_}; }
    void set_mode(const Mode& m);
    // Every layer's parameters by the scheme, drawn in layer order; then sent to the arenas' device.
    void init(InitScheme scheme, Rng& rng);
    // Layers from `first` on compute in precision p where they support it (nn/layer.h); the others exactly.
    void set_precision(Precision p, size_t first = 0);
    Precision precision() const { return precision_; }
    size_t precision_first() const { return precision_first_; }
    void set_backend(Backend* backend);  // every layer's (nn/layer.h), and the model's
    Backend& backend() const { return *be_; }
    void set_comm(Comm* comm);  // every layer's (nn/layer.h)
    Comm* comm() const { return comm_; }  // the last set_comm's
    // Every layer absorbed into its predecessor runs on its own again (fuse = false), or is absorbed again.
    void set_fusion(bool fuse);
    bool batch_statistics() const;  // some layer's output depends on the whole batch
    bool splits_over_pool() const;  // every layer runs on the pool without BLAS threads
    bool supports(Precision p) const;  // some layer computes in precision p
    bool absorbed(size_t i) const { return absorbed_[i]; }
    const Tensor& output() const { return *out_; }
    size_t num_layers() const { return layers_.size(); }
    Layer& layer(size_t i) { return *layers_[i]; }
    const std::string& prefix() const { return prefix_; }
    // Names the layers added from now on "<prefix>.<i>..."; only before the first layer (throws after).
    void set_prefix(std::string prefix);

    Arena params;   // trained by the optimiser
    Arena buffers;  // saved in checkpoints but not trained (e.g. running mean/var); grads unused

  private:
    template <typename L>
    L& push(std::unique_ptr<L> layer) {
        L& ref = *layer;
        layers_.push_back(std::move(layer));
        acts_.emplace_back();
        acts_.back().on(*be_);
        absorbed_.push_back(false);
        fuse_last();
        return ref;
    }
    void fuse_last();
    std::string prefix_;
    std::vector<std::unique_ptr<Layer>> layers_;
    std::vector<Tensor> acts_;      // acts_[i] = output of layer i (unused when layer i is absorbed)
    std::vector<bool> absorbed_;    // layer i runs inside layer i - 1
    const Tensor* out_ = nullptr;   // the last forward's output
    bool training_ = true;
    Precision precision_ = Precision::exact;
    size_t precision_first_ = 0;
    Tensor grad_[2];            // ping-pong buffers for the backward pass
    Backend* be_ = &host_backend();
    Comm* comm_ = nullptr;
};

// A model's mode for a scope (sampling, evaluating), given back as it was on leaving: the one way code
// outside the training step changes how a model computes.
class ModeScope {
  public:
    ModeScope(Sequential& s, const Mode& m) : s_(s), old_(s.mode()) { s.set_mode(m); }
    ~ModeScope() { s_.set_mode(old_); }
    ModeScope(const ModeScope&) = delete;
    ModeScope& operator=(const ModeScope&) = delete;

  private:
    Sequential& s_;
    Mode old_;
};

}  // namespace gan
