// The classic GAN's training step against the PyTorch reference (tests/golden/reference_models.py):
// identical weights, real batches and latents (integer formulas, see tests/golden/make_golden.py), then
// both losses, every gradient and the weights after both Adam updates, over several steps.
#include <gtest/gtest.h>

#include <cmath>

#include "golden/seed_gan_golden.h"
#include "models/gan_model.h"
#include "optim/adam.h"
#include "train/gan_step.h"

using namespace gan;

namespace {

void fill_formula(Arena& arena, int first_index) {
    int p = first_index;
    for (const ParamInfo& info : arena.params()) {
        const bool bias = info.shape.size() == 1;
        const double scale = bias ? 0.05 : std::sqrt(6.0 / double(info.shape[0] + info.shape[1]));
        float* v = arena.value(info.offset);
        for (size_t i = 0; i < info.size; ++i)
            v[i] = float(double(int64_t((i * 7919 + 31 * p) % 1001) - 500) / 500.0 * scale);
        ++p;
    }
}

void run_golden(const GoldenCase& gc, double loss_tol, double value_atol, double grad_rtol) {
    ModelConfig cfg;
    cfg.z_dim = gc.Z, cfg.hidden = gc.H, cfg.rows = 1, cfg.cols = gc.IMG;
    auto model = gan_build(cfg);
    fill_formula(model->g.params, 0);
    fill_formula(model->d.params, 4);
    AdamOptions ao;
    ao.lr = gc.lr;
    Adam opt_g(model->g.params, ao), opt_d(model->d.params, ao);
    GanStep step(*model, opt_g, opt_d, StepOptions{0.1f});
    Tensor real({gc.B, 1, 1, gc.IMG}), z({gc.B, gc.Z, 1, 1});
    for (int s = 0; s < gc.steps; ++s) {
        for (size_t k = 0; k < real.size(); ++k)
            real[k] = float((s * 7 + k * 37 + 11) % 256) / 255.0f * 2.0f - 1.0f;
        for (size_t k = 0; k < z.size(); ++k) z[k] = float((s * 11 + k * 13 + 5) % 129) / 64.0f - 1.0f;
        StepStats st = step.step(real, z);
        EXPECT_NEAR(st.d_loss, gc.losses[2 * s], loss_tol) << "d_loss at step " << s;
        EXPECT_NEAR(st.g_loss, gc.losses[2 * s + 1], loss_tol) << "g_loss at step " << s;
    }
    std::vector<const ParamInfo*> infos;
    std::vector<Arena*> arenas;
    for (Arena* a : {&model->g.params, &model->d.params})
        for (const ParamInfo& p : a->params()) infos.push_back(&p), arenas.push_back(a);
    ASSERT_EQ(infos.size(), gc.params.size());
    for (size_t p = 0; p < infos.size(); ++p) {
        const GoldenParam& want = gc.params[p];
        const float* v = arenas[p]->value(infos[p]->offset);
        const float* g = arenas[p]->grad(infos[p]->offset);
        double sum = 0, gsum = 0, gabs = 0;
        for (size_t i = 0; i < infos[p]->size; ++i) sum += v[i], gsum += g[i], gabs += std::fabs(g[i]);
        EXPECT_NEAR(sum, want.sum, value_atol * infos[p]->size) << infos[p]->name;
        EXPECT_NEAR(gsum, want.grad_sum, grad_rtol * want.grad_abs_sum + 1e-7) << infos[p]->name;
        EXPECT_NEAR(gabs, want.grad_abs_sum, grad_rtol * want.grad_abs_sum + 1e-7) << infos[p]->name;
        for (size_t j = 0; j < want.idx.size(); ++j) {
            int i = want.idx[j];
            EXPECT_NEAR(v[i], want.value[j], value_atol) << infos[p]->name << "[" << i << "]";
            EXPECT_NEAR(g[i], want.grad[j], grad_rtol * std::fabs(want.grad[j]) + 1e-6)
                << infos[p]->name << ".grad[" << i << "]";
        }
    }
}

}  // namespace

TEST(Parity, TinyModelThreeStepsMatchPyTorch) { run_golden(golden_tiny, 1e-6, 1e-6, 1e-4); }

TEST(Parity, FullSizeModelTwoStepsMatchPyTorch) { run_golden(golden_full, 2e-6, 2e-6, 1e-3); }
