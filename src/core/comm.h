// The processes a data-parallel run is split over, and the collectives its training step needs.
// A run of one process uses LocalComm (size 1: every collective leaves its buffer as it is), so the
// trainer, the step and batch norm have one code path; src/mpi/ provides the MPI one.
// Every collective is deterministic: the same ranks give bitwise the same result on every run, and
// every rank ends with the same bits (a sum is taken in rank order, never in whatever order the
// messages arrive).
#pragma once
#include <cstddef>

namespace gan {

class Comm {
  public:
    virtual ~Comm() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // x[i] <- x_0[i] + x_1[i] + ... + x_{size-1}[i], added left to right in rank order, on every rank.
    virtual void allreduce_sum(float* x, size_t n) = 0;
    virtual void allreduce_sum(double* x, size_t n) = 0;
    virtual void barrier() = 0;
    // Wall seconds this process has spent inside the collectives so far (waiting for slower ranks
    // included): the communication share of a run.
    virtual double busy_seconds() const { return 0; }
    bool distributed() const { return size() > 1; }
    // Rows [first_row(B), first_row(B) + rows(B)) of a global batch of B rows are this rank's share.
    int first_row(int batch) const { return int(long(batch) * rank() / size()); }
    int rows(int batch) const { return int(long(batch) * (rank() + 1) / size()) - first_row(batch); }
};

class LocalComm final : public Comm {
  public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void allreduce_sum(float*, size_t) override {}
    void allreduce_sum(double*, size_t) override {}
    void barrier() override {}
};

// The one process's comm, for callers given none.
inline Comm& local_comm() {
    static LocalComm c;
    return c;
}

}  // namespace gan
