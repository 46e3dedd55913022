#include "mpi/world.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/check.h"
#ifdef GAN_HAVE_MPI
#include "mpi/mpi_comm.h"
#endif

namespace gan {

#ifdef GAN_HAVE_MPI
namespace {

bool mpi_running = false;  // world() has initialised MPI

}  // namespace
#endif

bool mpi_built() {
#ifdef GAN_HAVE_MPI
    return true;
#else
    return false;
#endif
}

int launcher_ranks() {
    // OpenMPI's mpirun sets OMPI_COMM_WORLD_SIZE; Slurm's srun (PMI-2 or PMIx) PMI_SIZE or PMIX_RANK.
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* v = std::getenv(var)) return std::max(1, std::atoi(v));
    // Under PMIx alone the size is known only once MPI is up: 2 stands for "more than one".
    if (std::getenv("PMIX_RANK")) return 2;
    return 1;
}

bool launched_by_mpi() {
    // OpenMPI; MPICH's Hydra and Slurm (PMI-1, PMI-2); PMIx (OpenMPI 5, Slurm).
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(var)) return true;
    return false;
}

Comm& world() {
    if (launcher_ranks() > 1) {
#ifdef GAN_HAVE_MPI
        static MpiComm mpi;
        mpi_running = true;
        return mpi;
#else
        GAN_CHECK(false, "started by an MPI launcher with ", launcher_ranks(),
                  " ranks, but this gan was built without MPI (install libopenmpi-dev and build with "
                  "-DGAN_WITH_MPI=ON)");
#endif
    }
    static LocalComm local;
    return local;
}

void world_abort(int code) {
#ifdef GAN_HAVE_MPI
    if (mpi_running) mpi_abort(code);
#else
    (void)code;
#endif
}

}  // namespace gan
