#!/usr/bin/env bash
# The main job: set up, fetch MNIST, train the classic GAN with the tutorial's defaults
# (100 epochs) into runs/classic, and write sample images. Extra arguments go to `gan train`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh gan   # the program only; scripts/test.sh builds the tests
scripts/fetch_mnist.sh data/mnist
build/gan train --data data/mnist --out runs/classic "$@"
build/gan sample --checkpoint runs/classic --n 100 --out runs/classic/final_samples.png
