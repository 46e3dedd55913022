#!/usr/bin/env bash
# How a training run scales with --threads on this machine: `gan train` for SHORT and LONG steps at each
# thread count of THREADS, alternating ROUNDS times, and the time per step from the difference of the
# two (start-up, reading the data and the first allocations cancel). Prints each round and the medians,
# and each count's speed against --threads 1. Wall time: threads are what this measures, so the
# machine must be otherwise idle (check the load printed first).
#   scripts/bench_threads.sh [BUILD_DIR]   (env: ARCH=dcgan, BATCH=64, THREADS="1 2 0", SHORT=20,
#                                           LONG=120, ROUNDS=3, DATA=data/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ARCH=${ARCH:-dcgan}
BATCH=${BATCH:-64}
THREADS=${THREADS:-"1 2 0"}
SHORT=${SHORT:-20}
LONG=${LONG:-120}
ROUNDS=${ROUNDS:-3}
DATA=${DATA:-data/mnist}
OUT=$(mktemp -d /tmp/gan_threads.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  $(nproc) CPUs  load: $(cut -d' ' -f1-3 /proc/loadavg)  $ARCH batch $BATCH"
seconds() {  # threads steps
    local t0=$EPOCHREALTIME
    "$BUILD/gan" train --arch "$ARCH" --batch "$BATCH" --data "$DATA" --threads "$1" --max-steps "$2" \
        --samples-per-epoch 1 --plain --overwrite --out "$OUT/run" > /dev/null
    echo "$t0 $EPOCHREALTIME" | awk '{ printf "%.4f", $2 - $1 }'
}
for r in $(seq 1 "$ROUNDS"); do
    for t in $THREADS; do
        short=$(seconds "$t" "$SHORT")
        long=$(seconds "$t" "$LONG")
        echo "$r $t $short $long" >> "$OUT/rows"
    done
    tail -n "$(wc -w <<< "$THREADS")" "$OUT/rows" | awk -v n=$((LONG - SHORT)) -v r="$r" \
        '{ printf "%s--threads %s %.1f ms", (NR > 1 ? ", " : "round " r " (ms per step): "), $2, ($4 - $3) * 1000 / n } END { print "" }'
done
/usr/bin/python3 - "$OUT/rows" $((LONG - SHORT)) <<'PY'
import statistics as st, sys
by = {}
for l in open(sys.argv[1]):
    _, t, short, long_ = l.split()
    by.setdefault(t, []).append((float(long_) - float(short)) * 1000 / int(sys.argv[2]))
one = st.median(by["1"]) if "1" in by else None
for t, v in by.items():
    m = st.median(v)
    print(f"--threads {t}: median {m:.1f} ms per step" + (f", {one / m:.2f}x the speed of --threads 1" if one else ""))
PY
