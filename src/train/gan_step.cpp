#include "train/gan_step.h"

#include "kernels/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/check.h"
#include "kernels/activations.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "nn/activation.h"
#include "nn/linear.h"

namespace gan {

namespace {

const Linear* as_linear(Sequential& s, size_t i, bool bias) {
    if (i >= s.num_layers()) return nullptr;
    auto* l = dynamic_cast<const Linear*>(&s.layer(i));
    return l && l->options().bias == bias ? l : nullptr;
}

const Activation* as_act(Sequential& s, size_t i, Act act) {
    if (i >= s.num_layers()) return nullptr;
    auto* a = dynamic_cast<const Activation*>(&s.layer(i));
    return a && a->act() == act ? a : nullptr;
}

template <typename V>
void grow(V& v, size_t n) {
    if (v.size() < n) v.resize(n);
}

}  // namespace

GanStep::GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o)
    : m_(model), opt_g_(opt_g), opt_d_(opt_d), o_(o), loss_(o.loss) {
    // The fused path covers exactly the classic MLP (docs/classic_gan.md); anything else takes the layers.
    Sequential &g = m_.g, &d = m_.d;
    const Linear *g1 = as_linear(g, 0, true), *g2 = as_linear(g, 2, true);
    const Linear *d1 = as_linear(d, 0, true), *d2 = as_linear(d, 2, true);
    const Activation *ga = as_act(g, 1, Act::leaky_relu), *gt = as_act(g, 3, Act::tanh);
    const Activation* da = as_act(d, 1, Act::leaky_relu);
    if (g.num_layers() == 4 && d.num_layers() == 3 && g1 && g2 && d1 && d2 && ga && gt && da &&
        ga->alpha() >= 0 && da->alpha() >= 0 && g1->options().out == g2->options().in &&
        d1->options().out == d2->options().in && d2->options().out == 1 &&
        g2->options().out == d1->options().in && g.params.params().size() == 4 &&
        d.params.params().size() == 4) {
        mlp_.ok = true;
        mlp_.Z = g1->options().in, mlp_.HG = g1->options().out, mlp_.IMG = g2->options().out;
        mlp_.HD = d1->options().out;
        mlp_.alpha_g = ga->alpha(), mlp_.alpha_d = da->alpha();
        mlp_.gw1 = g1->weight_offset(), mlp_.gb1 = g1->bias_offset();
        mlp_.gw2 = g2->weight_offset(), mlp_.gb2 = g2->bias_offset();
        mlp_.dw1 = d1->weight_offset(), mlp_.db1 = d1->bias_offset();
        mlp_.dw2 = d2->weight_offset(), mlp_.db2 = d2->bias_offset();
    }
    if (o_.threads > 1 && fused()) pool_ = std::make_unique<ThreadPool>(o_.threads);
}

StepStats GanStep::step(const Tensor& real, const Tensor& z, const int* real_labels, const int* fake_labels,
                        bool update_g) {
    GAN_CHECK(real.shape.n == z.shape.n, "real and latent batches differ in size");
    GAN_CHECK(!m_.config.conditional || (real_labels && fake_labels), "a conditional model needs labels");
    if (fused() && update_g) return step_fused(real, z);
    return step_reference(real, z, real_labels, fake_labels, update_g);
}

namespace {
bool projection_head(const ModelConfig& c) { return c.conditional && (c.cond_d == CondD::proj || c.cond_d == CondD::proj_ac); }
}  // namespace

float GanStep::d_logits(const Tensor& out, const int* labels) {
    const int B = out.shape.n, width = int(out.shape.per_sample());
    logit_.resize(size_t(B));
    dlogit_.resize(size_t(B));
    if (projection_head(m_.config)) {
        proj_logits(logit_.data(), out, labels, m_.config.num_classes);
    } else {
        for (int i = 0; i < B; ++i) logit_[i] = out[size_t(i) * width];  // column 0: real/fake
    }
    return 0.0f;
}

float GanStep::d_logits_backward(const Tensor& out, const int* labels, bool class_loss) {
    const ModelConfig& c = m_.config;
    const int B = out.shape.n, width = int(out.shape.per_sample()), K = c.num_classes;
    dout_.resize(out.shape);
    if (projection_head(c)) {
        proj_logits_backward(dout_, dlogit_.data(), labels, K);
    } else {
        std::fill(dout_.v.begin(), dout_.v.end(), 0.0f);
        for (int i = 0; i < B; ++i) dout_[size_t(i) * width] = dlogit_[i];
    }
    if (!(class_loss && c.conditional && (c.cond_d == CondD::acgan || c.cond_d == CondD::proj_ac))) return 0.0f;
    // Auxiliary classifier: class_weight times the mean softmax cross-entropy of the class logits
    // (acgan: out[:, 1..K]; proj_ac: out[:, 1+K..2K], after the projection embeddings);
    // gradient class_weight (p - onehot)/B.
    const int first = c.cond_d == CondD::acgan ? 1 : 1 + K;
    const float w = o_.class_weight;
    double loss = 0;
    for (int i = 0; i < B; ++i) {
        const float* cl = out.data() + size_t(i) * width + first;
        float* dc = dout_.data() + size_t(i) * width + first;
        float mx = cl[0];
        for (int k = 1; k < K; ++k) mx = std::max(mx, cl[k]);
        double z = 0;
        for (int k = 0; k < K; ++k) z += std::exp(double(cl[k] - mx));
        loss += std::log(z) + mx - cl[labels[i]];
        for (int k = 0; k < K; ++k) dc[k] = float(std::exp(double(cl[k] - mx)) / z) * w / float(B);
        dc[labels[i]] -= w / float(B);
    }
    return float(o_.class_weight * loss / B);
}

StepStats GanStep::step_reference(const Tensor& real, const Tensor& z, const int* real_labels,
                                  const int* fake_labels, bool update_g) {
    const ModelConfig& c = m_.config;
    const size_t B = size_t(real.shape.n);
    StepStats s;
    make_g_input(gin_, z, fake_labels, c);
    const Tensor& fake = m_.g.forward(gin_);

    // D update: gradients of both halves accumulate, then one Adam step. Real and fake go through D
    // separately (batch-norm layers normalise each half by its own statistics).
    m_.d.params.zero_grad();
    m_.d.set_param_grads(true);
    make_d_input(din_real_, real, real_labels, c);
    const Tensor& out_real = m_.d.forward(din_real_);
    d_logits(out_real, real_labels);
    s.d_real = mean_sigmoid(logit_.data(), B);
    float loss_real = gan_loss(loss_, LossTerm::d_real, logit_.data(), B, o_.smooth, dlogit_.data());
    loss_real += d_logits_backward(out_real, real_labels, true);
    m_.d.backward(dout_, nullptr);
    make_d_input(din_fake_, fake, fake_labels, c);
    const Tensor& out_fake = m_.d.forward(din_fake_);
    d_logits(out_fake, fake_labels);
    s.d_fake = mean_sigmoid(logit_.data(), B);
    float loss_fake = gan_loss(loss_, LossTerm::d_fake, logit_.data(), B, o_.smooth, dlogit_.data());
    // AC-GAN trains its classifier on fakes too; proj_ac's classifier learns from real images only.
    loss_fake += d_logits_backward(out_fake, fake_labels, c.cond_d == CondD::acgan);
    m_.d.backward(dout_, nullptr);
    opt_d_.step();
    s.d_loss = loss_real + loss_fake;
    if (!update_g) return s;

    // G update: D frozen (no weight gradients), D's input gradient flows into G.
    m_.g.params.zero_grad();
    m_.d.set_param_grads(false);
    const Tensor& out_g = m_.d.forward(din_fake_);
    d_logits(out_g, fake_labels);
    s.g_loss = gan_loss(loss_, LossTerm::g_fake, logit_.data(), B, o_.smooth, dlogit_.data());
    s.g_loss += d_logits_backward(out_g, fake_labels, true);
    m_.d.backward(dout_, &ddin_);
    m_.d.set_param_grads(true);
    d_input_grad_to_image(dfake_, ddin_, c);
    m_.g.backward(dfake_, nullptr);
    opt_g_.step();
    return s;
}

// The same arithmetic as step_reference, layer by layer, on preallocated arrays. Row-major
// matrices; "x·Wᵀ" is gemm_exact(false, true, ...) with W as PyTorch stores it (OUT, IN).
StepStats GanStep::step_fused(const Tensor& real, const Tensor& z) {
    const Mlp& n = mlp_;
    const int B = real.shape.n, Z = n.Z, HG = n.HG, IMG = n.IMG, HD = n.HD;
    GAN_CHECK(int(z.shape.per_sample()) == Z && int(real.shape.per_sample()) == IMG,
              "batch shapes do not match the model");
    grow(gh_, size_t(B) * HG);
    grow(x2_, size_t(2 * B) * IMG);
    grow(dh_, size_t(2 * B) * HD);
    grow(logits_, size_t(2 * B));
    grow(dlog_, size_t(2 * B));
    grow(ddh_, size_t(2 * B) * HD);
    grow(dimg_, size_t(B) * IMG);
    grow(dgh_, size_t(B) * HG);
    Arena &gp = m_.g.params, &dp = m_.d.params;
    const float *gw1 = gp.value(n.gw1), *gb1 = gp.value(n.gb1), *gw2 = gp.value(n.gw2), *gb2 = gp.value(n.gb2);
    const float *dw1 = dp.value(n.dw1), *db1 = dp.value(n.db1), *dw2 = dp.value(n.dw2), *db2 = dp.value(n.db2);
    float* x_real = x2_.data();                    // (B, IMG)
    float* fake = x2_.data() + size_t(B) * IMG;    // (B, IMG)
    StepStats s;

    ThreadPool* P = pool_.get();  // null: everything on this thread, the same calls as before the split
    const size_t AL = 8;             // element-wise ranges split on multiples of 8 (AVX2 lanes)

    // fake = tanh(leaky(z·W1ᵀ + b1)·W2ᵀ + b2), written straight into the lower half of D's input.
    gemm_rows(P, false, true, B, HG, Z, 1.0f, z.data(), Z, gw1, Z, 0.0f, gh_.data(), HG, [&](size_t i0, size_t i1) {
        bias_leaky_relu_forward(gh_.data() + i0 * HG, gb1, int(i1 - i0), HG, n.alpha_g);
    });
    gemm_rows(P, false, true, B, IMG, HG, 1.0f, gh_.data(), HG, gw2, HG, 0.0f, fake, IMG, [&](size_t i0, size_t i1) {
        if (o_.fast_tanh)
            bias_tanh_forward_fast(fake + i0 * IMG, gb2, int(i1 - i0), IMG);
        else
            bias_tanh_forward(fake + i0 * IMG, gb2, int(i1 - i0), IMG);
        std::memcpy(x_real + i0 * IMG, real.data() + i0 * IMG, sizeof(float) * (i1 - i0) * IMG);
    });

    // ---- D update on [real; fake]: one forward, one weight-gradient GEMM over 2B rows.
    gemm_rows(P, false, true, 2 * B, HD, IMG, 1.0f, x2_.data(), IMG, dw1, IMG, 0.0f, dh_.data(), HD,
              [&](size_t i0, size_t i1) {
                  float* h = dh_.data() + i0 * HD;
                  bias_leaky_relu_forward(h, db1, int(i1 - i0), HD, n.alpha_d);
                  gemm_exact(false, true, int(i1 - i0), 1, HD, 1.0f, h, HD, dw2, HD, 0.0f, logits_.data() + i0, 1);
              });
    for (int i = 0; i < 2 * B; ++i) logits_[i] += db2[0];
    s.d_real = mean_sigmoid(logits_.data(), B);
    const float loss_real = bce_with_logits(logits_.data(), 1.0f - o_.smooth, B, dlog_.data());
    s.d_fake = mean_sigmoid(logits_.data() + B, B);
    const float loss_fake = bce_with_logits(logits_.data() + B, 0.0f, B, dlog_.data() + B);
    s.d_loss = loss_real + loss_fake;

    float *g_dw1 = dp.grad(n.dw1), *g_db1 = dp.grad(n.db1), *g_dw2 = dp.grad(n.dw2), *g_db2 = dp.grad(n.db2);
    // Every D gradient is written by this step alone: the GEMMs overwrite (beta 0), the small
    // accumulations start from zero, as after zero_grad.
    std::memset(g_db1, 0, sizeof(float) * HD);
    g_db2[0] = 0.0f;
    // The second layer's gradients, half by half as the reference accumulates them.
    gemm_exact(true, false, 1, HD, B, 1.0f, dlog_.data(), 1, dh_.data(), HD, 0.0f, g_dw2, HD);
    gemm_exact(true, false, 1, HD, B, 1.0f, dlog_.data() + B, 1, dh_.data() + size_t(B) * HD, HD, 1.0f, g_dw2, HD);
    for (int i = 0; i < 2 * B; ++i) g_db2[0] += dlog_[i];
    parallel_for(P, size_t(2 * B), AL, 64, [&](size_t i0, size_t i1) {
        outer_leaky_backward(ddh_.data() + i0 * HD, dlog_.data() + i0, dw2, dh_.data() + i0 * HD, int(i1 - i0), HD,
                             n.alpha_d);
    });
    // dW1 = ddhᵀ·x over 2B rows, split by columns of dW1 (each part also sums its share of db1).
    parallel_for(P, size_t(IMG), 16, 0, [&](size_t c0, size_t c1) {
        const int w = int(c1 - c0);
        if (o_.stack_dw) {
            gemm_exact(true, false, HD, w, 2 * B, 1.0f, ddh_.data(), HD, x2_.data() + c0, IMG, 0.0f, g_dw1 + c0, IMG);
        } else {
            gemm_exact(true, false, HD, w, B, 1.0f, ddh_.data(), HD, x_real + c0, IMG, 0.0f, g_dw1 + c0, IMG);
            gemm_exact(true, false, HD, w, B, 1.0f, ddh_.data() + size_t(B) * HD, HD, fake + c0, IMG, 1.0f, g_dw1 + c0,
                 IMG);
        }
    });
    parallel_for(P, size_t(HD), AL, 64, [&](size_t c0, size_t c1) {
        bias_grad_add(g_db1 + c0, ddh_.data() + c0, 2 * B, int(c1 - c0), HD);
    });
    opt_d_.step(P);

    // ---- G update: the updated D on the same fake batch; D's weights get no gradient.
    float* dh2 = dh_.data();  // (B, HD), reusing the D update's rows
    gemm_rows(P, false, true, B, HD, IMG, 1.0f, fake, IMG, dw1, IMG, 0.0f, dh2, HD, [&](size_t i0, size_t i1) {
        float* h = dh2 + i0 * HD;
        const int rows = int(i1 - i0);
        bias_leaky_relu_forward(h, db1, rows, HD, n.alpha_d);
        gemm_exact(false, true, rows, 1, HD, 1.0f, h, HD, dw2, HD, 0.0f, logits_.data() + i0, 1);
    });
    for (int i = 0; i < B; ++i) logits_[i] += db2[0];
    s.g_loss = bce_with_logits(logits_.data(), 1.0f, B, dlog_.data());
    // dfake = (dlogit·w2 ⊙ leaky')·W1, then through tanh; row blocks end to end.
    parallel_for(P, size_t(B), 16, 0, [&](size_t i0, size_t i1) {
        const int rows = int(i1 - i0);
        outer_leaky_backward(ddh_.data() + i0 * HD, dlog_.data() + i0, dw2, dh2 + i0 * HD, rows, HD, n.alpha_d);
        gemm_exact(false, false, rows, IMG, HD, 1.0f, ddh_.data() + i0 * HD, HD, dw1, IMG, 0.0f, dimg_.data() + i0 * IMG,
             IMG);
        tanh_backward_inplace(dimg_.data() + i0 * IMG, fake + i0 * IMG, size_t(rows) * IMG);
    });

    float *g_gw1 = gp.grad(n.gw1), *g_gb1 = gp.grad(n.gb1), *g_gw2 = gp.grad(n.gw2), *g_gb2 = gp.grad(n.gb2);
    std::memset(g_gb1, 0, sizeof(float) * HG);
    // dW2 = dimgᵀ·gh and db2, by blocks of G's output units.
    parallel_for(P, size_t(IMG), 16, 0, [&](size_t c0, size_t c1) {
        const int w = int(c1 - c0);
        gemm_exact(true, false, w, HG, B, 1.0f, dimg_.data() + c0, IMG, gh_.data(), HG, 0.0f, g_gw2 + c0 * HG, HG);
        std::memset(g_gb2 + c0, 0, sizeof(float) * w);
        bias_grad_add(g_gb2 + c0, dimg_.data() + c0, B, w, IMG);
    });
    gemm_rows(P, false, false, B, HG, IMG, 1.0f, dimg_.data(), IMG, gw2, HG, 0.0f, dgh_.data(), HG,
              [&](size_t i0, size_t i1) {
                  float* d = dgh_.data() + i0 * HG;
                  leaky_relu_backward_from_output(d, d, gh_.data() + i0 * HG, (i1 - i0) * HG, n.alpha_g);
              });
    gemm_split(P, true, false, HG, Z, B, 1.0f, dgh_.data(), HG, z.data(), Z, 0.0f, g_gw1, Z);
    bias_grad_add(g_gb1, dgh_.data(), B, HG);
    opt_g_.step(P);
    return s;
}

}  // namespace gan
