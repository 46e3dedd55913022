// Batch normalisation's loops built with AVX2 (kernels/batchnorm_loops.inc): the baseline's
// operations on wider registers, the same bits.
#define GAN_BN_ISA avx2
#include "kernels/batchnorm_loops.inc"
