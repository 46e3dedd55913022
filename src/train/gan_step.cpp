#include "train/gan_step.h"

#include "core/check.h"
#include "kernels/activations.h"

namespace gan {

GanStep::GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o)
    : m_(model), opt_g_(opt_g), opt_d_(opt_d), o_(o) {}

StepStats GanStep::step(const Tensor& real, const Tensor& z) {
    GAN_CHECK(real.shape.n == z.shape.n, "real and latent batches differ in size");
    const size_t B = size_t(real.shape.n);
    StepStats s;
    const Tensor& fake = m_.g.forward(z);

    // D update: gradients of both halves accumulate, then one Adam step.
    m_.d.params.zero_grad();
    m_.d.set_param_grads(true);
    dlogits_.resize({int(B), 1, 1, 1});
    const Tensor& real_logits = m_.d.forward(real);
    s.d_real = mean_sigmoid(real_logits.data(), B);
    float loss_real = bce_with_logits(real_logits.data(), 1.0f - o_.smooth, B, dlogits_.data());
    m_.d.backward(dlogits_, nullptr);
    const Tensor& fake_logits = m_.d.forward(fake);
    s.d_fake = mean_sigmoid(fake_logits.data(), B);
    float loss_fake = bce_with_logits(fake_logits.data(), 0.0f, B, dlogits_.data());
    m_.d.backward(dlogits_, nullptr);
    opt_d_.step();
    s.d_loss = loss_real + loss_fake;

    // G update: D frozen (no weight gradients), D's input gradient flows into G.
    m_.g.params.zero_grad();
    m_.d.set_param_grads(false);
    const Tensor& fake_logits2 = m_.d.forward(fake);
    s.g_loss = bce_with_logits(fake_logits2.data(), 1.0f, B, dlogits_.data());
    m_.d.backward(dlogits_, &dfake_);
    m_.d.set_param_grads(true);
    m_.g.backward(dfake_, nullptr);
    opt_g_.step();
    return s;
}

}  // namespace gan
