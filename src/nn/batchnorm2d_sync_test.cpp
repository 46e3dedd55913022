// Batch norm over a batch split across ranks (threads standing in for MPI ranks, core/thread_comm.h):
// each rank's output rows and input gradient are those of one process on the whole batch, and the
// parameter gradients summed over the ranks are the whole batch's, within float rounding (the sums
// are split differently).
#include <gtest/gtest.h>

#include <cmath>
#include <mutex>

#include "gradcheck.h"
#include "nn/batchnorm2d.h"
#include "core/thread_comm.h"

using namespace gan;

namespace {

constexpr int kN = 5, kC = 3, kH = 4, kW = 4;

struct Whole {
    Tensor x, dy, y, dx;
    std::vector<float> dparams, running;
};

// One layer with weights and bias away from 1 and 0.
void set_params(Arena& params) {
    for (size_t i = 0; i < params.size(); ++i) params.values()[i] = 0.5f + 0.1f * float(i);
}

Whole one_process(Rng& rng) {
    Whole w;
    w.x = random_tensor({kN, kC, kH, kW}, rng, -2.0f, 3.0f);
    w.dy = random_tensor({kN, kC, kH, kW}, rng, -1.0f, 1.0f);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = kC});
    set_params(params);
    params.zero_grad();
    bn.forward(w.x, w.y);
    bn.backward(w.dy, &w.dx);
    w.dparams.assign(params.grads().begin(), params.grads().end());
    w.running.assign(buffers.values().begin(), buffers.values().end());
    return w;
}

Tensor rows_of(const Tensor& t, int first, int n) {
    Tensor r;
    r.resize({n, t.shape.c, t.shape.h, t.shape.w});
    const size_t width = t.shape.per_sample();
    std::copy(t.data() + size_t(first) * width, t.data() + size_t(first + n) * width, r.data());
    return r;
}

void expect_close(const float* a, const float* b, size_t n, double tol, const char* what) {
    for (size_t i = 0; i < n; ++i)
        ASSERT_NEAR(a[i], b[i], tol * (1.0 + std::fabs(b[i]))) << what << " [" << i << "]";
}

}  // namespace

TEST(BatchNorm2dSync, RanksComputeWhatOneProcessComputesOnTheWholeBatch) {
    Rng rng(7);
    const Whole w = one_process(rng);
    for (int ranks : {2, 3}) {
        std::vector<float> dparams(w.dparams.size(), 0.0f);
        std::mutex mu;
        gan::ThreadGroup group(ranks);
        group.run([&](Comm& comm) {
            const int first = comm.first_row(kN), n = comm.rows(kN);
            Arena params, buffers;
            BatchNorm2d bn(params, buffers, "bn", {.channels = kC});
            bn.set_comm(&comm);
            set_params(params);
            params.zero_grad();
            Tensor x = rows_of(w.x, first, n), dy = rows_of(w.dy, first, n), y, dx;
            bn.forward(x, y);
            bn.backward(dy, &dx);
            const size_t width = w.x.shape.per_sample();
            expect_close(y.data(), w.y.data() + first * width, y.size(), 1e-5, "y");
            expect_close(dx.data(), w.dx.data() + first * width, dx.size(), 1e-5, "dx");
            expect_close(buffers.values().data(), w.running.data(), w.running.size(), 1e-6, "running stats");
            std::lock_guard<std::mutex> lock(mu);
            for (size_t i = 0; i < dparams.size(); ++i) dparams[i] += params.grads()[i];
        });
        expect_close(dparams.data(), w.dparams.data(), dparams.size(), 1e-5, "dweight, dbias");
    }
}

TEST(BatchNorm2dSync, ALocalBatchAloneNormalisesDifferently) {
    // What the test above checks is not what a rank gets without the comm (so that test can fail).
    Rng rng(7);
    const Whole w = one_process(rng);
    Arena params, buffers;
    BatchNorm2d bn(params, buffers, "bn", {.channels = kC});
    set_params(params);
    Tensor x = rows_of(w.x, 0, 2), y;
    bn.forward(x, y);
    double diff = 0;
    for (size_t i = 0; i < y.size(); ++i) diff = std::max(diff, double(std::fabs(y[i] - w.y[i])));
    EXPECT_GT(diff, 1e-2);
}
