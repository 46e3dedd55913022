#!/usr/bin/env bash
# The test suite: set up, build in Release, run every test (unit, parity with PyTorch golden values,
# end to end on the MNIST fixture in tests/data; the Python module's tests with pytest). Never needs the
# network beyond apt.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh   # every target: gan, the tests, the benchmarks
cd build
ctest --output-on-failure -j"$(nproc)"
