#!/usr/bin/env bash
# The test suite (build/, made by scripts/test.sh) under each configuration that a machine like this one
# may put it in: every OpenBLAS core type this CPU can execute and none (OPENBLAS_CORETYPE set for that
# ctest run alone), the paths of CPUs without our AVX-512 or AVX2 kernels (GAN_CPU=avx2, GAN_CPU=baseline)
# and OpenBLAS for every GEMM (GAN_GEMM=blas). Every test runs in every configuration: the bitwise ones
# assert bits where our kernels make them hold and the documented bound where they do not.
#   scripts/test_matrix.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
[ -f "$BUILD/CTestTestfile.cmake" ] || { echo "test_matrix: no tests in $BUILD: run scripts/test.sh first" >&2; exit 1; }

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { for f in "$@"; do [[ "$flags" == *" $f "* ]] || return 1; done; }

# Each entry: a label and the environment changes for that run (env(1) arguments).
configs=("default|-u OPENBLAS_CORETYPE")
has avx2 fma && configs+=("OPENBLAS_CORETYPE=Haswell|OPENBLAS_CORETYPE=Haswell")
has avx512f avx512cd avx512bw avx512dq avx512vl && configs+=("OPENBLAS_CORETYPE=SkylakeX|OPENBLAS_CORETYPE=SkylakeX")
has avx512f avx512cd avx512bw avx512dq avx512vl avx512_bf16 &&
    configs+=("OPENBLAS_CORETYPE=Cooperlake|OPENBLAS_CORETYPE=Cooperlake")
has avx512f avx512vl && configs+=("GAN_CPU=avx2|GAN_CPU=avx2")
configs+=("GAN_CPU=baseline|GAN_CPU=baseline" "GAN_GEMM=blas|GAN_GEMM=blas")

echo "test_matrix: $(lscpu | sed -n 's/^Model name: *//p'); environment OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-<unset>}"
failed=()
for c in "${configs[@]}"; do
    label=${c%%|*}
    read -r -a change <<< "${c#*|}"
    echo "=== $label"
    start=$(date +%s)
    if (cd "$BUILD" && env "${change[@]}" ctest --output-on-failure -j"$(nproc)" > "ctest_matrix.log" 2>&1); then
        echo "    $(grep -E 'tests passed' "$BUILD/ctest_matrix.log")  ($(($(date +%s) - start)) s)"
    else
        tail -40 "$BUILD/ctest_matrix.log"
        failed+=("$label")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "test_matrix: failed under: ${failed[*]}" >&2
    exit 1
fi
echo "test_matrix: all ${#configs[@]} configurations passed"
