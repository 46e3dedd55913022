#include "core/thread_pool.h"

#include "core/check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GAN_PAUSE() _mm_pause()
#else
#define GAN_PAUSE() std::this_thread::yield()
#endif

namespace gan {

namespace {
constexpr int kSpins = 1 << 15;  // pause instructions a worker spins through before it sleeps (BENCHMARKS.md)
}

ThreadPool::ThreadPool(int threads) {
    GAN_CHECK(threads >= 1 && threads <= 256, "thread count must be in [1, 256] (got ", threads, ")");
    workers_.reserve(size_t(threads - 1));
    for (int p = 1; p < threads; ++p) workers_.emplace_back([this, p] { worker(p); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
}

void ThreadPool::run_raw(void (*fn)(void*, int), void* ctx) {
    fn_ = fn;
    ctx_ = ctx;
    pending_.store(int(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1);  // seq_cst: publishes fn_/ctx_, ordered before the sleepers_ load
    if (sleepers_.load() > 0) {
        std::lock_guard<std::mutex> lock(mu_);  // a worker between its check and its wait holds mu_
        cv_.notify_all();
    }
    fn(ctx, 0);
    while (pending_.load(std::memory_order_acquire) != 0) GAN_PAUSE();
}

void ThreadPool::worker(int part) {
    uint64_t seen = 0;
    for (;;) {
        uint64_t g = generation_.load(std::memory_order_acquire);
        for (int spin = 0; g == seen; g = generation_.load(std::memory_order_acquire)) {
            if (++spin < kSpins) {
                GAN_PAUSE();
                continue;
            }
            std::unique_lock<std::mutex> lock(mu_);
            sleepers_.fetch_add(1);  // seq_cst: ordered before the generation_ load in the predicate
            cv_.wait(lock, [&] { return generation_.load() != seen; });
            sleepers_.fetch_sub(1);
            spin = 0;
        }
        seen = g;
        if (stop_.load()) return;
        fn_(ctx_, part);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

}  // namespace gan
