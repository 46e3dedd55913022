#!/usr/bin/env bash
# Makes `gan serve`'s page ready: onnxruntime-web, as locked in web/package-lock.json, in
# web/node_modules (`npm ci --omit=dev --ignore-scripts`), installing Debian's npm first where there is
# no npm at all. Safe to rerun: does nothing when the three onnxruntime-web files the page loads are
# there. scripts/setup.sh runs it; `cmake --install` then takes the files along to share/gan/web.
#   scripts/setup_web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dist=web/node_modules/onnxruntime-web/dist
ready() {
  for f in ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm; do
    [ -f "$dist/$f" ] || return 1
  done
}
if ready; then echo "setup_web: gan serve's page is ready ($dist)"; exit 0; fi
# Debian's npm only when there is no npm at all (it conflicts with Node.js packages from elsewhere).
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup_web: installing npm (apt)"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q npm
fi
echo "setup_web: installing onnxruntime-web into web/node_modules"
(cd web && npm ci --omit=dev --ignore-scripts --no-audit --no-fund)
ready || { echo "setup_web: npm ci left no onnxruntime-web files in $dist" >&2; exit 1; }
echo "setup_web: gan serve's page is ready ($dist)"
