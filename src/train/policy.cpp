#include "train/policy.h"

#include <algorithm>

#include "core/comm.h"
#include "core/cpu.h"
#include "nn/sequential.h"
#include "train/options.h"

namespace gan {

RunPolicy run_policy(int requested, bool splits, int usable_cpus) {
    const int usable = std::max(1, usable_cpus);
    const int threads = requested > 0 ? std::min(requested, usable) : std::min(usable, 4);
    RunPolicy p;
    p.threads = splits ? threads : 1;
    p.blas_threads = 1;
    p.replicas = splits ? 1 : threads;
    return p;
}

RunPolicy run_policy(const TrainOptions& o, const Sequential& g, const Sequential& d, Comm* comm) {
    RunPolicy p = run_policy(o.threads, g.splits_over_pool() && d.splits_over_pool(), usable_cpus());
    p.device = o.device == "cuda" ? Device::cuda : Device::cpu;
    if (p.device != Device::cpu || (comm && comm->distributed())) {
        p.blas_threads = p.replicas;
        p.replicas = 1;
    }
    p.replicas = std::max(1, std::min(p.replicas, o.batch));
    p.comm = comm;
    p.global_batch = o.batch;
    return p;
}

}  // namespace gan
