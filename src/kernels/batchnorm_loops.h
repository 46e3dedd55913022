// The per-channel loops under batch normalisation (kernels/batchnorm.h), one table per instruction set:
// the same code built for the baseline and with AVX2 (kernels/batchnorm_loops.inc), giving the same
// bits. batchnorm.cpp picks the table cpu_avx2() allows.
#pragma once

namespace gan {

// Each loop covers channel c of an (N, C, HW) batch.
struct BnLoops {
    double (*sum)(const float* x, int c, int N, int C, int HW);                         // Σ x, in double
    double (*centred_ss)(const float* x, int c, int N, int C, int HW, double mu);       // Σ (x - mu)²
    void (*scale_shift)(float* y, const float* x, float a, float b, int c, int N, int C, int HW);  // y = x·a + b
    // sums[0] = Σ dy, sums[1] = Σ dy·(x - mean)
    void (*dy_sums)(double* sums, const float* dy, const float* x, float mean, int c, int N, int C, int HW);
    // dx = a·(dy - k0 - (x - m)·k1)
    void (*dx)(float* dx, const float* dy, const float* x, float a, float k0, float k1, float m, int c, int N, int C,
               int HW);
};

namespace baseline {
extern const BnLoops bn_loops;
}
namespace avx2 {
extern const BnLoops bn_loops;  // only in x86-64 builds (batchnorm_avx2.cpp)
}

}  // namespace gan
