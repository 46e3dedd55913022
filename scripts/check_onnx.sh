#!/usr/bin/env bash
# End-to-end check of `gan export` (ONNX) against `gan sample`, for every kind of generator gan.cpp trains:
# trains tiny models on tests/data/mnist-mini (the classic MLP, the DCGAN, a conditional DCGAN and a
# conditional MLP, 1 epoch each), exports each with `gan export`, runs Debian's ONNX checker on it
# (onnx.checker.check_model, full_check), runs it in ONNX Runtime (npm onnxruntime-node, CPU) on the
# latents `gan sample --save-z` drew, and compares ORT's images, as round((x + 1) * 127.5), with
# `gan sample --z`'s uint8 images of the same latents (and labels): at most 1 grey level apart.
# Prints the export size and the largest pixel difference per model; exits 1 when any check fails.
#
#   scripts/check_onnx.sh                  # builds gan into build/ (Release) first
#   GAN=path/to/gan scripts/check_onnx.sh  # uses that binary as it is
#   KEEP=1 ...                             # keeps the work folder (models, latents, images)
#
# Installs what it lacks (as root, or through sudo): Debian's python3-onnx, nodejs and npm; then
# `npm ci --ignore-scripts` in tests/onnx/ (onnxruntime-node as locked in package-lock.json; its install
# script only fetches GPU libraries, the CPU runtime is in the package). Python runs as /usr/bin/python3,
# whose site-packages hold Debian's onnx.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PY=/usr/bin/python3
N=256  # images per model

say() { printf 'check_onnx: %s\n' "$*"; }
die() { printf 'check_onnx: FAILED: %s\n' "$*" >&2; exit 1; }

# ---- what it needs --------------------------------------------------------------------------------
apt_missing=()
"$PY" -c 'import onnx, numpy' 2>/dev/null || apt_missing+=(python3-onnx python3-numpy)
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing ${apt_missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${apt_missing[@]}"
fi
if [ ! -d tests/onnx/node_modules/onnxruntime-node ]; then
  say "installing onnxruntime-node into tests/onnx/node_modules"
  (cd tests/onnx && npm ci --ignore-scripts --no-audit --no-fund)
fi

if [ -z "${GAN:-}" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target gan >/dev/null
  GAN=$ROOT/build/gan
fi
[ -x "$GAN" ] || die "$GAN: no gan program there"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check_onnx.XXXXXX")
if [ -n "${KEEP:-}" ]; then say "work folder: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
DATA=$ROOT/tests/data/mnist-mini
THREADS=$(( $(nproc) < 4 ? $(nproc) : 4 ))

# ---- one model --------------------------------------------------------------------------------------
# check NAME TRAIN_FLAGS...: train, export, check, run in ORT, compare.
results=()
check() {
  local name=$1; shift
  local run=$WORK/$name model=$WORK/$name.onnx z=$WORK/$name.z.npy labels=() cond=0
  say "$name: gan train $*"
  "$GAN" train --data "$DATA" --epochs 1 --threads "$THREADS" --out "$run" "$@" >"$WORK/$name.train.log" 2>&1 ||
    { cat "$WORK/$name.train.log" >&2; die "$name: training failed"; }
  "$GAN" export --checkpoint "$run" --out "$model" || die "$name: gan export failed"
  local size
  size=$(stat -c %s "$model")

  # Debian's ONNX checker (full_check: shape inference too), and the interface gan sample promises.
  cond=$("$PY" - "$model" <<'PY' || die "$name: the ONNX checker refused $model"
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
meta = {p.key: p.value for p in m.metadata_props}
for key in ("architecture", "latent_distribution", "z_dim", "image_shape"):
    assert key in meta, f"metadata has no {key}"
assert max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")) >= 13, "opset below 13"
assert m.graph.input[0].name == "z" and m.graph.output[0].name == "images", "inputs/outputs misnamed"
dims = m.graph.output[0].type.tensor_type.shape.dim
assert dims[0].dim_param and not dims[0].dim_value, "the batch axis is not dynamic"
print(meta.get("conditional", "0"))
PY
)
  local draw=(--n "$N")
  if [ "$cond" = 1 ]; then
    "$PY" -c 'import sys, numpy as np; np.save(sys.argv[1], np.random.default_rng(21).integers(0, 10, int(sys.argv[2])))' \
      "$WORK/$name.labels.npy" "$N"
    labels=(--labels "$WORK/$name.labels.npy")
    draw=()  # --labels sets the number of images
  fi
  # The latents gan sample draws (--save-z), then the images of exactly those latents (--z).
  "$GAN" sample --checkpoint "$run" "${draw[@]}" "${labels[@]}" --seed 3 --out "$WORK/$name.drawn.npy" --save-z "$z" \
    >/dev/null || die "$name: gan sample --save-z failed"
  "$GAN" sample --checkpoint "$run" --z "$z" "${labels[@]}" --out "$WORK/$name.sample.npy" >/dev/null ||
    die "$name: gan sample --z failed"
  cmp -s "$WORK/$name.drawn.npy" "$WORK/$name.sample.npy" ||
    die "$name: gan sample --z drew other images than the draw that saved the latents"
  local json
  json=$(node tests/onnx/run_onnx.js --model "$model" --z "$z" "${labels[@]}" --expect "$WORK/$name.sample.npy") ||
    die "$name: ONNX Runtime's images differ from gan sample's (see above)"
  local diff differing
  diff=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.max_diff)' "$json")
  differing=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(`${r.pixels_differing}/${r.pixels}`)' "$json")
  results+=("$(printf '%-8s %10s bytes   max |ORT - gan sample| %s grey level(s)   pixels differing %s' \
    "$name" "$size" "$diff" "$differing")")
  say "$name: ok"
}

check classic
check dcgan --arch dcgan --batch 16
check cdcgan --arch dcgan --conditional --batch 32
check cmlp --conditional

echo
echo "ONNX export check (opset 13, ONNX Runtime $(node -p 'require("./tests/onnx/node_modules/onnxruntime-node/package.json").version'), $N images each):"
printf '  %s\n' "${results[@]}"
echo "all models passed"
