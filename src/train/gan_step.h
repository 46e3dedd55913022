// The GAN training step: the only place GAN logic lives (the classic system: docs/classic_gan.md).
//   fake = G(z)
//   D update:  d_loss = bce(D(real), 1 - smooth) + bce(D(fake), 0)   (G's weights untouched)
//   G update:  g_loss = bce(D(fake), 1) with the updated D, the same z and the same G(z)
//
// Two implementations of the same step:
// - the layer-by-layer one (StepOptions.fused = false, and any model that is not the classic MLP):
//   Sequential forward/backward, D run separately on the real and the fake half. It is the reference.
// - the fused one for the classic MLP (G: Linear-LeakyReLU-Linear-tanh, D: Linear-LeakyReLU-Linear(1)):
//   D's forward runs once on [real; fake] stacked (2B rows: D has no batch statistics, so each row's
//   logit is what a separate pass gives), bias + activation are applied in one pass after each GEMM,
//   D's weight gradient is one GEMM over the 2B rows, and every buffer is preallocated, so a
//   steady-state step makes no heap allocation. At 1 thread it equals the reference bitwise except
//   D's first weight gradient (one sum over 2B rows instead of two over B: float reassociation),
//   and G's output (fast_tanh: tanh_fast, within 2 ulp of std::tanh). With stack_dw = false and
//   fast_tanh = false it is bitwise the reference for B = 1 and B >= 10 (for 2..9 rows OpenBLAS may
//   pick another kernel than for twice as many, so D's stacked forward can round differently). src/train/gan_step_test.cpp
//   bounds both.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "models/gan_model.h"
#include "optim/adam.h"
#include "train/losses.h"

namespace gan {

struct StepOptions {
    float smooth = 0.1f;     // one-sided label smoothing: real target 1 - smooth
    LossKind loss = LossKind::bce;  // train/losses.h; the fused path is bce only
    float class_weight = 1.0f;  // acgan / proj_ac: weight of the auxiliary classification loss
    bool fused = true;       // the fused MLP step where the model allows it; false = the reference
    bool fast_tanh = true;   // fused step only: G's tanh by tanh_fast (<= 2 ulp) instead of std::tanh,
                             // which alone costs ~1 ms of a ~3.6 ms step at batch 100 (BENCHMARKS.md)
    // fused step only: threads of its own split of every GEMM and loop (the BLAS must then run at 1
    // thread: Trainer sees to it). OpenBLAS's own threads scale poorly on these skinny shapes.
    int threads = 1;
    bool stack_dw = true;    // fused step only: D's first weight gradient as one GEMM over 2B rows;
                             // false = two GEMMs over B rows, bitwise the reference at 1 thread
};

struct StepStats {
    float d_loss = 0, g_loss = 0;
    float d_real = 0, d_fake = 0;  // mean sigmoid(D(x)), sigmoid(D(G(z))) before the D update: D's
                                   // probabilities under BCE, squashed scores under the other losses
};

class GanStep {
  public:
    GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o);
    // real (B, C, H, W) in [-1, 1]; z (B, z_dim). Updates D, then G unless update_g is false.
    // Conditional models take the real batch's labels and the labels G draws (B each, in [0, K)).
    StepStats step(const Tensor& real, const Tensor& z, const int* real_labels = nullptr,
                   const int* fake_labels = nullptr, bool update_g = true);
    // Threads of the step's own split (1 unless the fused step runs with StepOptions::threads > 1).
    int split_threads() const { return pool_ ? pool_->size() : 1; }
    bool fused() const { return mlp_.ok && o_.fused && loss_ == LossKind::bce && !m_.config.conditional; }

  private:
    // The general step: any model, loss and conditioning, through the layers.
    StepStats step_reference(const Tensor& real, const Tensor& z, const int* real_labels, const int* fake_labels,
                             bool update_g);
    // D's output (B, d_outputs) -> the adversarial logits logit_ (B); and the gradient back into dout_.
    // "acgan" adds the class cross-entropy of out[:, 1..K] against labels (its value is returned).
    float d_logits(const Tensor& out, const int* labels);
    float d_logits_backward(const Tensor& out, const int* labels, bool class_loss);
    StepStats step_fused(const Tensor& real, const Tensor& z);

    GanModel& m_;
    Adam &opt_g_, &opt_d_;
    StepOptions o_;
    LossKind loss_ = LossKind::bce;
    std::unique_ptr<ThreadPool> pool_;  // fused step with threads > 1
    Tensor dlogits_, dfake_, fake_view_;
    Tensor gin_, din_real_, din_fake_, ddin_, dout_;
    std::vector<float> logit_, dlogit_;

    // The classic MLP as plain arrays: offsets into the arenas and sizes.
    struct Mlp {
        bool ok = false;
        int Z = 0, HG = 0, IMG = 0, HD = 0;
        float alpha_g = 0, alpha_d = 0;
        size_t gw1 = 0, gb1 = 0, gw2 = 0, gb2 = 0;  // G: (HG, Z), (HG), (IMG, HG), (IMG)
        size_t dw1 = 0, db1 = 0, dw2 = 0, db2 = 0;  // D: (HD, IMG), (HD), (1, HD), (1)
    } mlp_;
    // Workspaces of the fused step, sized for the largest batch seen (B rows).
    AlignedVec<float> gh_;      // (B, HG)     G's hidden activations
    AlignedVec<float> x2_;      // (2B, IMG)   [real; fake]: D's input for the D update
    AlignedVec<float> dh_;      // (2B, HD)    D's hidden activations
    AlignedVec<float> logits_;  // (2B)
    AlignedVec<float> dlog_;    // (2B)
    AlignedVec<float> ddh_;     // (2B, HD)    gradient at D's hidden pre-activation
    AlignedVec<float> dimg_;    // (B, IMG)    gradient at G's output pre-activation
    AlignedVec<float> dgh_;     // (B, HG)     gradient at G's hidden pre-activation
};

}  // namespace gan
