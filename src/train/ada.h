// ADA's adaptive augmentation probability (Karras et al. 2020, "Training generative adversarial networks
// with limited data"): the differentiable augmentation (nn/augment.h) is applied to each image with
// probability p, and p follows how sure D is of the real images it sees. After every step the mean of
// sign(D(x)) over the step's real rows (augmented as D saw them) is added up; every kAdaInterval steps
// their mean r is compared with the target and
//   p += sign(r - target) · batch · kAdaInterval / images,   clamped to [0, 1],
// so that p can cross [0, 1] in `images` images. D sure of the reals (r above the target: it is
// starting to memorise them) raises p; D unsure lowers it. p starts at 0.
// The state is a few numbers that depend only on what the run computed, kept in the checkpoint's
// progress, so a resumed run moves p exactly as the uninterrupted one.
#pragma once

namespace gan {

constexpr int kAdaInterval = 4;  // steps between adjustments, as ADA's

struct AdaState {
    double p = 0;         // the probability the next step augments each image with
    double sign_sum = 0;  // Σ of the steps' mean sign(D(x)) since the last adjustment
    int steps = 0;        // steps added to sign_sum since the last adjustment
};

// One step's mean sign(D(x)) over its real rows; adjusts p at every kAdaInterval-th call.
void ada_update(AdaState& s, double real_sign, double target, int batch, double images);

}  // namespace gan
