// A fixed team of threads for splitting one piece of work into parts, the caller taking part 0.
// run() neither allocates nor copies the function, so a training step stays allocation-free. Idle
// workers spin briefly (a step issues a dispatch every few microseconds) and then sleep.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <type_traits>
#include <thread>
#include <vector>

namespace gan {

class ThreadPool {
  public:
    explicit ThreadPool(int threads);  // threads >= 1: threads - 1 workers are started
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }
    // Calls fn(part) for every part in [0, size()) concurrently and returns when all have returned.
    // fn must not throw. Not reentrant: one run at a time, from one thread.
    template <class F>
    void run(F&& fn) {
        if (workers_.empty()) {
            fn(0);
            return;
        }
        run_raw(&call<F>, &fn);
    }

  private:
    template <class F>
    static void call(void* ctx, int part) {
        (*static_cast<std::remove_reference_t<F>*>(ctx))(part);
    }
    void run_raw(void (*fn)(void*, int), void* ctx);
    void worker(int part);

    std::vector<std::thread> workers_;
    void (*fn_)(void*, int) = nullptr;
    void* ctx_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable cv_;
};

// [begin, end) of part `part` of `parts` over n items, boundaries on multiples of `align`.
inline void split_range(size_t n, int part, int parts, size_t align, size_t& begin, size_t& end) {
    const size_t blocks = (n + align - 1) / align;
    begin = std::min(n, blocks * size_t(part) / size_t(parts) * align);
    end = std::min(n, blocks * size_t(part + 1) / size_t(parts) * align);
}

}  // namespace gan
