#!/usr/bin/env bash
# The check of the CUDA device (--device cuda) on a machine with an NVIDIA GPU: the one command to run
# there. It prints the machine first (so a failed start still teaches), then:
#  1. the CUDA backend's tests (every op against the CPU backend, a step of each model, checkpoints
#     crossing devices), which must pass, not skip;
#  2. the MNIST DCGAN trained for one epoch on the GPU and on the CPU (same seed), each scored by
#     `gan eval` (FID in the MNIST classifier's features; the two should be near);
#  3. the time of a step, ours against PyTorch on the same card (bench/pytorch/torch_step.py, eager and
#     under torch.compile): the MNIST DCGAN at batch 64, the 64x64 example DCGAN at batch 128, the
#     classic MLP's 100 epochs as a whole process; the GPU's utilisation during the 64x64 run;
# and one table of it all. Ends inside 8 minutes on an H100.
#
# The programs come from build-device-bundle/bundle.tar.xz, made on a Debian 12 machine by
# scripts/pack_cuda_device.sh (a device image without this project's packages cannot build it), or,
# where that is missing, from a CUDA build here (needs the packages scripts/setup.sh installs).
#   scripts/check_cuda.sh          (env: STEPS=300 timed PyTorch steps, KEEP=1 keeps the work folder)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
W=$(mktemp -d /tmp/gan_check_cuda.XXXXXX)
LOG=$W/log
STEPS=${STEPS:-300}
t0=$(date +%s)
say() { echo "=== $* ($(($(date +%s) - t0)) s)"; }
fail() { echo "check_cuda: $*" >&2; exit 1; }

say "machine"
grep -E '^(PRETTY_NAME)=' /etc/os-release 2>/dev/null
ldd --version 2>/dev/null | head -n 1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 2 ||
    fail "no nvidia-smi: no NVIDIA driver here"
(command -v nvcc >/dev/null && nvcc --version | tail -n 1) || echo "no nvcc on PATH"
PY=$(command -v python3 || true)
[ -n "$PY" ] && "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available())' 2>&1 | tail -n 1
lscpu | sed -n 's/^Model name: *//p'; echo "$(nproc) CPUs"

# cuBLAS and cuDNN: the toolkit's, the system's, or those PyTorch's wheels carry.
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/lib/x86_64-linux-gnu; do
    [ -d "$d" ] && LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d
done
if [ -n "$PY" ]; then
    for m in cudnn cublas cuda_runtime cuda_nvrtc nvjitlink; do
        d=$("$PY" -c "import nvidia.$m, os; print(os.path.join(list(nvidia.$m.__path__)[0], 'lib'))" 2>/dev/null) &&
            [ -d "$d" ] && LD_LIBRARY_PATH=$d:$LD_LIBRARY_PATH
    done
fi

say "programs"
if [ -f build-device-bundle/bundle.tar.xz ]; then
    tar -C "$W" -xJf build-device-bundle/bundle.tar.xz || fail "cannot unpack build-device-bundle/bundle.tar.xz"
    BIN=$W/gan-device/bin
    MNIST=$W/gan-device/mnist
    export GAN_CACHE=$W/gan-device/cache
    LD_LIBRARY_PATH=$W/gan-device/lib:$LD_LIBRARY_PATH
else
    echo "no bundle: building build-cuda here"
    cmake -S . -B build-cuda -DCMAKE_BUILD_TYPE=Release -DGAN_WITH_CUDA=ON -DGAN_WITH_DNNL=OFF -DGAN_BUILD_BENCH=OFF \
        > "$W/configure.log" 2>&1 || { tail -n 20 "$W/configure.log"; fail "configuring the CUDA build failed"; }
    cmake --build build-cuda -j"$(nproc)" --target gan cuda_backend_test > "$W/build.log" 2>&1 ||
        { grep -m5 -A5 error "$W/build.log"; fail "the CUDA build failed"; }
    BIN=$ROOT/build-cuda
    MNIST=${MNIST_DIR:-data/mnist}
fi
export LD_LIBRARY_PATH
ldd "$BIN/gan" | grep -E "not found|cudnn|cublas|cudart" | sed 's/ (0x.*//'
ldd "$BIN/gan" | grep -q "not found" && fail "a library of gan is missing here (above)"

say "1. CUDA backend tests"
"$BIN/cuda_backend_test" > "$W/cuda_tests.log" 2>&1
tests_rc=$?
grep -E "^\[  (PASSED|FAILED|SKIPPED) " "$W/cuda_tests.log" | head -n 40
skipped=$(grep -c "^\[  SKIPPED \]" "$W/cuda_tests.log")
[ "$tests_rc" = 0 ] && [ "$skipped" = 0 ] && tests="passed" || tests="FAILED (rc $tests_rc, $skipped skipped)"

# Per-epoch seconds of a `gan train` log, the last epoch's: "Epoch 2/2... (1.23 s, ...".
epoch_seconds() { sed -n 's/^Epoch [0-9]*\/[0-9]*\.\.\..*(\([0-9.]*\) s,.*/\1/p' "$1" | tail -n 1; }
train() {  # name device args...
    local name=$1 dev=$2; shift 2
    "$BIN/gan" train --plain --device "$dev" --data "$MNIST" --out "$W/$name" "$@" > "$W/$name.log" 2>&1 ||
        { tail -n 5 "$W/$name.log"; echo "check_cuda: gan train ($name) failed" >&2; return 1; }
}
fid_of() {  # checkpoint
    "$BIN/gan" eval --checkpoint "$1" --data "$MNIST" --threads "$(nproc)" 2>&1 | tee -a "$W/eval.log" |
        sed -n 's/^ *FID vs [^)]*) *\([0-9.]*\).*/\1/p; s/^ *MNIST-FID[^)]*) *\([0-9.]*\).*/\1/p' | head -n 1
}

say "2. MNIST DCGAN, one epoch on each device"
train dcgan_gpu cuda --arch dcgan --epochs 2 --seed 0 && gpu_ok=1 || gpu_ok=0
train dcgan_cpu cpu --arch dcgan --epochs 1 --seed 0 --threads "$(nproc)" && cpu_ok=1 || cpu_ok=0
fid_gpu=$([ $gpu_ok = 1 ] && fid_of "$W/dcgan_gpu/checkpoints/generator_epoch_001.safetensors")
fid_cpu=$([ $cpu_ok = 1 ] && fid_of "$W/dcgan_cpu/checkpoints/generator_epoch_001.safetensors")
echo "FID after one epoch: GPU ${fid_gpu:-?}, CPU ${fid_cpu:-?}"

say "3. steps against PyTorch on the same card"
ms_per_step() {  # log batch images: the last epoch's seconds over its steps
    local s; s=$(epoch_seconds "$1")
    [ -n "$s" ] && awk -v s="$s" -v b="$2" -v n="$3" 'BEGIN { printf "%.3f", 1000 * s / int(n / b) }'
}
torch_ms() {  # arch batch [--compile]
    [ -n "$PY" ] || return 0
    MNIST_DIR=$MNIST "$PY" bench/pytorch/torch_step.py bench --device cuda --arch "$1" --batches "$2" \
        --warmup 30 --steps "$STEPS" ${3:-} 2> "$W/torch_$1_$2${3:-}.err" | sed -n 's/.* median \([0-9.]*\) ms.*/\1/p'
}
ours_dcgan=$([ $gpu_ok = 1 ] && ms_per_step "$W/dcgan_gpu.log" 64 60000)
t_dcgan_eager=$(torch_ms dcgan 64)
t_dcgan_compile=$(torch_ms dcgan 64 --compile)

nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 200 > "$W/util.csv" 2>/dev/null &
smi=$!
train ex64_gpu cuda --arch dcgan --image-size 64 --channels 3 --batch 128 --epochs 2 --seed 0 && ex_ok=1 || ex_ok=0
kill $smi 2>/dev/null
util=$(awk '$1 > 0 { s += $1; n++ } END { if (n) printf "%.0f", s / n }' "$W/util.csv")
ours_ex64=$([ $ex_ok = 1 ] && ms_per_step "$W/ex64_gpu.log" 128 60000)
t_ex64_eager=$(torch_ms dcgan64 128)
t_ex64_compile=$(torch_ms dcgan64 128 --compile)

c0=$(date +%s.%N)
train classic_gpu cuda --epochs 100 --seed 0 && classic_ok=1 || classic_ok=0
ours_classic=$(awk -v a="$c0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
t_classic=""
if [ -n "$PY" ]; then
    c0=$(date +%s.%N)
    MNIST_DIR=$MNIST "$PY" bench/pytorch/torch_step.py epochs --device cuda --arch classic --batch 100 --epochs 3 \
        --csv "$W/torch_classic.csv" > /dev/null 2>&1 &&
        t_classic=$(awk -F, 'NR > 1 { s += $2 } END { printf "%.1f", s / 3 * 100 }' "$W/torch_classic.csv")
fi

ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", b / a }' || echo "?"; }
say "table"
echo "card: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1); backend tests: $tests"
printf "| %-34s | %-10s | %-14s | %-16s | %-9s | %-9s |\n" case ours "PyTorch eager" "torch.compile" "vs eager" "vs compile"
printf "| %-34s | %-10s | %-14s | %-16s | %-9s | %-9s |\n" "MNIST DCGAN, B 64 (ms/step)" "${ours_dcgan:-?}" \
    "${t_dcgan_eager:-?}" "${t_dcgan_compile:-?}" "$(ratio "$ours_dcgan" "$t_dcgan_eager")" "$(ratio "$ours_dcgan" "$t_dcgan_compile")"
printf "| %-34s | %-10s | %-14s | %-16s | %-9s | %-9s |\n" "64x64 example DCGAN, B 128 (ms/step)" "${ours_ex64:-?}" \
    "${t_ex64_eager:-?}" "${t_ex64_compile:-?}" "$(ratio "$ours_ex64" "$t_ex64_eager")" "$(ratio "$ours_ex64" "$t_ex64_compile")"
printf "| %-34s | %-10s | %-14s | %-16s | %-9s | %-9s |\n" "classic MLP, 100 epochs (s)" "${ours_classic:-?}" \
    "${t_classic:-?} (3 x 33.3)" "-" "$(ratio "$ours_classic" "$t_classic")" "-"
echo "GPU utilisation during the 64x64 run: ${util:-?} %; FID after 1 epoch: GPU ${fid_gpu:-?}, CPU ${fid_cpu:-?}"
say "done"
[ "${KEEP:-0}" = 1 ] && echo "work folder: $W" || rm -rf "$W"
[ "$tests" = passed ] && [ $gpu_ok = 1 ] && [ $cpu_ok = 1 ] && [ $ex_ok = 1 ] && [ $classic_ok = 1 ]
