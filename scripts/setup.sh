#!/usr/bin/env bash
# Installs what gan.cpp needs to build on Debian 12 (apt) and builds the given targets in Release into
# build/ (no target: everything, tests included). Safe to rerun: apt skips what is installed, cmake
# rebuilds only what changed.
#   scripts/setup.sh            # gan, the tests and the benchmarks
#   scripts/setup.sh gan        # the program only
# Then gan serve's page (scripts/setup_web.sh: onnxruntime-web through npm); where that fails (no
# network), it says so and the rest stands.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Compiler and build tools; OpenBLAS, LAPACKE, oneDNN, zlib, libpng, libjpeg-turbo, giflib (libraries
# gan links); CLI11, nlohmann-json (header-only); GoogleTest and Google Benchmark (the tests and
# benchmarks); curl for fetch_mnist.sh; OpenMPI (data-parallel `mpirun gan train`) and iproute2 (the
# network namespaces of scripts/check_mpi.sh); universal-ctags (function lengths in
# scripts/check_structure.sh); pybind11, Python's headers, NumPy and pytest (the Python module gancpp
# and its tests, python/).
pkgs=(build-essential cmake pkg-config libopenblas-dev liblapacke-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
      libpng-dev libjpeg62-turbo-dev libgif-dev libgtest-dev libbenchmark-dev libdnnl-dev ca-certificates curl
      libopenmpi-dev openmpi-bin iproute2 universal-ctags pybind11-dev python3-dev python3-numpy python3-pytest)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
if [ $# -gt 0 ]; then
  cmake --build build -j"$(nproc)" --target "$@"
else
  cmake --build build -j"$(nproc)"
fi
scripts/setup_web.sh || echo "setup: gan serve's page is not ready (the step above failed); retry with scripts/setup_web.sh"
