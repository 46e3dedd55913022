#include "mpi/world.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace gan {
namespace {

// A comm of any size that sums nothing, for the batch split alone.
struct FakeComm final : Comm {
    int r, n;
    FakeComm(int rank, int size) : r(rank), n(size) {}
    int rank() const override { return r; }
    int size() const override { return n; }
    void allreduce_sum(float*, size_t) override {}
    void allreduce_sum(double*, size_t) override {}
    void barrier() override {}
};

TEST(World, WithoutALauncherIsOneLocalProcess) {
    if (launcher_ranks() > 1) GTEST_SKIP() << "run under an MPI launcher";
    Comm& w = world();
    EXPECT_EQ(w.rank(), 0);
    EXPECT_EQ(w.size(), 1);
    EXPECT_FALSE(w.distributed());
    float x[2] = {1.5f, -2.0f};
    w.allreduce_sum(x, 2);
    EXPECT_EQ(x[0], 1.5f);
    EXPECT_EQ(x[1], -2.0f);
    world_abort(3);  // nothing to abort in one process: returns
}

TEST(World, LauncherRanksReadsTheLaunchersEnvironment) {
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK"))
        GTEST_SKIP() << "run under an MPI launcher";
    EXPECT_EQ(launcher_ranks(), 1);
    ::setenv("PMI_SIZE", "6", 1);
    EXPECT_EQ(launcher_ranks(), 6);
    ::unsetenv("PMI_SIZE");
    ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
    EXPECT_EQ(launcher_ranks(), 4);
    ::unsetenv("OMPI_COMM_WORLD_SIZE");
}

TEST(World, LaunchedByMpiSeesEveryLaunchersVariableOneRankIncluded) {
    const char* vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"};
    for (const char* v : vars)
        if (std::getenv(v)) GTEST_SKIP() << "run under an MPI launcher";
    EXPECT_FALSE(launched_by_mpi());
    for (const char* v : vars) {
        ::setenv(v, "1", 1);  // mpirun -np 1 too: its one rank's output goes through the launcher
        EXPECT_TRUE(launched_by_mpi()) << v;
        ::unsetenv(v);
    }
    EXPECT_FALSE(launched_by_mpi());
}

TEST(World, RanksSplitABatchIntoContiguousSharesCoveringIt) {
    for (int n : {1, 2, 3, 5, 8})
        for (int batch : {8, 13, 64, 100}) {
            int next = 0;
            for (int r = 0; r < n; ++r) {
                FakeComm c(r, n);
                EXPECT_EQ(c.first_row(batch), next) << n << " ranks, batch " << batch;
                EXPECT_GE(c.rows(batch), batch / n);
                EXPECT_LE(c.rows(batch), batch / n + 1);
                next += c.rows(batch);
            }
            EXPECT_EQ(next, batch);
        }
}

}  // namespace
}  // namespace gan
