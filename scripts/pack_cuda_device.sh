#!/usr/bin/env bash
# Packs what scripts/check_cuda.sh needs on a GPU machine that has the NVIDIA driver, the CUDA runtime,
# cuBLAS and cuDNN 9 but none of this project's Debian packages and no network: a Release CUDA build of
# `gan` and the CUDA backend's test (no oneDNN, no MPI), the shared libraries they load beyond glibc's,
# the C++ runtime's and CUDA's (OpenBLAS, libpng, libjpeg, ...), MNIST (gzip) and the cached MNIST
# classifier, in one archive, build-device-bundle/bundle.tar.xz (about 20 MB). Carry that folder to the
# device and run scripts/check_cuda.sh there; it unpacks the archive. The device's glibc must not be
# older than this machine's (Debian 12: 2.36).
#   scripts/pack_cuda_device.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${CUDACXX:-/usr/local/cuda/bin/nvcc}
[ -x "$NVCC" ] || { echo "pack_cuda_device: no CUDA toolkit ($NVCC)" >&2; exit 1; }
MNIST=${MNIST_DIR:-data/mnist}
[ -e "$MNIST/train-images-idx3-ubyte" ] || [ -e "$MNIST/train-images-idx3-ubyte.gz" ] ||
    { echo "pack_cuda_device: no MNIST in $MNIST (scripts/fetch_mnist.sh)" >&2; exit 1; }
BUILD=build-cuda-device
OUT=build-device-bundle
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGAN_WITH_CUDA=ON -DCMAKE_CUDA_COMPILER="$NVCC" \
    -DGAN_WITH_DNNL=OFF -DGAN_WITH_MPI=OFF -DGAN_BUILD_BENCH=OFF > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target gan cuda_backend_test
stage=$(mktemp -d /tmp/gan_device_bundle.XXXXXX)/gan-device
mkdir -p "$stage/bin" "$stage/lib" "$stage/mnist" "$stage/cache"
cp "$BUILD/gan" "$BUILD/cuda_backend_test" "$stage/bin/"
strip "$stage/bin/"*
# Every library the programs load, but glibc's, the C++ runtime's and CUDA's (the device has its own).
ldd "$stage/bin/"* | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
    case $(basename "$lib") in
        libc.so* | libm.so* | libdl.so* | libpthread.so* | librt.so* | ld-linux* | libstdc++* | libgcc_s*) ;;
        libcuda.so* | libcudart* | libcublas* | libcudnn* | libnvrtc* | libnvJitLink*) ;;
        *) cp -L "$lib" "$stage/lib/" ;;
    esac
done
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ -e "$MNIST/$f.gz" ]; then cp "$MNIST/$f.gz" "$stage/mnist/"; else gzip -c "$MNIST/$f" > "$stage/mnist/$f.gz"; fi
done
# gan eval's MNIST classifier from this machine's cache (any `gan eval` on MNIST put it there), so the
# device does not spend its minutes training one.
cache=${GAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gan.cpp}
cp "$cache"/mnist_classifier-*.safetensors "$stage/cache/" 2>/dev/null ||
    echo "pack_cuda_device: no cached MNIST classifier in $cache: gan eval trains one on the device"
mkdir -p "$OUT"
tar -C "$(dirname "$stage")" -cJf "$OUT/bundle.tar.xz.tmp" gan-device
mv "$OUT/bundle.tar.xz.tmp" "$OUT/bundle.tar.xz"
rm -rf "$(dirname "$stage")"
echo "pack_cuda_device: $OUT/bundle.tar.xz ($(du -h "$OUT/bundle.tar.xz" | cut -f1)); on the device: scripts/check_cuda.sh"
