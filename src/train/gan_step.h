// The GAN training step: the only place GAN logic lives (DESIGN.md §1).
//   fake = G(z)
//   D update:  d_loss = bce(D(real), 1 - smooth) + bce(D(fake), 0)   (G's weights untouched)
//   G update:  g_loss = bce(D(fake), 1) with the updated D, the same z and the same G(z)
#pragma once
#include "models/gan_model.h"
#include "optim/adam.h"

namespace gan {

struct StepOptions {
    float smooth = 0.1f;  // one-sided label smoothing: real target 1 - smooth
};

struct StepStats {
    float d_loss = 0, g_loss = 0;
    float d_real = 0, d_fake = 0;  // mean D(x) and D(G(z)) as probabilities, before the D update
};

class GanStep {
  public:
    GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o);
    // real (B, C, H, W) in [-1, 1]; z (B, z_dim). Updates both networks.
    StepStats step(const Tensor& real, const Tensor& z);

  private:
    GanModel& m_;
    Adam &opt_g_, &opt_d_;
    StepOptions o_;
    Tensor dlogits_, dfake_, fake_view_;
};

}  // namespace gan
