#include "models/conditioning.h"

#include <algorithm>

#include "core/check.h"
#include "models/gan_model.h"

namespace gan {

Shape g_input_shape(const ModelConfig& c, int n) {
    return {n, c.z_dim + (c.conditional ? c.num_classes : 0), 1, 1};
}

static bool d_concat(const ModelConfig& c) { return c.conditional && c.cond_d == CondD::concat; }

Shape d_input_shape(const ModelConfig& c, int n) {
    if (!d_concat(c)) return {n, c.channels, c.rows, c.cols};
    if (c.arch == Arch::mlp) return {n, c.image_values() + c.num_classes, 1, 1};
    return {n, c.channels + c.num_classes, c.rows, c.cols};
}

int d_outputs(const ModelConfig& c) {
    if (!c.conditional || c.cond_d == CondD::concat) return 1;
    return c.cond_d == CondD::proj_ac ? 1 + 2 * c.num_classes : 1 + c.num_classes;
}

bool d_input_adds_labels(const ModelConfig& c) { return d_concat(c); }

bool has_projection_head(const ModelConfig& c) {
    return c.conditional && (c.cond_d == CondD::proj || c.cond_d == CondD::proj_ac);
}

int class_logits_column(const ModelConfig& c) {
    if (!c.conditional) return -1;
    if (c.cond_d == CondD::acgan) return 1;
    if (c.cond_d == CondD::proj_ac) return 1 + c.num_classes;
    return -1;
}


static void check_labels(const int* labels, int n, int K) {
    GAN_CHECK(labels != nullptr, "a conditional model needs class labels");
    for (int i = 0; i < n; ++i)
        GAN_CHECK(labels[i] >= 0 && labels[i] < K, "class label ", labels[i], " is not in [0, ", K, ")");
}

void make_g_input(Tensor& gin, const Tensor& z, const int* labels, const ModelConfig& c, Backend& be) {
    const int n = z.shape.n;
    GAN_CHECK(int(z.shape.per_sample()) == c.z_dim, "latent has ", z.shape.per_sample(), " values per sample, not ",
              c.z_dim);
    gin.resize(g_input_shape(c, n));
    if (!c.conditional) {
        be.copy(gin.data(), z.data(), z.size());
        return;
    }
    check_labels(labels, n, c.num_classes);
    be.concat_one_hot(gin.data(), gin.shape.per_sample(), z.data(), size_t(c.z_dim), size_t(n), size_t(c.z_dim), 1,
                      labels, c.num_classes);
}

void make_d_input(Tensor& din, const Tensor& x, const int* labels, const ModelConfig& c, Backend& be) {
    din.resize(d_input_shape(c, x.shape.n));
    write_d_input(din, 0, x, labels, c, be);
}

void write_d_input(Tensor& din, size_t row, const Tensor& x, const int* labels, const ModelConfig& c, Backend& be) {
    const int n = x.shape.n;
    const size_t img = size_t(c.image_values()), width = din.shape.per_sample();
    GAN_CHECK(x.shape.per_sample() == img, "images have ", x.shape.per_sample(), " values, not ", img);
    GAN_CHECK(width == d_input_shape(c, 1).per_sample() && row + size_t(n) <= size_t(din.shape.n),
              "D's input has no room for ", n, " images at row ", row);
    float* dst = din.data() + row * width;
    if (!d_concat(c)) {
        be.copy(dst, x.data(), x.size());
        return;
    }
    check_labels(labels, n, c.num_classes);
    const size_t block = c.arch == Arch::mlp ? 1 : size_t(c.rows) * c.cols;
    be.concat_one_hot(dst, width, x.data(), img, size_t(n), img, block, labels, c.num_classes);
}

void d_input_grad_to_image(Tensor& dx, const Tensor& ddin, const ModelConfig& c, Backend& be) {
    const int n = ddin.shape.n;
    const size_t img = size_t(c.image_values());
    dx.resize({n, c.channels, c.rows, c.cols});
    be.copy_2d(dx.data(), img, ddin.data(), ddin.shape.per_sample(), size_t(n), img);
}

void proj_logits(float* logit, const Tensor& out, const int* labels, int K, Backend& be) {
    const size_t w = out.shape.per_sample();
    GAN_CHECK(w >= size_t(1 + K), "projection head expects at least ", 1 + K, " outputs per sample");
    check_labels(labels, out.shape.n, K);
    be.proj_logits(logit, out.data(), w, labels, size_t(out.shape.n));
}

void proj_logits_backward(Tensor& dout, const float* dlogit, const int* labels, int K, Backend& be) {
    const size_t w = dout.shape.per_sample();
    GAN_CHECK(w >= size_t(1 + K), "projection head expects at least ", 1 + K, " outputs per sample");
    be.proj_logits_backward(dout.data(), w, dlogit, labels, size_t(dout.shape.n));
}

}  // namespace gan
