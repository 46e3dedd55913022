// How a run uses the machine, decided once from its options and the model and handed down: the device,
// the step's own threads, the BLAS's threads, the precision of G's tanh in training and the ranks a
// batch is split over. Nothing below the trainer chooses any of these for itself; the trainer, the
// benchmarks and the tests build a policy and the backend it names (make_backend).
#pragma once
#include "backend/backend.h"

namespace gan {

class Comm;
struct TrainOptions;
class Sequential;

struct RunPolicy {
    Device device = Device::cpu;
    // Models whose layers all split their work over the backend's threads run the step on `threads`
    // (each part single-threaded: the BLAS at 1). Any other model (the convolutional ones) runs
    // `replicas` copies of the step in this process, data-parallel, each on one thread with the BLAS
    // at 1 (train/replicas.h); where that is not done (on a GPU, or split over MPI ranks already) it
    // runs one step and lets the BLAS (and oneDNN) thread their products on `blas_threads`.
    int threads = 1;
    int blas_threads = 0;  // 0: leave the BLAS as it is
    int replicas = 1;
    bool fast_tanh = true;   // G's absorbed tanh by a tanh within 2 ulp (Precision::fast) in training
    Comm* comm = nullptr;    // the ranks the batch is split over; null: this process alone
    int global_batch = 0;    // the rows of a batch over all ranks
    Backend* backend = nullptr;  // a backend the caller owns and keeps alive; null: one made from the above
    BackendOptions backend_options() const { return {.device = device, .threads = threads, .blas_threads = blas_threads}; }
};

// requested: --threads (0: automatic). Automatic is every CPU this process may use, at most 4 (idle
// parts of a split spin briefly, and products of these sizes stop scaling there: BENCHMARKS.md);
// an explicit count is capped at the usable CPUs. `splits`: every layer of G and D splits over the
// backend's threads (Sequential::splits_over_pool); otherwise the count is of replicas.
RunPolicy run_policy(int requested, bool splits, int usable_cpus);
// The same for a model, from the train options (--threads, --batch, --device) and the process's CPUs:
// at most one replica per row of the batch, and none on a GPU or over MPI ranks (the BLAS threads instead).
RunPolicy run_policy(const TrainOptions& o, const Sequential& g, const Sequential& d, Comm* comm);

}  // namespace gan
