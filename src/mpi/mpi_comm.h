// Comm over MPI_COMM_WORLD (built only with GAN_WITH_MPI). The sum is a pipelined chain in rank
// order: the buffer is cut into chunks; rank 0 sends each chunk to rank 1, rank r adds its own values
// to what rank r-1 sent (so every element is ((x_0 + x_1) + x_2) + ...) and passes it on; the last
// rank then sends the finished chunks back along the chain (N-1 -> 0 -> 1 -> ... -> N-2), so every
// rank ends with the last rank's bits. Each rank sends and receives about 2n values per sum (a ring
// reduce-scatter + allgather sends 2n(N-1)/N), in N - 1 + n/chunk steps of latency. Two ranks
// instead exchange their values in both directions at once and each adds x_0 + x_1: the same bits,
// n values each way.
#pragma once
#include "core/comm.h"

namespace gan {

class MpiComm final : public Comm {
  public:
    MpiComm();  // MPI_Init_thread (funneled: only the thread that trains calls MPI)
    ~MpiComm() override;  // MPI_Finalize
    MpiComm(const MpiComm&) = delete;
    MpiComm& operator=(const MpiComm&) = delete;
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    void allreduce_sum(float* x, size_t n) override;
    void allreduce_sum(double* x, size_t n) override;
    void barrier() override;
    double busy_seconds() const override { return busy_; }

  private:
    int rank_ = 0, size_ = 1;
    double busy_ = 0;
};

[[noreturn]] void mpi_abort(int code);

}  // namespace gan
