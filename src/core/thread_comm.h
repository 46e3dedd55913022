// Ranks that are threads of one process (core/comm.h): the in-process data-parallel step
// (RunPolicy::replicas) and the tests of the MPI code paths without mpirun. Each collective meets at
// a barrier; then every rank sums its own slice of the elements over all ranks' buffers, in rank
// order (as src/mpi's chain sum does), and writes the sum into every rank's buffer; a second barrier
// ends it. So the result has the bits an MPI run over as many ranks gives, and every rank the same.
#pragma once
#include <barrier>
#include <cstddef>
#include <functional>
#include <vector>

#include "core/comm.h"

namespace gan {

class ThreadGroup {
  public:
    explicit ThreadGroup(int n);
    int size() const { return n_; }
    // Collectives of rank `rank`: each of the n ranks calls them in the same order from its own thread.
    void sum(int rank, float* x, size_t count);
    void sum(int rank, double* x, size_t count);
    void barrier() { meet_.arrive_and_wait(); }
    // Runs fn(comm) on n new threads, one per rank, and waits for them.
    void run(const std::function<void(Comm&)>& fn);

  private:
    template <class T>
    void sum_slices(int rank, T* x, size_t count);

    int n_;
    std::barrier<> meet_;
    std::vector<void*> bufs_;
};

class ThreadComm final : public Comm {
  public:
    ThreadComm(ThreadGroup& g, int rank) : g_(&g), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return g_->size(); }
    void allreduce_sum(float* x, size_t n) override { g_->sum(rank_, x, n); }
    void allreduce_sum(double* x, size_t n) override { g_->sum(rank_, x, n); }
    void barrier() override { g_->barrier(); }

  private:
    ThreadGroup* g_;
    int rank_;
};

}  // namespace gan
