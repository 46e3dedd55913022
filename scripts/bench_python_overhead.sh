#!/usr/bin/env bash
# The Python module's overhead against the CLI: one epoch of the same run (the classic GAN on MNIST by
# default) trained by `gan train` and by gancpp.train, alternately, REPEATS times each. Prints, per
# try, the epoch's seconds and images per second as the trainer reports them and the wall time of the
# whole process (start, data, epoch, files), then the medians; and checks that both trained the same
# generator. The two alternate (each goes first in every other try). Builds nothing: run scripts/setup.sh gan gancpp first.
#   scripts/bench_python_overhead.sh [REPEATS] [-- extra gan train flags, e.g. --threads 1]
# DATA (default data/mnist), BUILD (default build), PYTHON (default the one the build was made for).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
shift || true
[ "${1:-}" = "--" ] && shift
extra=("$@")
build=${BUILD:-build}
data=${DATA:-data/mnist}
python=${PYTHON:-$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt")}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gan-bench-python.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# "--threads 1" -> threads=1 for the keyword form.
kwargs=""
for ((i = 0; i < ${#extra[@]}; i += 2)); do
    name=${extra[i]#--}
    kwargs+=", ${name//-/_}='${extra[i + 1]}'"
done

# Each prints: the epoch's seconds and images per second (as the trainer reports them), the process's
# wall seconds and its CPU seconds (user + system: what the machine's other load changes least).
timed() {  # runs "$@" with its output to $log; prints "wall cpu"
    local t0 t; t0=$(date +%s.%N)
    t=$( { TIMEFORMAT='%3U %3S'; time "$@" >"$log" 2>&1; } 2>&1 )
    echo "$(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-6) $(echo "$t" | awk '{print $1 + $2}')"
}
cli() {
    local log=$tmp/cli.log wc
    wc=$(timed "$build/gan" train --data "$data" --epochs 1 --out "$tmp/cli" --overwrite --plain "${extra[@]}")
    echo "$(sed -n 's/.*Generator Loss: [0-9.-]*  (\([0-9.]*\) s, \([0-9]*\) img\/s.*/\1 \2/p' "$log") $wc"
}
py() {
    local log=$tmp/py.log wc
    wc=$(PYTHONPATH="$build/python" timed "$python" -c "
import gancpp
r = []
gancpp.train(data='$data', out='$tmp/py', epochs=1, overwrite=True, on_epoch=r.append$kwargs)
print(f\"{r[0]['seconds']:.2f} {r[0]['images_per_s']:.0f}\")")
    echo "$(cat "$log") $wc"
}
echo "bench_python_overhead: one epoch on $data, $repeats tries each, flags: ${extra[*]:-(none)}; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "try   cli: epoch s  img/s  wall s  cpu s   python: epoch s  img/s  wall s  cpu s"
for ((k = 1; k <= repeats; ++k)); do
    # Alternate which goes first, so that neither always runs on a warmer or busier machine.
    if ((k % 2)); then
        read -r ce ci cw cc <<<"$(cli)"
        read -r pe pi pw pc <<<"$(py)"
    else
        read -r pe pi pw pc <<<"$(py)"
        read -r ce ci cw cc <<<"$(cli)"
    fi
    printf "%3d  %15s %6s %7s %6s  %15s %6s %7s %6s\n" "$k" "$ce" "$ci" "$cw" "$cc" "$pe" "$pi" "$pw" "$pc"
    echo "$ce $ci $cw $cc $pe $pi $pw $pc" >>"$tmp/rows"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { cut -d' ' -f"$1" "$tmp/rows" | median; }
printf "median %13s %6s %7s %6s  %15s %6s %7s %6s\n" "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" \
    "$(col 7)" "$(col 8)"
cmp -s "$tmp/cli/generator.safetensors" "$tmp/py/generator.safetensors" &&
    echo "the same generator.safetensors from both" || echo "bench_python_overhead: the generators differ" >&2
