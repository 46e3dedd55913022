#!/usr/bin/env bash
# gan.cpp's classic training step against the same step in PyTorch (bench/pytorch/torch_step.py, the
# models of tests/golden/reference_models.py), in one run: alternating ref/ours ROUNDS times, pinned with
# taskset to the same core(s), at 1 thread (core 0) and then 2 threads (cores 0,1). Prints the median
# over rounds of each run's per-step median (and p10), the ratio ref/ours, and ours against the GEMM
# floor (the step's GEMMs alone, in order, same process). Then whole epochs: `gan train --epochs 3`
# against the reference's `train --epochs 3`, per-epoch seconds, and gan's peak RSS.
#   scripts/bench_side_by_side.sh [BUILD_DIR]      (env: ROUNDS=3, EPOCHS=3, THREADS="1 2", SKIP_EPOCHS=1)
# With BASE=OTHER_BUILD_DIR (another checkout's Release build, e.g. the current main), the same step is
# compared with that build's instead of PyTorch's: alternating base/ours ROUNDS times on the same cores,
# medians of the per-round medians, and ours/base (below 1: this build is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
if [ -n "${BASE:-}" ]; then
    exec scripts/bench_against_build.sh "$BASE" "$BUILD"
fi
ROUNDS=${ROUNDS:-3}
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-"1 2"}
REF=bench/pytorch/torch_step.py
MNIST=${MNIST_DIR:-data/mnist}
OUT=$(mktemp -d /tmp/gan_side_by_side.XXXXXX)
[ -x "$BUILD/bench_step" ] || { echo "no $BUILD/bench_step: build with -DCMAKE_BUILD_TYPE=Release first" >&2; exit 1; }
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  load: $(cut -d' ' -f1-3 /proc/loadavg)  results in $OUT"

cores_for() { if [ "$1" = 1 ]; then echo 0; else echo "0-$(($1 - 1))"; fi; }
run_ref() {  # threads round
    OMP_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 MALLOC_MMAP_THRESHOLD_=8388608 MALLOC_TRIM_THRESHOLD_=67108864 \
        MNIST_DIR=$MNIST taskset -c "$(cores_for "$1")" /usr/bin/python3 $REF bench --arch classic --batches 100,32,512 \
        --warmup 50 --steps 300 --json "$OUT/ref_t$1_r$2.json" > "$OUT/ref_t$1_r$2.log" 2>&1
}
run_ours() {
    BENCH_THREADS=$1 MNIST_DIR=$MNIST taskset -c "$(cores_for "$1")" "$BUILD/bench_step" \
        --benchmark_filter='BM_Step/B:[0-9]+/variant:0/|BM_GemmFloor/B:[0-9]+/stacked_shapes:[01]/split:1/' \
        --benchmark_format=json > "$OUT/ours_t$1_r$2.json" 2> "$OUT/ours_t$1_r$2.log"
}
for t in $THREADS; do
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then run_ref "$t" "$r"; run_ours "$t" "$r"; else run_ours "$t" "$r"; run_ref "$t" "$r"; fi
        echo "  threads $t round $r done"
    done
done

if [ "${SKIP_EPOCHS:-0}" != 1 ]; then
    for r in 1 2; do  # alternate the order: ours first, then ref; ref first, then ours
        run_gan() {
            rm -rf "$OUT/gan_run"
            /usr/bin/time -f "%M" -o "$OUT/gan_rss_$r" taskset -c 0 "$BUILD/gan" train --epochs "$EPOCHS" --lr 0.001 \
                --threads 1 --data "$MNIST" --out "$OUT/gan_run" --plain > "$OUT/gan_train_$r.log" 2>&1
            cp "$OUT/gan_run/metrics.csv" "$OUT/gan_metrics_$r.csv"
        }
        run_reftrain() {
            OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MALLOC_MMAP_THRESHOLD_=8388608 MALLOC_TRIM_THRESHOLD_=67108864 \
                MNIST_DIR=$MNIST taskset -c 0 /usr/bin/python3 $REF epochs --arch classic --epochs "$EPOCHS" \
                --csv "$OUT/ref_epochs_$r.csv" > "$OUT/ref_train_$r.log" 2>&1
        }
        if [ $r = 1 ]; then run_gan; run_reftrain; else run_reftrain; run_gan; fi
        echo "  epochs round $r done"
    done
fi

/usr/bin/python3 - "$OUT" "$ROUNDS" "$THREADS" <<'PY'
import csv, glob, json, os, statistics as st, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
med = st.median
ours_by_t = {}
# Two floors: the step's GEMM shapes with real and fake batches apart (as PyTorch runs them) and with
# them stacked into one GEMM, as our step does for the MLP.
print(f"\n{'thr':>3} {'B':>4} | {'torch ms':>9} {'ours ms':>8} {'ratio':>6} | {'torch p10':>9} {'ours p10':>8} {'ratio':>6} | {'floor ms':>8} {'ours/floor':>10} | {'own floor':>9} {'ours/own':>8} | ours img/s")
for t in threads:
    ref, ours, floor, own = {}, {}, {}, {}
    for r in range(1, rounds + 1):
        j = json.load(open(f"{out}/ref_t{t}_r{r}.json"))
        for k, v in j.items():
            if k.startswith("B"): ref.setdefault(v["batch"], []).append((v["median_ms"], v["p10_ms"]))
        for b in json.load(open(f"{out}/ours_t{t}_r{r}.json"))["benchmarks"]:
            B = int(b["name"].split("B:")[1].split("/")[0])
            dst = ours if b["name"].startswith("BM_Step") else own if "stacked_shapes:1" in b["name"] else floor
            dst.setdefault(B, []).append((b["median_ms"], b["p10_ms"]))
    for B in sorted(ref):
        rm, rp = med(x[0] for x in ref[B]), med(x[1] for x in ref[B])
        om, op = med(x[0] for x in ours[B]), med(x[1] for x in ours[B])
        fm, wm = med(x[0] for x in floor[B]), med(x[0] for x in own[B])
        ours_by_t[(t, B)] = om
        print(f"{t:>3} {B:>4} | {rm:9.3f} {om:8.3f} {rm/om:5.2f}x | {rp:9.3f} {op:8.3f} {rp/op:5.2f}x | {fm:8.3f} {om/fm:9.2f}x | {wm:9.3f} {om/wm:7.2f}x | {B/om*1e3:9.0f}")
if ("1", 512) in ours_by_t and ("2", 512) in ours_by_t:
    print(f"\n2 threads vs 1 (ours, median): B=512 {ours_by_t[('1',512)]/ours_by_t[('2',512)]:.2f}x throughput, "
          f"B=32 {ours_by_t[('1',32)]/ours_by_t[('2',32)]:.2f}x")
g = sorted(glob.glob(f"{out}/gan_metrics_*.csv")); rfs = sorted(glob.glob(f"{out}/ref_epochs_*.csv"))
if g and rfs:
    ge = [float(row["epoch_seconds"]) for f in g for row in csv.DictReader(open(f))]
    re_ = [float(row["epoch_seconds"]) for f in rfs for row in csv.DictReader(open(f))]
    rss = [int(open(f).read().split()[-1]) for f in glob.glob(f"{out}/gan_rss_*")]
    print(f"\nwhole epochs (batch 100, 600 steps, 1 thread), seconds per epoch: torch {' '.join(f'{x:.2f}' for x in re_)}"
          f"\n  ours {' '.join(f'{x:.2f}' for x in ge)}\n  median torch {med(re_):.2f} s, ours {med(ge):.2f} s: {med(re_)/med(ge):.2f}x;"
          f" gan peak RSS {max(rss)/1024:.1f} MB")
PY
