// The data-parallel sum's cost (core/comm.h, src/mpi): time per allreduce_sum of n floats over the ranks
// of an MPI launch, from one float (the latency a batch-norm statistic pays) to 16 Mi floats (a gradient
// arena), the median of `reps` calls after a warm-up. The scaling model of BENCHMARKS.md reads these.
// Not a Google Benchmark case: every rank must make the same calls, which an adaptive iteration count
// does not guarantee.
//   mpirun --allow-run-as-root -np 2 build/bench_comm
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "mpi/world.h"

int main() {
    gan::Comm& c = gan::world();
    if (!c.distributed()) {
        std::fprintf(stderr, "bench_comm: run it under mpirun with 2 or more ranks\n");
        return 1;
    }
    if (c.rank() == 0) std::printf("ranks %d\n%12s %12s %12s %12s\n", c.size(), "floats", "bytes", "median_us", "us_per_MB");
    for (size_t n = 1; n <= (size_t(1) << 24); n *= 8) {
        std::vector<float> x(n, 1.0f);
        const int reps = n <= 4096 ? 200 : n <= (size_t(1) << 18) ? 40 : 8;
        std::vector<double> us;
        for (int r = -2; r < reps; ++r) {
            c.barrier();
            const auto t0 = std::chrono::steady_clock::now();
            c.allreduce_sum(x.data(), n);
            const double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
            if (r >= 0) us.push_back(t);
            std::fill(x.begin(), x.end(), 1.0f);  // keep the values finite
        }
        std::sort(us.begin(), us.end());
        const double med = us[us.size() / 2], bytes = 4.0 * double(n);
        if (c.rank() == 0) std::printf("%12zu %12.0f %12.1f %12.1f\n", n, bytes, med, med / (bytes / 1048576.0));
    }
    return 0;
}
