#include "core/cpu.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace gan {

namespace {

CpuLevel detected() {
#if defined(__x86_64__) && defined(GAN_X86_KERNELS)
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return CpuLevel::baseline;
    if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vl")) return CpuLevel::avx2;
    return CpuLevel::avx512;
#else
    return CpuLevel::baseline;
#endif
}

CpuLevel from_environment(CpuLevel level) {
    const char* e = std::getenv("GAN_CPU");
    if (!e) return level;
    for (CpuLevel l : {CpuLevel::baseline, CpuLevel::avx2, CpuLevel::avx512})
        if (std::strcmp(e, cpu_level_name(l)) == 0) return l < level ? l : level;
    return level;  // an unknown name changes nothing (the CLI reports it: cli/main.cpp)
}

}  // namespace

CpuLevel cpu_level() {
    static const CpuLevel level = from_environment(detected());
    return level;
}

bool cpu_avx2() {
    static const bool on = cpu_level() >= CpuLevel::avx2 && cpu_level_built(CpuLevel::avx2);
    return on;
}

const char* cpu_level_name(CpuLevel level) {
    switch (level) {
        case CpuLevel::avx512: return "avx512";
        case CpuLevel::avx2: return "avx2";
        default: return "baseline";
    }
}

bool cpu_level_built(CpuLevel level) {
#if defined(__x86_64__) && defined(GAN_X86_KERNELS)
    (void)level;
    return true;
#else
    return level == CpuLevel::baseline;
#endif
}

int usable_cpus() {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? std::max(1, CPU_COUNT(&set)) : 1;
}

}  // namespace gan
