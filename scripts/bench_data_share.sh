#!/usr/bin/env bash
# How much of a training epoch goes to reading data, for PyTorch's DCGAN example at 64x64 in RGB on a
# folder of images: the first run decodes the folder once into RUN/data_cache.bin, then every epoch gathers
# its batches from that cache. metrics.csv's data_share column is the part of each epoch spent gathering.
# The folder is the 1,795 EmojiOne PNGs of Debian's ruby-gemojione (scripts/example_emoji.sh).
#   scripts/bench_data_share.sh [BUILD_DIR]      (env: EPOCHS=2, CORE=0)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
EPOCHS=${EPOCHS:-2}
CORE=${CORE:-0}
DIR=/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png
[ -d "$DIR" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby-gemojione >/dev/null; }
RUN=$(mktemp -d /tmp/gan_data_share.XXXXXX)
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  load: $(cut -d' ' -f1-3 /proc/loadavg)  core $CORE  run in $RUN"
t0=$(date +%s.%N)
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 taskset -c "$CORE" "$BUILD/gan" train --arch dcgan --data "$DIR" \
    --image-size 64 --channels 3 --epochs "$EPOCHS" --batch 64 --threads 1 --out "$RUN/run" >"$RUN/log" 2>&1
t1=$(date +%s.%N)
grep -i "cache\|decod" "$RUN/log" | head -3 || true
awk -F, -v total="$(echo "$t1 - $t0" | bc)" '
    NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
    { printf "epoch %d: %.1f s, %.1f img/s, data %.3f %% of the epoch\n", $1, $col["epoch_seconds"],
             $col["images_per_s"], 100 * $col["data_share"] }
    END { printf "whole command (decoding the folder included): %.1f s\n", total }' "$RUN/run/metrics.csv"
