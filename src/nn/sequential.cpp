#include "nn/sequential.h"

#include "core/check.h"
#include "nn/weight_transform.h"

namespace gan {

void Sequential::fuse_last() {
    const size_t i = layers_.size() - 1;
    if (i == 0 || absorbed_[i - 1]) return;
    if (auto e = layers_[i]->epilogue(); e && layers_[i - 1]->absorb(e)) absorbed_[i] = true;
}

void Sequential::set_fusion(bool fuse) {
    for (size_t i = 1; i < layers_.size(); ++i) {
        if (absorbed_[i]) {
            layers_[i - 1]->absorb(std::nullopt);
            absorbed_[i] = false;
        }
    }
    if (!fuse) return;
    for (size_t i = 1; i < layers_.size(); ++i) {
        if (absorbed_[i - 1]) continue;
        if (auto e = layers_[i]->epilogue(); e && layers_[i - 1]->absorb(e)) absorbed_[i] = true;
    }
}

void Sequential::set_prefix(std::string prefix) {
    GAN_CHECK(layers_.empty(), "a Sequential's prefix is set before its first layer");
    prefix_ = std::move(prefix);
}

Shape Sequential::check_shapes(Shape in) const {
    for (size_t i = 0; i < layers_.size(); ++i) {
        try {
            in = layers_[i]->out_shape(in);
        } catch (const Error& e) {
            throw Error(str(prefix_, ".", i, " (", layers_[i]->kind(), "): ", e.what()));
        }
    }
    return in;
}

const Tensor& Sequential::forward(const Tensor& x, Tensor* out) {
    GAN_CHECK(!layers_.empty(), prefix_, ": empty model");
    size_t last = layers_.size() - 1;
    while (absorbed_[last]) --last;  // layer 0 is never absorbed
    const Tensor* in = &x;
    for (size_t i = 0; i <= last; ++i) {
        if (absorbed_[i]) continue;  // computed by layer i - 1
        Tensor& y = out && i == last ? *out : acts_[i];
        layers_[i]->forward(*in, y);
        in = &y;
    }
    out_ = in;
    return *out_;
}

// An absorbed layer is skipped: the gradient at its output is what the layer that absorbed it takes.
// Gradients between layers alternate between the two buffers (layer 0 is never absorbed).
void Sequential::backward(const Tensor& dy, Tensor* dx) {
    const Tensor* g = &dy;
    int next = 0;
    for (size_t i = layers_.size(); i-- > 0;) {
        if (absorbed_[i]) continue;
        Tensor* out = i == 0 ? dx : &grad_[next];
        layers_[i]->backward(*g, out);
        g = out;
        next ^= 1;
    }
}

void Sequential::set_param_grads(bool on) {
    for (auto& l : layers_) l->param_grads = on;
}

void Sequential::set_mode(const Mode& m) {
    set_training(m.training);
    set_precision(m.precision, m.precision_first);
}

void Sequential::set_training(bool training) {
    training_ = training;
    for (auto& l : layers_) l->set_training(training);
}

void Sequential::set_precision(Precision p, size_t first) {
    precision_ = p;
    precision_first_ = first;
    for (size_t i = 0; i < layers_.size(); ++i) {
        Layer& l = *layers_[i];
        l.set_precision(i >= first && l.supports(p) ? p : Precision::exact);
    }
}

void Sequential::init(InitScheme scheme, Rng& rng) {
    for (auto& l : layers_) {
        l->init(scheme, rng);
        if (LayerWeight* w = l->weight(); w && w->transform()) w->transform()->init(rng);
    }
    upload_all(params, buffers);
}

void Sequential::set_backend(Backend* backend) {
    be_ = backend;
    for (auto& l : layers_) l->set_backend(backend);
    for (Tensor& t : acts_) t.on(*backend);
    for (Tensor& t : grad_) t.on(*backend);
}

void Sequential::set_comm(Comm* comm) {
    comm_ = comm;
    for (auto& l : layers_) l->set_comm(comm);
}

bool Sequential::batch_statistics() const {
    for (const auto& l : layers_)
        if (l->batch_statistics()) return true;
    return false;
}

bool Sequential::splits_over_pool() const {
    for (const auto& l : layers_)
        if (!l->splits_over_pool()) return false;
    return true;
}

bool Sequential::supports(Precision p) const {
    for (const auto& l : layers_)
        if (l->supports(p) && p != Precision::exact) return true;
    return p == Precision::exact;
}

}  // namespace gan
