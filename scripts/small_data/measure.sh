#!/usr/bin/env bash
# The measurements of docs/small_data.md: the plain 32x32 DCGAN (PyTorch's example, ngf = ndf = 16)
# against --recipe small-data on the coloured digit folders of make_folder.py, the same number of steps
# each, every run evaluated by `gan eval --data FULL` (FID and coverage against the full 10,000-image set
# the folders come from) at a quarter, half and all of its steps; then the PyTorch reference
# (torch_reference.py: plain and with DiffAugment) on the same folders.
#   scripts/small_data/measure.sh FOLDERS OUT STEPS [SEEDS] [SIZES]
#     FOLDERS: make_folder.py's output (full/, n2000/, n500/); OUT: run directories and results.csv
#     SEEDS (default "1 2 3"), SIZES (default "2000 500"); JOBS=2 runs at a time; TORCH=0 skips PyTorch.
# Every run is `nice` with one thread. results.csv: folder,config,seed,step,fid,coverage,classes,recall.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gan=${GAN:-$here/../../build/gan}
batch=64

row() {  # row FOLDER CONFIG SEED STEP JSON: one line of results.csv from gan eval's JSON
    python3 -c 'import json, sys; j = json.load(open(sys.argv[5]))
print(",".join(sys.argv[1:5] + ["%.1f" % j["fid"], "%.3f" % j["coverage"], str(j["classes_covered"]), "%.3f" % j["recall"]]))' "$@" >> "$out/results.csv"
}

evaluate() {  # evaluate RUN FOLDER CONFIG SEED STEP SAMPLES_OR_CHECKPOINT_FLAG...
    local run=$1 n=$2 config=$3 seed=$4 step=$5
    shift 5
    nice "$gan" eval "$@" --data "$folders/full" --n 2000 --threads 1 --json "$run/eval_$step.json" > "$run/eval_$step.txt"
    row "n$n" "$config" "$seed" "$step" "$run/eval_$step.json"
}

one() {  # one SIZE CONFIG SEED
    local n=$1 config=$2 seed=$3 run="$out/n$1-$2-$3"
    if [ "${config#torch}" != "$config" ]; then
        mkdir -p "$run"
        local aug=""
        [ "$config" = torch-diffaugment ] && aug=--augment
        nice /usr/bin/python3 "$here/torch_reference.py" --data "$folders/n$n" --steps "$steps" --seed "$seed" \
            --out "$run/samples.npy" $aug > "$run/log.txt" 2>&1
        evaluate "$run" "$n" "$config" "$seed" "$steps" --samples "$run/samples.npy"
        return
    fi
    local per_epoch=$((n / batch)) flags=""
    local epochs=$(((steps + per_epoch - 1) / per_epoch))
    [ "$config" = recipe ] && flags="--recipe small-data"
    nice "$gan" train --arch dcgan --image-size 32 --ngf 16 --ndf 16 --batch $batch --threads 1 --plain --overwrite \
        --data "$folders/n$n" --epochs "$epochs" --seed "$seed" $flags --out "$run" > "$run.log" 2>&1
    for e in $((epochs / 4)) $((epochs / 2)) "$epochs"; do
        evaluate "$run" "$n" "$config" "$seed" $((e * per_epoch)) \
            --checkpoint "$run/checkpoints/generator_epoch_$(printf %03d "$e").safetensors"
    done
}

if [ "${1:-}" = one ]; then  # internal: one job of the list below
    shift
    folders=$1 out=$2 steps=$3
    one "$4" "$5" "$6"
    exit
fi
folders=$1 out=$2 steps=$3 seeds=${4:-"1 2 3"} sizes=${5:-"2000 500"}
mkdir -p "$out"
[ -f "$out/results.csv" ] || echo "folder,config,seed,step,fid,coverage,classes,recall" > "$out/results.csv"
jobs=()
for n in $sizes; do
    for seed in $seeds; do
        for config in plain recipe; do jobs+=("$n $config $seed"); done
    done
    if [ "${TORCH:-1}" = 1 ]; then
        for config in torch-plain torch-diffaugment; do jobs+=("$n $config 1"); done
    fi
done
printf '%s\n' "${jobs[@]}" | xargs -P "${JOBS:-2}" -L 1 "$0" one "$folders" "$out" "$steps"
sort -t, -k1,1 -k2,2 -k4,4n -k3,3n "$out/results.csv" | column -s, -t
