#!/usr/bin/env bash
# End-to-end check of `gan serve` and its page (web/) in a real browser: trains two tiny models on
# tests/data/mnist-mini (the classic MLP GAN and a conditional MLP, 1 epoch each), one on 16x16 colour
# pictures (an RGB MLP, 1 epoch) and a conditional MLP on
# MNIST (10 epochs; scripts/fetch_mnist.sh fetches it), serves each with
# `gan serve RUN --port 0` in the background, and runs tests/web/check_web.js (playwright-core driving
# Debian's chromium, headless): no console error on load, "New samples" and the walk slider change the
# canvas, window.ganDraw on the latents of `gan sample --save-z` paints `gan sample --z`'s pixels
# within 1 grey level, the digit-7 button draws sevens equal to `gan sample --z --labels` of the page's
# latents (within 1 level), the page fits a 390 px phone screen, and raw requests that traverse
# (/../, %2e%2e, //, ..%2f, backslashes), are overlong or malformed get 4xx, and one whose Host names
# another site (DNS rebinding) gets 403, with the server still up.
# The MNIST model's page sevens must be called 7 by the project's classifier (>= 90 %, `gan eval`).
# Finally Ctrl-C (SIGINT) must stop the server cleanly. Prints the figures; exits 1 when a check fails.
#
#   scripts/check_web.sh                   # builds gan into build/ (Release) first
#   GAN=path/to/gan scripts/check_web.sh   # uses that binary as it is
#   SCREENSHOT=1 ...                       # also writes docs/img/web_page.png (and _phone.png)
#   KEEP=1 ...                             # keeps the work folder
#
# Installs what it lacks (as root, or through sudo): Debian's chromium, nodejs and npm; then
# `npm ci --ignore-scripts` in web/ (onnxruntime-web, which the page loads from gan serve, and
# playwright-core, as locked in web/package-lock.json). Nothing is fetched at run time: the page loads
# onnxruntime-web from gan serve, and the test aborts any request to another origin.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

say() { printf 'check_web: %s\n' "$*"; }
die() { printf 'check_web: FAILED: %s\n' "$*" >&2; exit 1; }

# ---- what it needs --------------------------------------------------------------------------------
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing ${apt_missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${apt_missing[@]}"
fi
if [ ! -d web/node_modules/onnxruntime-web ] || [ ! -d web/node_modules/playwright-core ]; then
  say "installing onnxruntime-web and playwright-core into web/node_modules"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund)
fi

if [ -z "${GAN:-}" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target gan >/dev/null
  GAN=$ROOT/build/gan
fi
[ -x "$GAN" ] || die "$GAN: no gan program there"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/check_web.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else say "work folder: $WORK"; fi
}
trap cleanup EXIT
DATA=$ROOT/tests/data/mnist-mini
THREADS=$(( $(nproc) < 4 ? $(nproc) : 4 ))

# labels.npy N: int64 (N,), 0..9 repeating, without numpy.
write_labels() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
n = int(sys.argv[2])
h = "{'descr': '<i8', 'fortran_order': False, 'shape': (%d,), }" % n
h += " " * (63 - (len(h) + 10) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + struct.pack("<%dq" % n, *[i % 10 for i in range(n)]))
PY
}

# ---- one model --------------------------------------------------------------------------------------
results=()
check() {  # check NAME SCREENSHOT DATA EPOCHS TRAIN_ARGS...
  local name=$1 shot=$2 data=$3 epochs=$4; shift 4
  local run=$WORK/$name z=$WORK/$name.z.npy labels=() draw=(--n 64) shot_args=()
  say "$name: gan train $*"
  "$GAN" train --data "$data" --epochs "$epochs" --threads "$THREADS" --out "$run" "$@" >"$WORK/$name.train.log" 2>&1 ||
    { cat "$WORK/$name.train.log" >&2; die "$name: training failed"; }
  if [[ " $* " == *" --conditional "* ]]; then
    write_labels "$WORK/$name.labels.npy" 60
    labels=(--labels "$WORK/$name.labels.npy")
    draw=()
  fi
  "$GAN" sample --checkpoint "$run" "${draw[@]}" "${labels[@]}" --seed 5 --out "$WORK/$name.drawn.npy" --save-z "$z" \
    >/dev/null || die "$name: gan sample --save-z failed"
  "$GAN" sample --checkpoint "$run" --z "$z" "${labels[@]}" --out "$WORK/$name.sample.npy" >/dev/null ||
    die "$name: gan sample --z failed"

  "$GAN" serve "$run" --port 0 >"$WORK/$name.serve.log" 2>&1 &
  SERVER_PID=$!
  local url="" i
  for i in $(seq 1 100); do
    url=$(grep -o 'http://[^ ]*/' "$WORK/$name.serve.log" || true)
    [ -n "$url" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.serve.log" >&2; die "$name: gan serve exited"; }
    sleep 0.1
  done
  [ -n "$url" ] || die "$name: gan serve printed no URL"
  say "$name: gan serve at $url"
  [ "$shot" = 1 ] && [ -n "${SCREENSHOT:-}" ] && shot_args=(--screenshot "$ROOT/docs/img/web_page.png") && mkdir -p docs/img
  local json
  json=$(node tests/web/check_web.js --url "$url" --gan "$GAN" --run "$run" --work "$WORK" --z "$z" "${labels[@]}" \
    --expect "$WORK/$name.sample.npy" "${shot_args[@]}") || die "$name: the browser check failed (see above)"
  kill -0 "$SERVER_PID" 2>/dev/null || die "$name: gan serve died during the checks"
  kill -INT "$SERVER_PID"
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  [ "$rc" -eq 0 ] || die "$name: gan serve exited $rc on Ctrl-C (SIGINT)"
  results+=("$(node -e '
    const r = JSON.parse(process.argv[1]);
    let s = `${process.argv[2].padEnd(8)} ${r.model}: page ready in ${r.load_ms} ms; ganDraw vs gan sample --z: max ${r.hook.max} level(s), ${r.hook.differing}/${r.hook.pixels} differ`;
    if (r.digit7) s += `; digit 7 vs gan sample: max ${r.digit7.max}, ${r.digit7.differing}/${r.digit7.pixels} differ`;
    s += `; phone ${r.phone.doc}/${r.phone.screen} px; ${Object.keys(r.traversal).length} bad requests all 4xx`;
    console.log(s);' "$json" "$name")")
  say "$name: ok"
}

check classic 0 "$DATA" 1
check cmlp 0 "$DATA" 1 --conditional

# A colour model: the page paints RGB, and its pixels are gan sample's (N, H, W, 3) ones. Its data: 16
# noise pictures, 16x16 RGB PNGs written here.
/usr/bin/python3 - "$WORK/pictures" <<'PY'
import os, random, struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
os.makedirs(sys.argv[1])
rng = random.Random(3)
for i in range(16):
    rows = b"".join(b"\0" + bytes(rng.randrange(256) for _ in range(16 * 3)) for _ in range(16))
    with open(os.path.join(sys.argv[1], "p%d.png" % i), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
check colour 0 "$WORK/pictures" 1 --image-size 16 --channels 3 --batch 8

# The digit buttons on a model that has learnt digits: a conditional MLP trained 10 epochs on MNIST, whose
# page sevens the project's classifier (gan eval, trained on MNIST on first use) must call 7 (>= 90 %).
MNIST=$ROOT/data/mnist
scripts/fetch_mnist.sh >/dev/null || die "no MNIST for the digit check (scripts/fetch_mnist.sh failed)"
check mnist 1 "$MNIST" 10 --conditional
"$GAN" eval --samples "$WORK/page7.npy" --data "$MNIST" --threads "$THREADS" --json "$WORK/page7.json" \
  >"$WORK/page7.eval.log" 2>&1 || { cat "$WORK/page7.eval.log" >&2; die "gan eval of the page's sevens failed"; }
sevens=$(node -p 'const e = require(process.argv[1]); (100 * e.class_histogram[7]).toFixed(1)' "$WORK/page7.json")
node -e 'process.exit(+process.argv[1] >= 90 ? 0 : 1)' "$sevens" ||
  die "the classifier calls only $sevens % of the page's digit-7 images 7 (wanted >= 90 %)"
results+=("mnist    conditional MLP, 10 MNIST epochs: the classifier calls $sevens % of the page's 300 digit-7 images 7")

echo
echo "gan serve + page check (onnxruntime-web $(node -p 'require("./web/node_modules/onnxruntime-web/package.json").version'), chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9.]*' | head -1)):"
printf '  %s\n' "${results[@]}"
echo "all checks passed"
