#include "mpi/mpi_comm.h"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "core/check.h"

namespace gan {

namespace {

// 64 Ki values a message: large enough that each costs far more in bandwidth than in latency, small
// enough that the chain's stages overlap on a gradient arena of a few MB.
constexpr size_t kChunk = size_t(1) << 16;

void check(int rc, const char* what) { GAN_CHECK(rc == MPI_SUCCESS, "MPI: ", what, " failed (error ", rc, ")"); }

template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }

enum Tag { kPartial = 1, kFinal = 2 };

// The chain sum of mpi_comm.h. Sends are non-blocking so that a rank passes chunk k on and takes
// chunk k+1 in at once; a chunk's buffer is rewritten (by the finished sum) only after its send of
// the partial sum has completed.
template <class T>
void chain_sum(T* x, size_t n, int r, int N, std::vector<T>& in) {
    const size_t chunks = (n + kChunk - 1) / kChunk;
    const MPI_Datatype type = mpi_type<T>();
    const int next = (r + 1) % N, prev = (r + N - 1) % N, last = N - 1;
    std::vector<MPI_Request> sent(chunks, MPI_REQUEST_NULL), fwd(chunks, MPI_REQUEST_NULL);
    in.resize(std::min(n, kChunk));
    for (size_t k = 0; k < chunks; ++k) {  // partial sums up the chain: x_0 + ... + x_r
        T* p = x + k * kChunk;
        const int m = int(std::min(kChunk, n - k * kChunk));
        if (r > 0) {
            check(MPI_Recv(in.data(), m, type, prev, kPartial, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
            for (int i = 0; i < m; ++i) p[i] = in[size_t(i)] + p[i];
        }
        // The last rank holds the finished sum and starts it back round the chain at rank 0.
        check(MPI_Isend(p, m, type, next, r == last ? kFinal : kPartial, MPI_COMM_WORLD, &sent[k]), "MPI_Isend");
    }
    if (r != last) {  // finished sums down the chain N-1 -> 0 -> ... -> N-2
        for (size_t k = 0; k < chunks; ++k) {
            T* p = x + k * kChunk;
            const int m = int(std::min(kChunk, n - k * kChunk));
            check(MPI_Wait(&sent[k], MPI_STATUS_IGNORE), "MPI_Wait");
            check(MPI_Recv(p, m, type, prev, kFinal, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
            if (next != last) check(MPI_Isend(p, m, type, next, kFinal, MPI_COMM_WORLD, &fwd[k]), "MPI_Isend");
        }
    }
    check(MPI_Waitall(int(chunks), sent.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    check(MPI_Waitall(int(chunks), fwd.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
}

// Two ranks: each sends its values to the other and receives theirs at once (both directions of the
// link busy, n values each way instead of the chain's 2n), and both add in rank order, x_0 + x_1: the
// chain's bits, on both ranks.
template <class T>
void pair_sum(T* x, size_t n, int r, std::vector<T>& in) {
    const MPI_Datatype type = mpi_type<T>();
    in.resize(std::min(n, kChunk));
    for (size_t k = 0; k * kChunk < n; ++k) {
        T* p = x + k * kChunk;
        const int m = int(std::min(kChunk, n - k * kChunk));
        check(MPI_Sendrecv(p, m, type, 1 - r, kPartial, in.data(), m, type, 1 - r, kPartial, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE),
              "MPI_Sendrecv");
        if (r == 0) {
            for (int i = 0; i < m; ++i) p[i] = p[i] + in[size_t(i)];
        } else {
            for (int i = 0; i < m; ++i) p[i] = in[size_t(i)] + p[i];
        }
    }
}

template <class T>
void rank_order_sum(T* x, size_t n, int r, int N, std::vector<T>& in) {
    if (N == 2)
        pair_sum(x, n, r, in);
    else
        chain_sum(x, n, r, N, in);
}

std::vector<float> in_f;
std::vector<double> in_d;

}  // namespace

MpiComm::MpiComm() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiComm::~MpiComm() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

void MpiComm::allreduce_sum(float* x, size_t n) {
    const double t0 = MPI_Wtime();
    if (size_ > 1 && n > 0) rank_order_sum(x, n, rank_, size_, in_f);
    busy_ += MPI_Wtime() - t0;
}

void MpiComm::allreduce_sum(double* x, size_t n) {
    const double t0 = MPI_Wtime();
    if (size_ > 1 && n > 0) rank_order_sum(x, n, rank_, size_, in_d);
    busy_ += MPI_Wtime() - t0;
}

void MpiComm::barrier() {
    const double t0 = MPI_Wtime();
    check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    busy_ += MPI_Wtime() - t0;
}

void mpi_abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::abort();  // MPI_Abort does not return; this says so to the compiler
}

}  // namespace gan
