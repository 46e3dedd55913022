#!/usr/bin/env bash
# The classic training step of two builds side by side in one run: BASE's bench_step against NEW's, the
# default step (variant 0) at batch 32, 100 and 512, alternating which runs first, ROUNDS rounds, pinned to
# the same core(s) at each thread count. Prints the median over rounds of each build's per-step median
# (and p10) and the ratio new/base (below 1: NEW is faster).
#   scripts/bench_against_build.sh BASE_BUILD_DIR [NEW_BUILD_DIR]   (env: ROUNDS=5, THREADS="1 2")
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:?usage: $0 BASE_BUILD_DIR [NEW_BUILD_DIR]}
NEW=${2:-build}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-"1 2"}
MNIST=${MNIST_DIR:-data/mnist}
for b in "$BASE" "$NEW"; do
    [ -x "$b/bench_step" ] || { echo "no $b/bench_step: build it in Release first" >&2; exit 1; }
done
OUT=$(mktemp -d /tmp/gan_against.XXXXXX)
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  load: $(cut -d' ' -f1-3 /proc/loadavg)  results in $OUT"
cores_for() { if [ "$1" = 1 ]; then echo 0; else echo "0-$(($1 - 1))"; fi; }
run() {  # which build threads round
    local dir=$BASE; [ "$1" = new ] && dir=$NEW
    BENCH_THREADS=$2 MNIST_DIR=$MNIST taskset -c "$(cores_for "$2")" "$dir/bench_step" \
        --benchmark_filter='BM_Step/B:[0-9]+/variant:0/' --benchmark_format=json \
        > "$OUT/$1_t$2_r$3.json" 2> "$OUT/$1_t$2_r$3.log"
}
for t in $THREADS; do
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then run base "$t" "$r"; run new "$t" "$r"; else run new "$t" "$r"; run base "$t" "$r"; fi
        echo "  threads $t round $r done"
    done
done
/usr/bin/python3 - "$OUT" "$ROUNDS" "$THREADS" <<'PY'
import json, statistics as st, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
print(f"\n{'thr':>3} {'B':>4} | {'base ms':>8} {'new ms':>8} {'new/base':>8} | {'base p10':>8} {'new p10':>8} {'new/base':>8}")
for t in threads:
    runs = {"base": {}, "new": {}}
    for which in runs:
        for r in range(1, rounds + 1):
            for b in json.load(open(f"{out}/{which}_t{t}_r{r}.json"))["benchmarks"]:
                B = int(b["name"].split("B:")[1].split("/")[0])
                runs[which].setdefault(B, []).append((b["median_ms"], b["p10_ms"]))
    for B in sorted(runs["new"]):
        bm, bp = (st.median(x[i] for x in runs["base"][B]) for i in (0, 1))
        nm, np_ = (st.median(x[i] for x in runs["new"][B]) for i in (0, 1))
        print(f"{t:>3} {B:>4} | {bm:8.3f} {nm:8.3f} {nm/bm:8.3f} | {bp:8.3f} {np_:8.3f} {np_/bp:8.3f}")
PY
