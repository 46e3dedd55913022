// The instruction sets the fast kernels may use on this CPU. The library is built for the baseline of
// its architecture (x86-64: SSE2); each kernel that needs more lives in its own file (*_avx2.cpp,
// *_avx512.cpp) built with those instructions, and is called only when cpu_level() allows it.
#pragma once

namespace gan {

enum class CpuLevel {
    baseline = 0,  // portable code only (any x86-64, other architectures)
    avx2 = 1,      // AVX2 + FMA (x86-64-v3)
    avx512 = 2,    // AVX-512F + VL on top of AVX2
};

// What this CPU supports, lowered (never raised) by the environment variable GAN_CPU=baseline|avx2|
// avx512, which runs the paths of an older CPU on a newer one (tests, benchmarks). Read once.
CpuLevel cpu_level();
// cpu_level() >= avx2 in a build that has the AVX2 kernels: whether they may run.
bool cpu_avx2();
// The name used by GAN_CPU: "baseline", "avx2", "avx512".
const char* cpu_level_name(CpuLevel level);
// Whether the kernels for `level` were compiled into this build (false for x86 levels elsewhere).
bool cpu_level_built(CpuLevel level);
// The CPUs this process may run on (its affinity mask), at least 1.
int usable_cpus();

}  // namespace gan
