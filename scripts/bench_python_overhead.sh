#!/usr/bin/env bash
# The Python module's overhead against the CLI: one epoch of the same run (the classic GAN on MNIST by
# default) trained by `gan train` and by gancpp.train, alternately, REPEATS times each. Prints, per
# try, the epoch's seconds and images per second as the trainer reports them and the wall time of the
# whole process (start, data, epoch, files), then the medians; and checks that both trained the same
# generator. Builds nothing: run scripts/setup.sh gan gancpp first.
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

now() { date +%s.%N; }
cli() {
    local t0; t0=$(now)
    "$build/gan" train --data "$data" --epochs 1 --out "$tmp/cli" --overwrite --plain "${extra[@]}" >"$tmp/cli.log"
    echo "$(sed -n 's/.*Generator Loss: [0-9.-]*  (\([0-9.]*\) s, \([0-9]*\) img\/s.*/\1 \2/p' "$tmp/cli.log") $(echo "$(now) - $t0" | bc)"
}
py() {
    local t0; t0=$(now)
    PYTHONPATH="$build/python" "$python" -c "
import gancpp
r = []
gancpp.train(data='$data', out='$tmp/py', epochs=1, overwrite=True, on_epoch=r.append$kwargs)
print(f\"{r[0]['seconds']:.2f} {r[0]['images_per_s']:.0f}\")" >"$tmp/py.log"
    echo "$(cat "$tmp/py.log") $(echo "$(now) - $t0" | bc)"
}
echo "bench_python_overhead: one epoch on $data, $repeats tries each, flags: ${extra[*]:-(none)}; $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "try  cli: epoch s  img/s  wall s    python: epoch s  img/s  wall s"
for ((k = 1; k <= repeats; ++k)); do
    read -r ce ci cw <<<"$(cli)"
    read -r pe pi pw <<<"$(py)"
    printf "%3d  %14s %6s %7.2f  %16s %6s %7.2f\n" "$k" "$ce" "$ci" "$cw" "$pe" "$pi" "$pw"
    echo "$ce $ci $cw $pe $pi $pw" >>"$tmp/rows"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
printf "median %11s %6s %7s  %16s %6s %7s\n" "$(cut -d' ' -f1 "$tmp/rows" | median)" "$(cut -d' ' -f2 "$tmp/rows" | median)" \
    "$(cut -d' ' -f3 "$tmp/rows" | median)" "$(cut -d' ' -f4 "$tmp/rows" | median)" \
    "$(cut -d' ' -f5 "$tmp/rows" | median)" "$(cut -d' ' -f6 "$tmp/rows" | median)"
cmp -s "$tmp/cli/generator.safetensors" "$tmp/py/generator.safetensors" &&
    echo "the same generator.safetensors from both" || echo "bench_python_overhead: the generators differ" >&2
