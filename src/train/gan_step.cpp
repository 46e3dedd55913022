#include "train/gan_step.h"

#include <algorithm>

#include "core/check.h"
#include "models/conditioning.h"
#include "train/replicas.h"

namespace gan {

GanStep::GanStep(GanModel& model, Adam& opt_g, Adam& opt_d, StepOptions o, RunPolicy policy)
    : m_(model), opt_g_(opt_g), opt_d_(opt_d), o_(o), p_(policy) {
    if (p_.replicas > 1) {
        GAN_CHECK(p_.device == Device::cpu && !(p_.comm && p_.comm->distributed()),
                  "replicas of the step run on the CPU of one process");
        replicas_ = std::make_unique<StepReplicas>(p_.replicas);
        p_.comm = replicas_->comm(0);
    }
    stack_ = o_.stack_real_fake && !m_.d.batch_statistics();
    augment_ = parse_augment(o_.augment);
    GAN_CHECK(!augment_.any() || !d_input_adds_labels(m_.config),
              "augmentation needs a discriminator that reads the image alone (not --cond-d concat)");
    m_.g.set_precision(p_.fast_tanh ? Precision::fast : Precision::exact);
    if (!p_.backend) own_be_ = make_backend(p_.backend_options());
    be_ = p_.backend ? p_.backend : own_be_.get();
    for (Sequential* net : {&m_.g, &m_.d}) {
        net->set_backend(be_);
        place_all(*be_, net->params, net->buffers);
    }
    place_all(*be_, opt_g_, opt_d_);
    for (Tensor* t : {&g_in_, &d_in_, &d_in_fake_, &dout_, &dd_in_, &dfake_, &logits_, &dlogits_, &d_in_aug_})
        t->on(*be_);
    dist_ = p_.comm && p_.comm->distributed();
    if (dist_) {
        GAN_CHECK(p_.global_batch >= p_.comm->size(), "a batch of ", p_.global_batch, " rows cannot be split over ",
                  p_.comm->size(), " ranks");
        m_.g.set_comm(p_.comm);
        m_.d.set_comm(p_.comm);
    }
    if (replicas_) replicas_->build(m_, opt_g_, opt_d_, o_, p_);
}

GanStep::~GanStep() {
    for (Sequential* net : {&m_.g, &m_.d}) {
        place_all(host_memory(), net->params, net->buffers);
        net->set_backend(&host_backend());
    }
    place_all(host_memory(), opt_g_, opt_d_);
}

void GanStep::to_host() { download_all(m_.g.params, m_.g.buffers, m_.d.params, m_.d.buffers, opt_g_, opt_d_); }

void GanStep::to_device() {
    upload_all(m_.g.params, m_.g.buffers, m_.d.params, m_.d.buffers, opt_g_, opt_d_);
    if (replicas_) replicas_->copy_from(m_, opt_g_, opt_d_);
}

void GanStep::set_augment_stream(uint64_t key, uint64_t step_index) {
    aug_key_ = key, aug_step_ = step_index;
    if (replicas_) replicas_->set_augment_stream(key, step_index);
}

void GanStep::set_augment_p(float p) {
    o_.augment_p = p;
    if (replicas_) replicas_->set_augment_p(p);
}

int GanStep::replicas() const { return replicas_ ? replicas_->size() : 1; }

StepStats GanStep::step(const Tensor& real, const Tensor& z, const int* real_labels, const int* fake_labels,
                        bool update_g) {
    if (replicas_) {
        GAN_CHECK(real.shape.n == p_.global_batch, "a batch of ", real.shape.n, " rows for a step split for ",
                  p_.global_batch);
        return replicas_->step(*this, real, z, real_labels, fake_labels, update_g);
    }
    return step_share(real, z, real_labels, fake_labels, update_g);
}

StepStats GanStep::step_share(const Tensor& real, const Tensor& z, const int* real_labels, const int* fake_labels,
                              bool update_g) {
    GAN_CHECK(real.shape.n == z.shape.n, "real and latent batches differ in size");
    GAN_CHECK(!m_.config.conditional || (real_labels && fake_labels), "a conditional model needs labels");
    if (dist_) share_ = float(real.shape.n) / float(p_.global_batch);
    make_g_input(g_in_, z, fake_labels, m_.config, *be_);
    // Stacked, and D reads the images alone: G writes its batch straight into the first rows of D's input.
    fake_in_d_ = stack_ && !d_input_adds_labels(m_.config);
    const Tensor& fake = m_.g.forward(g_in_, fake_in_d_ ? &d_in_ : nullptr);
    StepStats s;
    m_.d.params.zero_grad();
    m_.d.set_param_grads(true);
    if (stack_)
        update_d_stacked(real, fake, real_labels, fake_labels, s);
    else
        update_d_halves(real, fake, real_labels, fake_labels, s);
    sum_grads(m_.d.params);
    opt_d_.step(*be_);
    if (update_g) {
        m_.g.params.zero_grad();
        s.g_loss = this->update_g(fake, fake_labels);
        sum_grads(m_.g.params);
        opt_g_.step(*be_);
    }
    sum_stats(s, update_g);
    return s;
}

void GanStep::scale_to_share() {
    if (dist_) be_->scale(dout_.data(), dout_.size(), share_);
}

void GanStep::sum_grads(Arena& params) {
    if (dist_) p_.comm->allreduce_sum(params.grads_device(), params.size());
}

void GanStep::sum_stats(StepStats& s, bool update_g) {
    if (!dist_) return;
    double v[5] = {s.d_loss * share_, update_g ? s.g_loss * share_ : 0.0, s.d_real * share_, s.d_fake * share_,
                   s.d_real_sign * share_};
    p_.comm->allreduce_sum(v, 5);
    s = {float(v[0]), float(v[1]), float(v[2]), float(v[3]), float(v[4])};
}

float GanStep::mean_sign(const float* logits, size_t n) {
    host_logits_.resize(n);
    be_->download(host_logits_.data(), logits, n);
    double sum = 0;
    for (float l : host_logits_) sum += l > 0 ? 1.0 : l < 0 ? -1.0 : 0.0;
    return float(sum / double(n));
}

void GanStep::read_logits(const Tensor& out, const int* labels) {
    const size_t n = size_t(out.shape.n), width = out.shape.per_sample();
    logits_.resize({int(n), 1, 1, 1});
    dlogits_.resize({int(n), 1, 1, 1});
    if (has_projection_head(m_.config))
        proj_logits(logits_.data(), out, labels, m_.config.num_classes, *be_);
    else
        be_->copy_2d(logits_.data(), 1, out.data(), width, n, 1);  // column 0: real/fake
}

void GanStep::write_output_grad(const Tensor& out, const int* labels) {
    dout_.resize(out.shape);
    if (has_projection_head(m_.config)) {
        proj_logits_backward(dout_, dlogits_.data(), labels, m_.config.num_classes, *be_);
        return;
    }
    const size_t n = size_t(out.shape.n), width = out.shape.per_sample();
    if (width > 1) be_->fill(dout_.data(), dout_.size(), 0.0f);
    be_->copy_2d(dout_.data(), width, dlogits_.data(), 1, n, 1);
}

// acgan's class logits are out[:, 1..K], proj_ac's out[:, 1+K..2K] (after the projection embeddings).
float GanStep::add_class_loss(const Tensor& out, const int* labels, size_t r0, size_t n) {
    const int first = class_logits_column(m_.config);
    if (first < 0) return 0.0f;
    const size_t width = out.shape.per_sample(), at = r0 * width + size_t(first);
    return class_loss(out.data() + at, width, m_.config.num_classes, labels + r0, n, o_.class_weight,
                      dout_.data() + at, *be_);
}

// D on [fake; real] as one batch of 2B rows; the losses and their gradients half by half.
void GanStep::update_d_stacked(const Tensor& real, const Tensor& fake, const int* real_labels,
                               const int* fake_labels, StepStats& s) {
    const ModelConfig& c = m_.config;
    const size_t B = size_t(real.shape.n);
    d_in_.resize(d_input_shape(c, int(2 * B)));  // storage only grows: the fake rows G wrote stay
    if (!fake_in_d_) write_d_input(d_in_, 0, fake, fake_labels, c, *be_);
    write_d_input(d_in_, B, real, real_labels, c, *be_);
    const int* labels = nullptr;
    if (c.conditional) {
        labels_.resize(2 * B);
        std::copy(fake_labels, fake_labels + B, labels_.begin());
        std::copy(real_labels, real_labels + B, labels_.begin() + std::ptrdiff_t(B));
        labels = labels_.data();
    }
    const Tensor& out = m_.d.forward(augmented(d_in_, 0));
    read_logits(out, labels);
    s.d_fake = be_->mean_sigmoid(logits_.data(), B);
    s.d_real = be_->mean_sigmoid(logits_.data() + B, B);
    s.d_real_sign = mean_sign(logits_.data() + B, B);
    const float fake_loss = be_->gan_loss(o_.loss, LossTerm::d_fake, logits_.data(), B, o_.smooth, dlogits_.data());
    const float real_loss =
        be_->gan_loss(o_.loss, LossTerm::d_real, logits_.data() + B, B, o_.smooth, dlogits_.data() + B);
    write_output_grad(out, labels);
    // AC-GAN trains its classifier on fakes too; proj_ac's classifier learns from real images only.
    s.d_loss = real_loss + add_class_loss(out, labels, B, B) + fake_loss;
    if (c.conditional && c.cond_d == CondD::acgan) s.d_loss += add_class_loss(out, labels, 0, B);
    scale_to_share();
    m_.d.backward(dout_, nullptr);
    if (fake_in_d_) d_in_.resize(d_input_shape(c, int(B)));  // back to G's batch for the G update
}

// D on each half by itself (a D with batch statistics normalises each by its own): gradients of both
// passes accumulate before the one Adam step.
void GanStep::update_d_halves(const Tensor& real, const Tensor& fake, const int* real_labels,
                              const int* fake_labels, StepStats& s) {
    const ModelConfig& c = m_.config;
    const size_t B = size_t(real.shape.n);
    make_d_input(d_in_, real, real_labels, c, *be_);
    const Tensor& out_real = m_.d.forward(augmented(d_in_, 0));
    read_logits(out_real, real_labels);
    s.d_real = be_->mean_sigmoid(logits_.data(), B);
    s.d_real_sign = mean_sign(logits_.data(), B);
    float loss = be_->gan_loss(o_.loss, LossTerm::d_real, logits_.data(), B, o_.smooth, dlogits_.data());
    write_output_grad(out_real, real_labels);
    loss += add_class_loss(out_real, real_labels, 0, B);
    scale_to_share();
    m_.d.backward(dout_, nullptr);

    const Tensor& out_fake = m_.d.forward(augmented(d_input_of(fake, fake_labels), 1));
    read_logits(out_fake, fake_labels);
    s.d_fake = be_->mean_sigmoid(logits_.data(), B);
    loss += be_->gan_loss(o_.loss, LossTerm::d_fake, logits_.data(), B, o_.smooth, dlogits_.data());
    write_output_grad(out_fake, fake_labels);
    if (c.conditional && c.cond_d == CondD::acgan) loss += add_class_loss(out_fake, fake_labels, 0, B);
    scale_to_share();
    m_.d.backward(dout_, nullptr);
    s.d_loss = loss;
}

// G's loss through the updated D, frozen (no weight gradients); D's input gradient flows into G.
float GanStep::update_g(const Tensor& fake, const int* fake_labels) {
    const ModelConfig& c = m_.config;
    const size_t B = size_t(fake.shape.n);
    m_.d.set_param_grads(false);
    const Tensor& out = m_.d.forward(augmented(d_input_of(fake, fake_labels), 2));
    read_logits(out, fake_labels);
    float loss = be_->gan_loss(o_.loss, LossTerm::g_fake, logits_.data(), B, o_.smooth, dlogits_.data());
    write_output_grad(out, fake_labels);
    loss += add_class_loss(out, fake_labels, 0, B);
    scale_to_share();
    m_.d.backward(dout_, &dd_in_);
    m_.d.set_param_grads(true);
    if (augment_.any()) aug_.backward(*be_, dd_in_, dd_in_);  // through the augmentation to G's output
    const Tensor* dfake = &dd_in_;
    if (d_input_adds_labels(c)) {
        d_input_grad_to_image(dfake_, dd_in_, c, *be_);
        dfake = &dfake_;
    }
    m_.g.backward(*dfake, nullptr);
    return loss;
}

// D's input for a batch of images: the images themselves, unless D also reads the labels.
const Tensor& GanStep::d_input_of(const Tensor& x, const int* labels) {
    if (!d_input_adds_labels(m_.config)) return x;
    make_d_input(d_in_fake_, x, labels, m_.config, *be_);
    return d_in_fake_;
}

const Tensor& GanStep::augmented(const Tensor& x, int pass) {
    if (!augment_.any()) return x;
    // Each (step, pass) has 2^32 blocks of the stream; each image 4 of them, from this rank's first row.
    const int first = dist_ ? p_.comm->first_row(p_.global_batch) : 0;
    const RngState base{aug_key_, ((aug_step_ * 4 + uint64_t(pass)) << 32) + 8 * uint64_t(first), 4};
    aug_.draw(augment_, x.shape.n, x.shape.h, x.shape.w, base, o_.augment_p);
    aug_.forward(*be_, x, d_in_aug_);
    return d_in_aug_;
}

}  // namespace gan
