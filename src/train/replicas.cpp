#include "train/replicas.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace gan {

struct StepReplicas::Rank {
    std::unique_ptr<GanModel> model;
    std::unique_ptr<Adam> opt_g, opt_d;
    std::unique_ptr<GanStep> step;
};

namespace {

// Rows [first, first + rows) of x into share.
void take_rows(Tensor& share, const Tensor& x, int first, int rows) {
    share.resize({rows, x.shape.c, x.shape.h, x.shape.w});
    const size_t w = x.shape.per_sample();
    std::copy(x.data() + size_t(first) * w, x.data() + size_t(first + rows) * w, share.data());
}

void copy_state(Sequential& to, const Sequential& from) {
    to.params.values() = from.params.values();
    to.buffers.values() = from.buffers.values();
}

void copy_moments(Adam& to, const Adam& from) {
    to.m.host() = from.m.host();
    to.v.host() = from.v.host();
    to.t = from.t;
}

}  // namespace

StepReplicas::StepReplicas(int ranks)
    : group_(ranks), pool_(ranks), shares_(size_t(ranks)), errors_(size_t(ranks)) {
    comms_.reserve(size_t(ranks));
    for (int r = 0; r < ranks; ++r) comms_.emplace_back(group_, r);
}

StepReplicas::~StepReplicas() = default;

void StepReplicas::build(const GanModel& model, const Adam& opt_g, const Adam& opt_d, const StepOptions& o,
                         const RunPolicy& p) {
    for (int r = 1; r < size(); ++r) {
        auto k = std::make_unique<Rank>();
        k->model = gan_build(model.config);
        k->opt_g = std::make_unique<Adam>(k->model->g.params, opt_g.options);
        k->opt_d = std::make_unique<Adam>(k->model->d.params, opt_d.options);
        RunPolicy rp = p;
        rp.replicas = 1;
        rp.comm = comm(r);
        rp.backend = nullptr;
        k->step = std::make_unique<GanStep>(*k->model, *k->opt_g, *k->opt_d, o, rp);
        ranks_.push_back(std::move(k));
    }
    copy_from(model, opt_g, opt_d);
}

void StepReplicas::copy_from(const GanModel& model, const Adam& opt_g, const Adam& opt_d) {
    for (auto& k : ranks_) {
        copy_state(k->model->g, model.g);
        copy_state(k->model->d, model.d);
        copy_moments(*k->opt_g, opt_g);
        copy_moments(*k->opt_d, opt_d);
    }
}

void StepReplicas::set_augment_stream(uint64_t key, uint64_t step_index) {
    for (auto& k : ranks_) k->step->set_augment_stream(key, step_index);
}

void StepReplicas::set_augment_p(float p) {
    for (auto& k : ranks_) k->step->set_augment_p(p);
}

StepStats StepReplicas::step(GanStep& first, const Tensor& real, const Tensor& z, const int* real_labels,
                             const int* fake_labels, bool update_g) {
    const int B = real.shape.n;
    StepStats stats;
    pool_.run([&](int r) {
        // The checks that may throw come before the first collective and see the same shapes on every
        // rank, so no rank is left waiting for one that threw.
        try {
            set_caller_library_threads(1);
            const int at = comms_[size_t(r)].first_row(B), rows = comms_[size_t(r)].rows(B);
            Share& share = shares_[size_t(r)];
            take_rows(share.real, real, at, rows);
            take_rows(share.z, z, at, rows);
            const int* rl = real_labels ? real_labels + at : nullptr;
            const int* fl = fake_labels ? fake_labels + at : nullptr;
            GanStep& step = r == 0 ? first : *ranks_[size_t(r - 1)]->step;
            const StepStats s = step.step_share(share.real, share.z, rl, fl, update_g);
            if (r == 0) stats = s;
        } catch (...) {
            errors_[size_t(r)] = std::current_exception();
        }
    });
    for (std::exception_ptr& e : errors_)
        if (e) std::rethrow_exception(std::exchange(e, nullptr));
    return stats;
}

}  // namespace gan
