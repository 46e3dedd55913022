#!/usr/bin/env bash
# The PNG writer, the GIF writer and FID before and after they moved onto libpng, giflib and LAPACKE,
# side by side in one process (bench/libraries/): timings, whether the files are byte-identical (else
# whether their pixels are), FID's values, and the fixed GIF palette's error against giflib's
# median-cut quantiser. "Before" is the source of BASE (default: the last commit with the hand-written
# code), compiled with its namespace renamed; "after" is this tree. Needs MNIST in data/mnist
# (scripts/fetch_mnist.sh) and the packages of scripts/setup.sh.
#   scripts/bench_libraries.sh [BASE]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-1bfce99}
images=data/mnist/train-images-idx3-ubyte
[ -f "$images" ] || { echo "bench_libraries: no $images (scripts/fetch_mnist.sh)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/bench_libraries.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/before"
git archive "$base" src | tar -x -C "$tmp/before"
flags=(-O2 -std=c++20 -DNDEBUG)
parts=(io/png.cpp io/png_grid.cpp io/gif.cpp io/gif_colour.cpp io/file.cpp metrics/fid.cpp)
objs=()
for p in "${parts[@]}" ../bench/libraries/wrap.cpp; do
    o="$tmp/before_$(basename "$p" .cpp).o"
    src="$tmp/before/src/$p"
    [ "$p" = ../bench/libraries/wrap.cpp ] && src=bench/libraries/wrap.cpp
    g++ "${flags[@]}" -I"$tmp/before/src" -Dgan=gan_before -DWRAP=before -c "$src" -o "$o" &
    objs+=("$o")
    o="$tmp/after_$(basename "$p" .cpp).o"
    g++ "${flags[@]}" -Isrc -DWRAP=after -c "src/$p" -o "$o" &
    objs+=("$o")
    wait
done
g++ "${flags[@]}" -Isrc bench/libraries/main.cpp "${objs[@]}" -o "$tmp/bench" -lpng -lgif -llapacke -lopenblas -lz
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; base $(git rev-parse --short "$base")"
"$tmp/bench" "$images"
