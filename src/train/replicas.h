// The in-process data-parallel step (RunPolicy::replicas > 1), for models whose layers do not split
// their work over the step's threads (the convolutional ones): the GanStep itself is rank 0 and steps
// the caller's model on the first share of every batch; each other rank is a copy of the model and its
// optimisers with a GanStep of its own, stepping on its share on a thread of a pool. The ranks meet
// through a ThreadComm (core/thread_comm.h), so they compute what as many MPI ranks would (batch norm
// over the whole batch, each gradient arena summed in rank order before the same Adam step,
// docs/distributed.md), and every copy keeps rank 0's bits. Each rank calls the BLAS and oneDNN
// single-threaded: one rank per core replaces their threads, which scale poorly on these products.
#pragma once
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include "core/thread_comm.h"
#include "core/thread_pool.h"
#include "train/gan_step.h"

namespace gan {

class StepReplicas {
  public:
    explicit StepReplicas(int ranks);
    ~StepReplicas();
    StepReplicas(const StepReplicas&) = delete;
    StepReplicas& operator=(const StepReplicas&) = delete;

    int size() const { return group_.size(); }
    Comm* comm(int rank) { return &comms_[size_t(rank)]; }
    // Ranks 1.. as copies of rank 0's model and optimisers, each with a GanStep of options o and policy
    // p (its own comm and backend, one replica).
    void build(const GanModel& model, const Adam& opt_g, const Adam& opt_d, const StepOptions& o,
               const RunPolicy& p);
    // Rank 0's parameters, buffers and moments into every other rank (after a checkpoint was loaded).
    void copy_from(const GanModel& model, const Adam& opt_g, const Adam& opt_d);
    void set_augment_stream(uint64_t key, uint64_t step_index);
    void set_augment_p(float p);
    // One step of every rank on its share of the batch: rank 0 (`first`) on the caller's thread.
    // Returns rank 0's statistics, which are the whole batch's.
    StepStats step(GanStep& first, const Tensor& real, const Tensor& z, const int* real_labels,
                   const int* fake_labels, bool update_g);

  private:
    struct Rank;
    ThreadGroup group_;
    std::vector<ThreadComm> comms_;
    std::vector<std::unique_ptr<Rank>> ranks_;  // ranks 1..size()-1
    ThreadPool pool_;
    struct Share {
        Tensor real, z;
    };
    std::vector<Share> shares_;  // per rank: its rows of the batch, copied on its own thread
    std::vector<std::exception_ptr> errors_;  // per rank, of the step in progress
};

}  // namespace gan
