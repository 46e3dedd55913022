#!/usr/bin/env bash
# Data-parallel speed on this machine: each model trained as 1 rank x 1 thread, 1 rank x 2 threads and
# 2 ranks x 1 thread (mpirun, shared memory between the ranks), alternating ROUNDS times. Images per
# second and the communication share are those of metrics.csv's last epoch (the first is a warm-up).
# Models and data:
#   mlp      the classic GAN, batch 100, full MNIST (data/mnist)
#   dcgan    the MNIST DCGAN, batch 64, the 10,000 test images of MNIST's folder as a training set
#   dcgan32  PyTorch's examples/dcgan at 32x32 RGB, batch 64, the 1,794 EmojiOne pictures (ruby-gemojione)
#   dcgan64  the same at 64x64
#   scripts/bench_mpi.sh [BUILD_DIR]      (env: MODELS="mlp dcgan dcgan32 dcgan64", ROUNDS=2)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MODELS=${MODELS:-mlp dcgan dcgan32 dcgan64}
ROUNDS=${ROUNDS:-2}
EMOJI=/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png
[ -x "$BUILD/gan" ] || { echo "no $BUILD/gan: build it first" >&2; exit 1; }
ldd "$BUILD/gan" | grep -q libmpi || { echo "$BUILD/gan is built without MPI (GAN_WITH_MPI)" >&2; exit 1; }
[ -d "$EMOJI" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby-gemojione >/dev/null; }
OUT=$(mktemp -d /tmp/gan_bench_mpi.XXXXXX)
# The MNIST test split as a training folder of its own (train-* names), for a DCGAN epoch of minutes.
mkdir -p "$OUT/mnist10k"
for k in images-idx3 labels-idx1; do
    f=$(ls data/mnist/t10k-$k-ubyte* | head -1)
    ln -sf "$PWD/$f" "$OUT/mnist10k/train-$k-ubyte${f##*ubyte}"
done
echo "# $(date -u +%FT%TZ)  $(lscpu | sed -n 's/^Model name: *//p')  $(nproc) CPUs  load: $(cut -d' ' -f1-3 /proc/loadavg)  results in $OUT"
args_of() {
    case $1 in
        mlp) echo "--arch mlp --data data/mnist --batch 100" ;;
        dcgan) echo "--arch dcgan --data $OUT/mnist10k --batch 64" ;;
        dcgan32) echo "--arch dcgan --data $EMOJI --image-size 32 --channels 3 --batch 64" ;;
        dcgan64) echo "--arch dcgan --data $EMOJI --image-size 64 --channels 3 --batch 64" ;;
    esac
}
last_epoch() {  # run dir -> "images_per_s comm_share"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) c[$i] = i; next } { l = $c["images_per_s"] " " $c["comm_share"] } END { print l }' "$1/metrics.csv"
}
run() {  # model layout -> appends "model layout img/s comm" to rounds
    local m=$1 layout=$2 dir="$OUT/$1_$2"
    rm -rf "$dir"
    local common="train $(args_of "$m") --epochs 2 --plain --samples-per-epoch 16 --out $dir"
    case $layout in
        1x1) OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 "$BUILD/gan" $common --threads 1 >"$dir.log" 2>&1 ;;
        1x2) OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 taskset -c 0,1 "$BUILD/gan" $common --threads 2 >"$dir.log" 2>&1 ;;
        2x1) mpirun --allow-run-as-root --oversubscribe --bind-to core --map-by core -np 2 -x OMP_NUM_THREADS=1 \
                 -x OPENBLAS_NUM_THREADS=1 "$BUILD/gan" $common --threads 1 >"$dir.log" 2>&1 ;;
    esac
    echo "$m $layout $(last_epoch "$dir")" | tee -a "$OUT/rounds"
}
for r in $(seq 1 "$ROUNDS"); do
    for m in $MODELS; do
        if [ $((r % 2)) = 1 ]; then order="1x1 1x2 2x1"; else order="2x1 1x2 1x1"; fi
        for layout in $order; do run "$m" "$layout"; done
    done
done
/usr/bin/python3 - "$OUT/rounds" <<'PY'
import statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    m, layout, ips, comm = line.split()
    rows.setdefault((m, layout), []).append((float(ips), float(comm or 0)))
print("\nmedians (images/s of the last epoch; comm: its share in the collectives):")
print("| model | 1 rank x 1 thread | 1 rank x 2 threads | 2 ranks x 1 thread | 2 ranks / 1 rank | 2 ranks / 2 threads | comm share, 2 ranks |")
print("|---|---|---|---|---|---|---|")
for m in dict.fromkeys(k[0] for k in rows):
    a, b, c = (st.median(x[0] for x in rows[(m, l)]) for l in ("1x1", "1x2", "2x1"))
    comm = st.median(x[1] for x in rows[(m, "2x1")])
    print(f"| {m} | {a:.0f} | {b:.0f} | {c:.0f} | {c/a:.2f}x | {c/b:.2f}x | {100*comm:.1f} % |")
PY
