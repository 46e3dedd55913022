#!/usr/bin/env bash
# Checks gan.cpp as an installed library, the way a user takes it: builds the library and `gan` in
# Release, `cmake --install`s them into a temporary prefix, builds examples/ against that prefix as a
# separate CMake project (find_package(gan) through CMAKE_PREFIX_PATH, nothing from this source
# tree) and every C++ snippet of README.md and docs/ the same way (scripts/check_doc_snippets.sh),
# then trains the classic GAN for one epoch on tests/data/mnist-mini with train_classic,
# draws a PNG grid from its checkpoint with sample_digits, and checks that the installed `gan sample`
# writes the same PNG byte for byte, and that `gan train --threads 1` trains the same generator; where
# the build makes the Python module, that it imports from the prefix and samples what `gan sample` does.
# Every failure stops the script with a line saying what failed.
#
#   scripts/check_install.sh
#
# The build directory: $GAN_BUILD_DIR when set; else build/ when it is already configured in Release
# without sanitizers (as scripts/setup.sh leaves it; only the library and `gan` are built there);
# else a fresh one in the temporary directory (library and `gan` only, no tests or benchmarks).
# GAN_SHARED=1 checks the shared library instead (always a fresh build directory). KEEP=1 keeps the
# temporary directory (prefix, examples' build, outputs) and prints where it is. JOBS: parallel jobs
# (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gan-check-install.XXXXXX")
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then echo "check_install: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() { echo "check_install: FAIL: $*" >&2; exit 1; }
start=$SECONDS
step_start=$SECONDS
step() {  # prints how long the previous step took, then the next step's name
    echo "check_install: ... $((SECONDS - step_start)) s"
    step_start=$SECONDS
    echo "check_install: $*"
}

# ---- 1. the library and gan, in Release --------------------------------------------------------
fresh=(-DGAN_BUILD_TESTS=OFF -DGAN_BUILD_BENCH=OFF)
if [ "${GAN_SHARED:-0}" = 1 ]; then
    build=$tmp/build
    fresh+=(-DGAN_BUILD_SHARED=ON)
elif [ -n "${GAN_BUILD_DIR:-}" ]; then
    build=$GAN_BUILD_DIR
    fresh=()
elif [ -f build/CMakeCache.txt ] && grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' build/CMakeCache.txt &&
     ! grep -q '^GAN_SANITIZE:BOOL=ON$' build/CMakeCache.txt; then
    build=build
    fresh=()
else
    build=$tmp/build
fi
echo "check_install: configuring $build (Release)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGAN_INSTALL=ON "${fresh[@]}" >"$tmp/configure.log" 2>&1 ||
    { cat "$tmp/configure.log" >&2; fail "configuring $build"; }
# The Python module too where the build makes it (GAN_WITH_PYTHON: pybind11 and Python's headers found).
targets=(gan_lib gan)
python=""
if grep -q '^GAN_WITH_PYTHON:BOOL=ON$' "$build/CMakeCache.txt"; then
    targets+=(gancpp)
    python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")
    pydir=$(sed -n 's/^GAN_PYTHON_INSTALL_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
fi
step "building ${targets[*]} in $build"
cmake --build "$build" -j"$jobs" --target "${targets[@]}" >"$tmp/build.log" 2>&1 ||
    { tail -50 "$tmp/build.log" >&2; fail "building the library in $build"; }

# ---- 2. install into a temporary prefix ----------------------------------------------------------
prefix=$tmp/prefix
step "installing into $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "cmake --install $build"; }
for f in bin/gan include/gan/gan.h include/gan/version.h include/gan/core/check.h \
         include/gan/models/gan_model.h include/gan/train/trainer.h \
         lib/cmake/gan/ganConfig.cmake lib/cmake/gan/ganConfigVersion.cmake lib/cmake/gan/ganTargets.cmake \
         lib/cmake/gan/ganDependencies.cmake share/gan/fetch_mnist.sh; do
    [ -e "$prefix/$f" ] || fail "the install has no $f"
done
ls "$prefix"/lib/libgan.* >/dev/null 2>&1 || fail "the install has no lib/libgan.*"
leaked=$(find "$prefix/include" -name '*_test*.h' -o -name '*_avx2.h' -o -name '*_avx512.h')
[ -z "$leaked" ] || fail "internal headers installed: $leaked"

# Every installed header compiles on its own (it includes what it uses), with only the prefix's
# include directories: those the exported target gives users.
step "compiling each installed header on its own"
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
(cd "$prefix/include" && find gan -name '*.h' | sort) >"$tmp/headers.txt"
export cxx prefix
xargs -P "$jobs" -I{} sh -c 'printf "#include <%s>\n" "{}" | "$cxx" -std=c++20 -fsyntax-only \
    -I"$prefix/include" -I"$prefix/include/gan" -x c++ - 2>&1 | sed "s|^|{}: |"' \
    <"$tmp/headers.txt" >"$tmp/headers.log"
[ ! -s "$tmp/headers.log" ] || { head -40 "$tmp/headers.log" >&2; fail "installed headers that do not compile alone"; }
echo "check_install: $(wc -l <"$tmp/headers.txt") headers"

# ---- 3. the examples: a separate project that finds the installed package ------------------------
step "building examples/ against $prefix"
cmake -S examples -B "$tmp/examples" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$tmp/examples-configure.log" 2>&1 ||
    { cat "$tmp/examples-configure.log" >&2; fail "configuring examples/ with find_package(gan)"; }
grep -q "gan_DIR:PATH=$prefix/lib/cmake/gan" "$tmp/examples/CMakeCache.txt" ||
    fail "examples/ found gan somewhere else than $prefix: $(grep '^gan_DIR' "$tmp/examples/CMakeCache.txt")"
cmake --build "$tmp/examples" -j"$jobs" >"$tmp/examples-build.log" 2>&1 ||
    { tail -50 "$tmp/examples-build.log" >&2; fail "building examples/"; }
! grep -q -e "-I$root/src" -e "-I$root/include" "$tmp/examples/compile_commands.json" ||
    fail "examples/ compiled with headers from the source tree instead of the install"

# Every C++ snippet of README.md and docs/ builds against the same prefix (doc tests).
step "building the C++ snippets of README.md and docs/ against $prefix"
JOBS=$jobs scripts/check_doc_snippets.sh "$prefix" "$tmp/snippets" || fail "a C++ snippet of the docs does not build"

# ---- 4. run them ---------------------------------------------------------------------------------
step "train_classic: one epoch on tests/data/mnist-mini"
ckpt=$tmp/out/generator.safetensors
mkdir -p "$tmp/out"
"$tmp/examples/train_classic" tests/data/mnist-mini "$ckpt" 1 0 || fail "train_classic exited with $?"
[ -s "$ckpt" ] || fail "train_classic wrote no checkpoint $ckpt"

step "sample_digits: 64 digits from its checkpoint"
png=$tmp/out/digits.png
"$tmp/examples/sample_digits" "$ckpt" "$png" 64 3 || fail "sample_digits exited with $?"
[ -s "$png" ] || fail "sample_digits wrote no $png"
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
"$prefix/bin/gan" sample --checkpoint "$ckpt" --n 64 --seed 3 --out "$tmp/out/cli.png" >/dev/null ||
    fail "the installed gan sample exited with $?"
cmp -s "$png" "$tmp/out/cli.png" || fail "sample_digits and the installed gan sample drew different PNGs"
# A colour model (MNIST converted to RGB): an RGB grid, the one gan sample writes.
"$prefix/bin/gan" train --data tests/data/mnist-mini --channels 3 --epochs 1 --threads 1 \
    --out "$tmp/out/rgb" >/dev/null || fail "the installed gan train --channels 3 exited with $?"
"$tmp/examples/sample_digits" "$tmp/out/rgb" "$tmp/out/rgb.png" 16 1 >/dev/null || fail "sample_digits (RGB) exited with $?"
"$prefix/bin/gan" sample --checkpoint "$tmp/out/rgb" --n 16 --seed 1 --out "$tmp/out/rgb_cli.png" >/dev/null ||
    fail "the installed gan sample (RGB) exited with $?"
cmp -s "$tmp/out/rgb.png" "$tmp/out/rgb_cli.png" || fail "sample_digits and gan sample drew different RGB PNGs"
# train_classic is `gan train --threads 1` written out: the same weights. Bitwise where our own GEMM
# kernels run (AVX2 and no GAN_CPU / GAN_GEMM override); elsewhere OpenBLAS may round differently
# at another thread count, so the comparison is skipped there.
if grep -qw avx2 /proc/cpuinfo 2>/dev/null && [ -z "${GAN_CPU:-}" ] && [ -z "${GAN_GEMM:-}" ]; then
    "$prefix/bin/gan" train --data tests/data/mnist-mini --epochs 1 --threads 1 --seed 0 \
        --out "$tmp/out/run" >/dev/null || fail "the installed gan train exited with $?"
    "$prefix/bin/gan" sample --checkpoint "$tmp/out/run" --n 64 --seed 3 --out "$tmp/out/run.png" >/dev/null ||
        fail "the installed gan sample exited with $?"
    cmp -s "$png" "$tmp/out/run.png" || fail "train_classic and gan train --threads 1 trained different generators"
else
    echo "check_install: (no AVX2 kernels here: train_classic against gan train not compared)"
fi
# The installed Python module, imported from where cmake --install put it: the same digits as gan sample.
if [ -n "$python" ]; then
    step "the Python module: imported from $prefix/$pydir, sampling as gan sample"
    ls "$prefix/$pydir"/gancpp*.so >/dev/null 2>&1 || fail "the install has no $pydir/gancpp*.so"
    "$prefix/bin/gan" sample --checkpoint "$ckpt" --n 64 --seed 3 --out "$tmp/out/cli.npy" >/dev/null ||
        fail "the installed gan sample exited with $?"
    PYTHONPATH="$prefix/$pydir" "$python" - "$prefix" "$ckpt" "$tmp/out/cli.npy" <<'PY' || fail "the installed gancpp module"
import sys
import numpy as np
import gancpp
prefix, ckpt, cli = sys.argv[1:]
assert gancpp.__file__.startswith(prefix), f"gancpp imported from {gancpp.__file__}, not from {prefix}"
assert gancpp.load(ckpt).sample(64, seed=3).tobytes() == np.load(cli).tobytes(), "g.sample differs from gan sample"
PY
fi
if [ "${GAN_SHARED:-0}" = 1 ]; then
    ldd "$tmp/examples/sample_digits" | grep -q "$prefix/lib/libgan.so" ||
        fail "sample_digits does not load the installed libgan.so"
fi

echo "check_install: ... $((SECONDS - step_start)) s"
echo "check_install: OK in $((SECONDS - start)) s ($(du -h "$png" | cut -f1) PNG, library $(basename "$(ls "$prefix"/lib/libgan.* | head -1)"))"
