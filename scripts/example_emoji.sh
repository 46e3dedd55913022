#!/usr/bin/env bash
# Training on a folder of your own images, shown on a folder that Debian ships: the 1,795 EmojiOne
# pictures of the ruby-gemojione package (64x64 PNG, palette with transparency; like torchvision's
# ImageFolder, the transparency is dropped, not blended). Trains PyTorch's DCGAN example at SIZE (64 or 32)
# in RGB into RUN and writes a colour grid of 64 samples to RUN/samples_grid.png.
#   scripts/example_emoji.sh [RUN] [extra gan train flags]     (env: SIZE=64, EPOCHS=25, BUILD=build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/emoji}
shift || true
SIZE=${SIZE:-64}
EPOCHS=${EPOCHS:-25}
BUILD=${BUILD:-build}
DIR=/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png
if [ ! -d "$DIR" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ruby-gemojione >/dev/null
fi
[ -x "$BUILD/gan" ] || scripts/setup.sh gan
"$BUILD/gan" train --arch dcgan --data "$DIR" --image-size "$SIZE" --channels 3 --epochs "$EPOCHS" \
    --batch 64 --out "$RUN" "$@"
"$BUILD/gan" sample --checkpoint "$RUN" --n 64 --seed 7 --out "$RUN/samples_grid.png"
echo "wrote $RUN/samples_grid.png"
