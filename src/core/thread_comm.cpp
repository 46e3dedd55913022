#include "core/thread_comm.h"

#include <thread>

#include "core/check.h"
#include "core/thread_pool.h"

namespace gan {

ThreadGroup::ThreadGroup(int n) : n_(n), meet_(n), bufs_(size_t(n)) {
    GAN_CHECK(n >= 1, "a thread group needs at least one rank (got ", n, ")");
}

template <class T>
void ThreadGroup::sum_slices(int rank, T* x, size_t count) {
    bufs_[size_t(rank)] = x;
    meet_.arrive_and_wait();  // every rank's buffer is published
    size_t begin, end;
    split_range(count, rank, n_, 16, begin, end);
    for (size_t i = begin; i < end; ++i) {
        T s = static_cast<T*>(bufs_[0])[i];
        for (int r = 1; r < n_; ++r) s = s + static_cast<T*>(bufs_[size_t(r)])[i];
        for (int r = 0; r < n_; ++r) static_cast<T*>(bufs_[size_t(r)])[i] = s;
    }
    meet_.arrive_and_wait();  // every slice is written: the buffers may be read and reused
}

void ThreadGroup::sum(int rank, float* x, size_t count) { sum_slices(rank, x, count); }
void ThreadGroup::sum(int rank, double* x, size_t count) { sum_slices(rank, x, count); }

void ThreadGroup::run(const std::function<void(Comm&)>& fn) {
    std::vector<std::thread> threads;
    for (int r = 0; r < n_; ++r)
        threads.emplace_back([this, r, &fn] {
            ThreadComm c(*this, r);
            fn(c);
        });
    for (std::thread& t : threads) t.join();
}

}  // namespace gan
