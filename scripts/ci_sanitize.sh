#!/usr/bin/env bash
# The sanitizer leg of CI (issue 7): unit tests under AddressSanitizer + UndefinedBehaviorSanitizer,
# then each libFuzzer target briefly on its seed corpus.
#
#   scripts/ci_sanitize.sh [FUZZ_SECONDS]     default 20 s per fuzzer
#
# Installs clang and the compiler-rt runtimes with apt-get when they are missing (as root; a no-op
# when they are there). Environment: SAN_BUILD (default build-sanitize), FUZZ_DIR (default
# build-fuzz-ci), JOBS (default 2). About 10-15 minutes on 2 cores from a clean tree.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${1:-20}
build=${SAN_BUILD:-build-sanitize}
jobs=${JOBS:-2}
t0=$(date +%s)

have_fuzzer_runtime() {
    command -v clang++ >/dev/null &&
        ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1
}
if ! have_fuzzer_runtime; then
    echo "== installing clang and libclang-rt-14-dev"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

echo "== unit tests under ASan + UBSan ($build)"
# Without MPI: the leg runs the one-process tests (-L fast), and OpenMPI's MPI_Init leaks by design,
# which LeakSanitizer would report. The data-parallel code runs under mpirun in scripts/test.sh
# (ctest -L mpi) and scripts/check_mpi.sh.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAN_SANITIZE=ON -DGAN_BUILD_BENCH=OFF \
    -DGAN_WITH_MPI=OFF >/dev/null
cmake --build "$build" -j"$jobs"
# halt_on_error: a sanitizer report fails the test instead of scrolling past.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$build" && ctest -L fast -j"$jobs" --output-on-failure --timeout 600)
t1=$(date +%s)
echo "== sanitizer tests passed in $((t1 - t0)) s"

echo "== fuzzers, ${fuzz_seconds} s each"
FUZZ_DIR=${FUZZ_DIR:-build-fuzz-ci} FUZZ_JOBS=$jobs scripts/fuzz.sh "$fuzz_seconds"
echo "== sanitizer leg done in $(( $(date +%s) - t0 )) s"
