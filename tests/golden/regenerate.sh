#!/usr/bin/env bash
# Rewrites every golden header in tests/golden/ from the PyTorch models in tests/golden/reference_models.py.
# Needs Debian's python3-torch (apt-get install python3-torch), run by /usr/bin/python3; one thread, so
# PyTorch's sums run in one fixed order. The tests never run this: they compile the headers in.
#   tests/golden/regenerate.sh          (then `git diff tests/golden` shows what changed)
set -euo pipefail
cd "$(dirname "$0")"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
gen() {  # script header: write to a temporary name, replace the header only when the script succeeded
    /usr/bin/python3 "$1" > "$2.tmp"
    mv "$2.tmp" "$2"
    echo "regenerate: tests/golden/$2"
}
gen make_golden.py seed_gan_golden.h
gen make_golden_dcgan.py dcgan_golden.h
gen make_golden_example.py example_dcgan_golden.h  # also writes tests/data/example_netG_32.safetensors
gen make_golden_small_data.py small_data_golden.h
