#!/usr/bin/env bash
# gan.cpp's DCGAN training step (batch 64, 1 thread) against the same step in PyTorch
# (bench/pytorch/torch_step.py, the models of tests/golden/reference_models.py), in one run, alternating
# ROUNDS times on the same core, plus our step with every convolution through im2col + GEMM
# (GAN_CONV_ENGINE=im2col) and the im2col GEMM floor. Prints each round and the medians of the rounds:
# wall time, and each process's CPU time (steadier on a shared machine).
# SIZE=28 is the MNIST DCGAN; SIZE=64 and SIZE=32 PyTorch's examples/dcgan in RGB (ngf = ndf = 64).
# BASE=OTHER_BUILD_DIR adds that build's step (oneDNN engine) to each round, beside this one's.
#   scripts/bench_dcgan_side_by_side.sh [BUILD_DIR]      (env: ROUNDS=3, CORE=0, SIZE=28, BASE=)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
CORE=${CORE:-0}
SIZE=${SIZE:-28}
case $SIZE in 28) ARCH=dcgan ;; 32 | 64) ARCH=dcgan$SIZE ;; *) echo "SIZE is 28, 32 or 64" >&2; exit 1 ;; esac
STEPS=${STEPS:-$([ "$SIZE" = 64 ] && echo 16 || echo 40)}
MNIST=${MNIST_DIR:-data/mnist}
OUT=$(mktemp -d /tmp/gan_dcgan_sbs.XXXXXX)
[ -x "$BUILD/bench_dcgan" ] || { echo "no $BUILD/bench_dcgan: build in Release first" >&2; exit 1; }
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  load: $(cut -d' ' -f1-3 /proc/loadavg)  core $CORE  $ARCH  results in $OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 BENCH_THREADS=1 MNIST_DIR=$MNIST
ref() {
    MALLOC_MMAP_THRESHOLD_=8388608 MALLOC_TRIM_THRESHOLD_=67108864 taskset -c "$CORE" /usr/bin/python3 \
        bench/pytorch/torch_step.py bench --arch "$ARCH" --batches 64 --warmup 4 --steps "$STEPS" 2>&1 |
        sed -n "s/^${ARCH}_B64 median \([0-9.]*\) ms.* cpu \([0-9.]*\) ms.*/\1 \2/p"
}
ours() {  # engine [benchmark [build]]: "wall_ms cpu_ms"
    GAN_CONV_ENGINE=$1 taskset -c "$CORE" "${3:-$BUILD}/bench_dcgan" --benchmark_filter="^$ARCH/${2:-train_step}/" \
        --benchmark_format=json 2>/dev/null |
        /usr/bin/python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(b["median_ms"], b["cpu_median_ms"])'
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then t=$(ref); o=$(ours onednn); i=$(ours im2col); else i=$(ours im2col); o=$(ours onednn); t=$(ref); fi
    f=$(ours im2col step_gemm_floor)
    echo "round $r (wall cpu, ms): torch $t, ours $o, ours (im2col only) $i, im2col GEMM floor $f"
    echo "$t $o $i $f" >> "$OUT/rounds"
    if [ -n "${BASE:-}" ]; then
        b=$(ours onednn train_step "$BASE")
        echo "round $r (wall cpu, ms): base build $BASE $b"
        echo "$b" >> "$OUT/base"
    fi
done
/usr/bin/python3 - "$OUT/rounds" ${BASE:+"$OUT/base"} <<'PY'
import statistics as st, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
cols = [st.median(c) for c in zip(*rows)]
for name, k in (("wall", 0), ("CPU", 1)):
    t, o, i, f = cols[k::2]
    print(f"medians over {len(rows)} rounds (batch 64, 1 thread, {name} ms per step):")
    print(f"  PyTorch 1.13 {t:.1f} | ours {o:.1f} ({t/o:.2f}x faster) | ours im2col-only {i:.1f} ({t/i:.2f}x) | "
          f"im2col GEMM floor {f:.1f} (ours / floor {o/f:.2f}, im2col-only / floor {i/f:.2f})")
    if len(sys.argv) > 2:
        b = st.median(float(l.split()[k]) for l in open(sys.argv[2]))
        print(f"  base build {b:.1f} (ours / base {o/b:.3f}, base / floor {b/f:.2f})")
PY
