// The communicator of this process (core/comm.h): MPI's world when the process was started by an MPI
// launcher (mpirun, srun) and gan.cpp was built with MPI (GAN_WITH_MPI), a LocalComm otherwise.
// MPI is initialised on the first call, and only under a launcher: a plain `gan train` of an MPI
// build never starts MPI (in OpenMPI, a singleton MPI_Init forks a daemon and opens sockets, which a
// one-process run has no use for), so it behaves exactly as a build without MPI.
#pragma once
#include "core/comm.h"

namespace gan {

Comm& world();
bool mpi_built();      // this build can run over MPI
int launcher_ranks();  // the number of ranks the environment says a launcher started (1 if none)
// An MPI launcher (mpirun of OpenMPI or MPICH, Slurm's srun) started this process, with any number of
// ranks, one included: its output goes where the launcher sends it, through a pseudo-terminal or not.
bool launched_by_mpi();
// Ends every rank of the job with exit code `code` (MPI_Abort) when this process runs over MPI; does
// nothing otherwise. For the program's error path: a rank that stops alone would leave the others
// waiting in a collective.
void world_abort(int code);

}  // namespace gan
