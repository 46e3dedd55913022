#!/usr/bin/env bash
# The program on other CPUs, under qemu-user: (1) build/gan (made by scripts/test.sh, plain x86-64) on a
# Nehalem, a CPU without AVX: trains one epoch on the test fixture and samples from it; (2) the library and
# `gan` cross-built for aarch64 with Debian's g++-aarch64-linux-gnu (no x86 kernel file may leak into it),
# the same run under qemu-aarch64.
#   scripts/check_cpus.sh            (installs what it needs with apt-get; builds into build-aarch64/)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then $SUDO dpkg --add-architecture arm64; fi
need=()
for p in g++-aarch64-linux-gnu qemu-user libopenblas-dev:arm64 liblapacke-dev:arm64 zlib1g-dev:arm64 libpng-dev:arm64 \
         libjpeg62-turbo-dev:arm64 libgif-dev:arm64 libc6:arm64 libstdc++6:arm64; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi
[ -x build/gan ] || { echo "check_cpus: no build/gan: run scripts/test.sh first" >&2; exit 1; }

# The emulated CPUs run without the host's OpenBLAS overrides: a machine may force OPENBLAS_CORETYPE (and
# OPENBLAS_L2_SIZE) for its own CPU, and OpenBLAS obeys a forced core type even where the CPU lacks its
# instructions (Haswell's AVX2 kernels on the emulated Nehalem die with SIGILL). A real Nehalem or aarch64
# machine would not carry the host's setting, so the emulated program must not inherit it either; the
# host's own runs (scripts/test.sh, test_matrix.sh) keep it.
emulated=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

# train_and_sample NAME RUNNER...: one epoch on the fixture and 16 samples, with the program run by RUNNER.
train_and_sample() {
    local name=$1 run
    shift
    run=$(mktemp -d /tmp/gan_cpus.XXXXXX)
    "$@" train --data tests/data/mnist-mini --epochs 1 --batch 50 --threads 1 --plain --out "$run/run" > "$run/train.log"
    "$@" sample --checkpoint "$run/run" --n 16 --out "$run/x.png"
    [ -s "$run/x.png" ] || { echo "check_cpus: $name wrote no samples" >&2; exit 1; }
    echo "check_cpus: $name trained one epoch and sampled: $(grep '^Epoch 1/1' "$run/train.log")"
    rm -rf "$run"
}

train_and_sample "x86-64 on a Nehalem (qemu-x86_64 -cpu Nehalem)" "${emulated[@]}" qemu-x86_64 -cpu Nehalem build/gan

cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
    -DGAN_BUILD_TESTS=OFF -DGAN_BUILD_BENCH=OFF -DGAN_WITH_DNNL=OFF
cmake --build build-aarch64 -j"$(nproc)" --target gan
readelf -h build-aarch64/gan | grep -q AArch64 || { echo "check_cpus: build-aarch64/gan is not an aarch64 program" >&2; exit 1; }
train_and_sample "aarch64 (qemu-aarch64)" "${emulated[@]}" qemu-aarch64 build-aarch64/gan
