// N threads of one process standing in for N MPI ranks (core/comm.h), for testing the data-parallel
// code without mpirun: each collective meets at a barrier, rank 0's thread sums the buffers in rank
// order (as src/mpi's chain sum does) and every thread copies the result.
#pragma once
#include <barrier>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "core/comm.h"

namespace gan::testing {

class ThreadGroup {
  public:
    explicit ThreadGroup(int n) : n_(n), meet_(n), bufs_(size_t(n)) {}
    int size() const { return n_; }

    template <class T>
    void sum(int rank, T* x, size_t count) {
        bufs_[size_t(rank)] = x;
        meet_.arrive_and_wait();
        if (rank == 0) {
            total_.assign(count * sizeof(T), 0);
            T* t = reinterpret_cast<T*>(total_.data());
            for (size_t i = 0; i < count; ++i) {
                T s = static_cast<T*>(bufs_[0])[i];
                for (int r = 1; r < n_; ++r) s = s + static_cast<T*>(bufs_[size_t(r)])[i];
                t[i] = s;
            }
        }
        meet_.arrive_and_wait();
        if (count) std::memcpy(x, total_.data(), count * sizeof(T));
        meet_.arrive_and_wait();
    }
    void barrier() { meet_.arrive_and_wait(); }

    // Runs fn(comm) on n threads, one per rank, and waits for them.
    void run(const std::function<void(Comm&)>& fn);

  private:
    int n_;
    std::barrier<> meet_;
    std::vector<void*> bufs_;
    std::vector<char> total_;
};

class ThreadComm final : public Comm {
  public:
    ThreadComm(ThreadGroup& g, int rank) : g_(g), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return g_.size(); }
    void allreduce_sum(float* x, size_t n) override { g_.sum(rank_, x, n); }
    void allreduce_sum(double* x, size_t n) override { g_.sum(rank_, x, n); }
    void barrier() override { g_.barrier(); }

  private:
    ThreadGroup& g_;
    int rank_;
};

inline void ThreadGroup::run(const std::function<void(Comm&)>& fn) {
    std::vector<std::thread> threads;
    for (int r = 0; r < n_; ++r)
        threads.emplace_back([this, r, &fn] {
            ThreadComm c(*this, r);
            fn(c);
        });
    for (std::thread& t : threads) t.join();
}

}  // namespace gan::testing
