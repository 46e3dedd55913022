#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang++ -fsanitize=fuzzer,address,undefined straight
# from the src/ files each needs (no CMake), then runs each for SECONDS on its seed corpus.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 s each, all targets
#   scripts/fuzz.sh --build-only
#
# Prints one line per target: executions, seconds, corpus size and crashes. New inputs go to
# $FUZZ_DIR/corpus/<target> (the committed seeds in fuzz/corpus/<target> are only read); a crash
# is saved as $FUZZ_DIR/artifacts/<target>-crash-* and makes the script exit 1.
# Environment: FUZZ_DIR (default build-fuzz), CXX (default clang++), FUZZ_JOBS (default 2),
# FUZZ_FLAGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
build_only=0
targets=()
for a in "$@"; do
    case "$a" in
        --build-only) build_only=1 ;;
        ''|*[!0-9]*) targets+=("$a") ;;
        *) seconds=$a ;;
    esac
done
all_targets=(fuzz_idx fuzz_safetensors fuzz_npy fuzz_png fuzz_image fuzz_cifar fuzz_config)
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

out=${FUZZ_DIR:-build-fuzz}
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts" "$out/logs"
out=$(cd "$out" && pwd)
cxx=${CXX:-clang++}
jobs=${FUZZ_JOBS:-2}
common=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
        -fno-sanitize-recover=undefined -Isrc -Icli -Ifuzz -DGAN_VERSION=\"fuzz\")

# The library sources each target needs (what it calls and what those call): the portable code only
# (no *_avx2.cpp / *_avx512.cpp kernel files; without GAN_X86_KERNELS nothing calls them), and without
# MPI (no src/mpi/mpi_*.cpp; without GAN_HAVE_MPI, src/mpi/world.cpp is the one-process world).
lib_all=$(ls src/*/*.cpp | grep -v -E '_test\.cpp$|_avx(2|512)\.cpp$|^src/mpi/mpi_')
sources_of() {
    case "$1" in
        fuzz_idx) echo src/io/idx.cpp src/io/file.cpp ;;
        fuzz_safetensors) echo src/io/safetensors.cpp src/io/json_depth.cpp src/io/file.cpp ;;
        fuzz_npy) echo src/io/npy.cpp src/io/file.cpp ;;
        fuzz_png) echo src/io/png.cpp src/io/png_grid.cpp src/io/file.cpp ;;
        fuzz_image) echo src/data/image_decode.cpp src/io/png.cpp src/data/jpeg_decode.cpp \
            src/data/resize.cpp src/io/file.cpp ;;
        fuzz_cifar) echo src/data/cifar.cpp src/data/image_set.cpp src/data/image_folder.cpp \
            src/data/image_decode.cpp src/io/png.cpp src/data/jpeg_decode.cpp \
            src/data/resize.cpp src/core/thread_pool.cpp src/io/file.cpp ;;
        fuzz_config) echo $lib_all cli/cmd_train.cpp cli/train_log.cpp cli/cmd_sample.cpp cli/flags.cpp ;;
        *) echo "unknown target $1 (known: ${all_targets[*]})" >&2; exit 2 ;;
    esac
}
libs_of() {
    case "$1" in
        fuzz_config) echo -lopenblas -lpng -ljpeg -lgif -llapacke -lz -lpthread ;;
        fuzz_image) echo -lpng -ljpeg -lz ;;
        fuzz_png) echo -lpng -lz ;;
        fuzz_cifar) echo -lpng -ljpeg -lz -lpthread ;;
        *) echo -lz ;;
    esac
}

# An object is rebuilt when it is missing or older than its source or any header it included
# (the compiler's own dependency list, OBJ.d).
stale() {  # stale SRC OBJ
    [ -f "$2" ] && [ -f "$2.d" ] || return 0
    local dep
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$2.d"); do
        [ "$dep" -nt "$2" ] && return 0
    done
    return 1
}
compile() {  # compile SRC OBJ FLAG...
    local src=$1 obj=$2; shift 2
    if stale "$src" "$obj"; then
        echo "  compile $src" >&2
        "$cxx" "${common[@]}" "$@" -MMD -MF "$obj.d" -c "$src" -o "$obj"
    fi
}

for t in "${targets[@]}"; do
    objs=()
    pending=()
    for s in $(sources_of "$t"); do
        o="$out/obj/$(echo "$s" | tr / _).o"
        objs+=("$o")
        pending+=("$s:$o")
    done
    # Library objects FUZZ_JOBS at a time, then the target itself.
    printf '%s\n' "${pending[@]}" | tr ':' '\n' |
        xargs -P "$jobs" -n 2 bash -c \
            "$(declare -p common cxx); $(declare -f stale compile); compile \"\$0\" \"\$1\" -fsanitize=fuzzer-no-link"
    compile "fuzz/$t.cpp" "$out/obj/$t.o" -fsanitize=fuzzer-no-link
    "$cxx" "${common[@]}" -fsanitize=fuzzer "$out/obj/$t.o" "${objs[@]}" $(libs_of "$t") -o "$out/$t"
done
[ "$build_only" -eq 1 ] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
    mkdir -p "$out/corpus/$t"
    seeds=fuzz/corpus/$t
    dict=()
    [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
    log=$out/logs/$t.log
    # malloc_limit_mb: with inputs of at most max_len bytes no reader may justify more than a few
    # dozen MiB (PNG's 1040:1 deflate bound is the largest), so a bigger allocation is a finding.
    set +e
    "$out/$t" "$out/corpus/$t" "$seeds" "${dict[@]}" -max_total_time="$seconds" -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 -use_value_profile=1 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" ${FUZZ_FLAGS:-} >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | awk '{print $5}' | tail -1)
    units=$(ls "$out/corpus/$t" | wc -l)
    found=$(grep -c '^artifact_prefix=.*Test unit written' "$log" || true)
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "$t: FAILED (exit $rc) after ${execs:-?} execs; see $log" 
        grep -E 'ERROR: |runtime error|SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/    /'
    else
        echo "$t: ${execs:-0} execs in ${secs:-$seconds} s, $units corpus units, findings: 0"
    fi
done
exit $status
