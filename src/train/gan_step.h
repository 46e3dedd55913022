// The GAN training step: the one place GAN logic lives, for every model (the classic system:
// docs/classic_gan.md).
//   fake = G(z)
//   D update:  loss_D = loss(D(real), real) + loss(D(fake), fake)   (G's weights untouched)
//   G update:  loss_G = loss(D(fake), real) with the updated D, the same z and the same G(z)
// Names: G and D are the generator and the discriminator; a `d` prefix on a buffer means "gradient
// of the loss with respect to" (dlogits: the gradient at D's logits), as in llm.c.
//
// How the step runs follows from what the layers are (nn/layer.h), never from which model it is:
// - A D without batch statistics runs once on [fake; real] stacked (2B rows): each row's output is
//   what a pass on its own half gives, and each weight gradient is one GEMM over 2B rows. A D with
//   batch statistics (batch norm) sees each half on its own, as PyTorch's DCGAN example does.
// - Layers absorb the activation after them (bias + activation in one pass over a GEMM's rows).
// - Models whose layers all split their work over a pool run on the step's own threads (each part
//   single-threaded, so the bits do not depend on the thread count); others use the BLAS's threads.
//   The step makes its backend (backend/backend.h) with those threads and sets it on both models;
//   every numeric operation of the step, the losses and Adam included, runs on it.
// - Adam updates each arena in one pass, split over the same threads.
// Data-parallel (StepOptions::comm over more than one rank, docs/distributed.md): each rank holds b_r
// rows of the global batch of B. Its loss gradients are scaled by b_r/B, so that they are those of the
// mean loss over the whole batch; batch norm takes its statistics over the whole batch (nn/batchnorm2d.h);
// each gradient arena is summed over the ranks (one call per arena, in rank order) before its Adam
// step, so every rank takes the same step; the reported losses and probabilities are weighted the same.
// In one process the same split runs over threads (RunPolicy::replicas, train/replicas.h): this step is
// rank 0 and the other ranks are copies of the model, kept bitwise equal to it.
// Augmentation (StepOptions::augment): D sees T(x) for every batch x it is given, with T drawn per image
// afresh for each pass (the D update's real and fake rows, the G update's fakes), and G's gradient
// comes back through Tᵀ. The draws are a function of the stream key and the step index the trainer
// sets (set_augment_stream), so a resumed run draws what the uninterrupted one drew; each rank draws
// for its own rows.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/comm.h"
#include "models/gan_model.h"
#include "nn/augment.h"
#include "optim/adam.h"
#include "nn/losses.h"
#include "train/policy.h"

namespace gan {

struct StepOptions {
    float smooth = 0.1f;        // one-sided label smoothing: real target 1 - smooth
    LossKind loss = LossKind::bce;  // train/losses.h
    float class_weight = 1.0f;  // acgan / proj_ac: weight of the auxiliary classification loss
    bool stack_real_fake = true;  // D without batch statistics: one pass over [real; fake]
    // Differentiable augmentation of every image D sees, real and fake, in both updates (nn/augment.h):
    // "none" or a comma-separated list of color, translation, cutout.
    std::string augment = "none";
    float augment_p = 1.0f;  // the probability each image is augmented with
};

struct StepStats {
    float d_loss = 0, g_loss = 0;
    float d_real = 0, d_fake = 0;  // mean sigmoid(D(x)), sigmoid(D(G(z))) before the D update: D's
                                   // probabilities under BCE, squashed scores under the other losses
    float d_real_sign = 0;         // mean sign(D(x)) over the real rows, as D saw them (train/ada.h)
};

class StepReplicas;

class GanStep {
  public:
    // The step runs on a backend made from the policy (train/policy.h): device, threads, precision, ranks.
    // The models' arenas and the optimisers' moments move onto the backend's device for the step's
    // lifetime, and back to the host when it ends.
    GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o, RunPolicy policy = {});
    ~GanStep();
    GanStep(const GanStep&) = delete;
    GanStep& operator=(const GanStep&) = delete;
    // The parameters, batch-norm buffers and moments to their host copies (for checkpoints, export,
    // checks), and the host copies back (after a checkpoint was loaded into them; with replicas, into
    // every replica too). No-ops on the host.
    void to_host();
    void to_device();
    // real (B, C, H, W) in [-1, 1]; z (B, z_dim). Updates D, then G unless update_g is false.
    // Conditional models take the real batch's labels and the labels G draws (B each, in [0, K)).
    StepStats step(const Tensor& real, const Tensor& z, const int* real_labels = nullptr,
                   const int* fake_labels = nullptr, bool update_g = true);
    // The augmentation's draws for the next step: from the stream `key` (an Rng's key) at the step's index.
    void set_augment_stream(uint64_t key, uint64_t step_index);
    // The probability each image of the next steps is augmented with (StepOptions::augment_p).
    void set_augment_p(float p);
    int split_threads() const { return be_->threads(); }  // 1: the BLAS threads the GEMMs
    int replicas() const;
    Backend& backend() { return *be_; }
    bool stacks_real_fake() const { return stack_; }

  private:
    friend class StepReplicas;
    // step() on this rank's rows alone.
    StepStats step_share(const Tensor& real, const Tensor& z, const int* real_labels, const int* fake_labels,
                         bool update_g);
    void update_d_stacked(const Tensor& real, const Tensor& fake, const int* real_labels, const int* fake_labels,
                          StepStats& s);
    void update_d_halves(const Tensor& real, const Tensor& fake, const int* real_labels, const int* fake_labels,
                         StepStats& s);
    float update_g(const Tensor& fake, const int* fake_labels);
    const Tensor& d_input_of(const Tensor& x, const int* labels);
    // D's input x through a fresh draw of the augmentation (pass: which of the step's passes), or x itself
    // without one.
    const Tensor& augmented(const Tensor& x, int pass);
    // Data-parallel: dout_ times this rank's share of the batch; the arena's gradients summed over the
    // ranks; the statistics weighted by the share and summed. No-ops in one process.
    void scale_to_share();
    void sum_grads(Arena& params);
    void sum_stats(StepStats& s, bool update_g);
    // logits_[i] = the adversarial logit of row i of D's output `out` (rows, d_outputs).
    void read_logits(const Tensor& out, const int* labels);
    // dout_ (shaped as out) from dlogits_: the adversarial head's gradient for every row.
    void write_output_grad(const Tensor& out, const int* labels);
    // The auxiliary classifier's loss on rows [r0, r0 + n) of out (acgan, proj_ac): class_weight times the
    // mean softmax cross-entropy over those n rows; its gradient is added into dout_. 0 for other models.
    float add_class_loss(const Tensor& out, const int* labels, size_t r0, size_t n);
    // The mean of sign(l) over n logits on the step's device.
    float mean_sign(const float* logits, size_t n);

    GanModel& m_;
    Adam &opt_g_, &opt_d_;
    StepOptions o_;
    RunPolicy p_;
    bool stack_ = false;
    bool dist_ = false;       // the batch is split over more than one rank
    float share_ = 1.0f;      // this rank's rows / the global batch
    bool fake_in_d_ = false;  // this step's G output lives in d_in_'s first rows
    std::unique_ptr<Backend> own_be_;
    Backend* be_ = nullptr;  // own_be_, or the policy's
    Tensor g_in_;            // (B, z_dim [+ K]) G's input
    Tensor d_in_;            // D's input: (2B, ...) stacked (G's output in the first B rows), or the real half
    Tensor d_in_fake_;       // D's input for the fake half when it is not G's output itself
    Tensor dout_;            // gradient at D's output
    Tensor dd_in_;           // gradient at D's input (G update)
    Tensor dfake_;           // gradient at G's output
    std::vector<int> labels_;  // (2B) [fake; real] labels of a stacked conditional pass
    Tensor logits_, dlogits_;  // (2B)
    AugmentPolicy augment_;
    Augment aug_;              // the last pass's draws
    Tensor d_in_aug_;          // D's augmented input
    uint64_t aug_key_ = 0, aug_step_ = 0;
    std::vector<float> host_logits_;  // mean_sign's copy
    std::unique_ptr<StepReplicas> replicas_;  // the other ranks of an in-process split, or null
};

}  // namespace gan
