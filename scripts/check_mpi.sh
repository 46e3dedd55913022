#!/usr/bin/env bash
# Data-parallel training over a real network: ranks on different "hosts" (network namespaces joined by
# veth links, scripts/mpi_netns.sh) train the classic MLP GAN and the DCGAN on the MNIST fixture
# (tests/data/mnist-mini, 1000 images: 10 steps of global batch 100 an epoch, the configuration
# docs/distributed.md states its bound for), and must
#   - send every gradient value through the veth links,
#   - end with the weights of one process at the same global batch, within that bound (the sums are
#     split differently, so they differ by float rounding),
#   - end bitwise as the same run again on the same number of ranks,
#   - resume the 2-rank run's checkpoint on 3 ranks and end, one epoch on, as one process resuming it does.
# Rank 0 alone may print the epoch line. Builds build/gan with MPI when it is missing or built without.
# Needs root for the namespaces (mpi_netns.sh re-runs itself under sudo), OpenMPI, g++ and
# nlohmann-json (scripts/setup.sh installs them). Any failure ends it with a one-line reason, non-zero.
#   scripts/check_mpi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check_mpi: $*" >&2; exit 1; }
t0=$(date +%s)

if ! ldd build/gan 2> /dev/null | grep -q libmpi; then
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGAN_WITH_MPI=ON > /dev/null || fail "cmake failed"
    cmake --build build -j"$(nproc)" --target gan > /dev/null || fail "building gan failed"
    ldd build/gan | grep -q libmpi || fail "build/gan does not link MPI (is libopenmpi-dev installed?)"
fi
tmp=$(mktemp -d /tmp/gan_check_mpi.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# st_diff A B [BOUND]: two checkpoints of the same layout. Without BOUND every tensor must be bitwise
# equal, and the metadata too but for `elapsed` and `train_options` (the wall time, and the options,
# which name the run's folder). With BOUND the mean |a - b| over every value of G and D (generator.*,
# discriminator.*: weights and batch-norm statistics, not the optimiser's moments) must stay below it,
# as docs/distributed.md states the bound. Prints the mean and the largest difference, and where.
# st_diff --params A: the number of trained parameters (the values of the Adam moment vectors).
cat > "$tmp/st_diff.cpp" << 'EOF'
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>
struct File {
    nlohmann::json head;
    std::vector<char> bytes;
    size_t data = 0;
};
static File load(const char* path) {
    std::ifstream in(path, std::ios::binary);
    File f{{}, {std::istreambuf_iterator<char>(in), {}}, 0};
    uint64_t n = 0;
    if (f.bytes.size() >= 8) std::memcpy(&n, f.bytes.data(), 8);
    if (f.bytes.size() < 8 || n > f.bytes.size() - 8) throw std::runtime_error(std::string(path) + ": not safetensors");
    f.head = nlohmann::json::parse(f.bytes.begin() + 8, f.bytes.begin() + 8 + static_cast<long>(n));
    f.data = 8 + n;
    return f;
}
static std::vector<float> values(const File& f, const nlohmann::json& t) {
    size_t b = t.at("data_offsets")[0], e = t.at("data_offsets")[1];
    if (t.at("dtype") != "F32" || b > e || e > f.bytes.size() - f.data) throw std::runtime_error("bad tensor entry");
    std::vector<float> v((e - b) / 4);
    std::memcpy(v.data(), f.bytes.data() + f.data + b, v.size() * 4);
    return v;
}
int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--params") == 0) {  // the number of trained parameters
        const File f = load(argv[2]);
        size_t n = 0;
        for (const auto& [name, t] : f.head.items())
            if (name.rfind("optimizer.", 0) == 0 && name.size() > 8 && name.compare(name.size() - 8, 8, ".exp_avg") == 0)
                n += size_t(t.at("data_offsets")[1]) - size_t(t.at("data_offsets")[0]);
        return std::printf("%zu\n", n / 4), 0;
    }
    if (argc != 3 && argc != 4) return std::fprintf(stderr, "usage: st_diff A B [BOUND] | st_diff --params A\n"), 2;
    const File a = load(argv[1]), b = load(argv[2]);
    const bool bitwise = argc == 3;
    if (bitwise)
        for (const auto& [key, value] : a.head.at("__metadata__").items())
            if (key != "elapsed" && key != "train_options" && b.head.at("__metadata__").value(key, "") != value)
                return std::printf("metadata %s differs\n", key.c_str()), 1;
    size_t tensors = 0, count = 0, differ = 0;
    double sum = 0, worst = 0;
    std::string where = "-";
    for (const auto& [name, t] : a.head.items()) {
        const bool weight = name.rfind("generator.", 0) == 0 || name.rfind("discriminator.", 0) == 0;
        if (name == "__metadata__" || (!bitwise && !weight)) continue;
        if (!b.head.contains(name) || b.head[name].at("shape") != t.at("shape"))
            return std::printf("%s: missing or of another shape in %s\n", name.c_str(), argv[2]), 1;
        const std::vector<float> x = values(a, t), y = values(b, b.head[name]);
        for (size_t i = 0; i < x.size(); ++i) {
            const double d = std::fabs(static_cast<double>(x[i]) - y[i]);
            differ += std::memcmp(&x[i], &y[i], 4) != 0;
            sum += d;
            if (!(d <= worst)) worst = d, where = name + "[" + std::to_string(i) + "]";
        }
        ++tensors, count += x.size();
    }
    if (b.head.size() != a.head.size()) return std::printf("the files hold different tensors\n"), 1;
    const double mean = count ? sum / double(count) : 0;
    std::printf("%zu tensors, %zu values, %zu differ: mean |a - b| %.3g, largest %.3g at %s\n", tensors, count, differ,
                mean, worst, where.c_str());
    return bitwise ? differ != 0 : !(mean < std::stod(argv[3]));
}
EOF
g++ -std=c++17 -O2 -o "$tmp/st_diff" "$tmp/st_diff.cpp" || fail "could not build the checkpoint comparator"

# The line of a failed run's log that says why: its first error, else its last line of text.
reason() { grep -m 1 'error' "$1" || grep -v -e '^\s*$' -e '^---' "$1" | tail -n 1; }
# train NAME NP K ARGS...: `gan train ARGS` in one process (NP 0) or on NP ranks spread over K hosts,
# its output in $tmp/NAME.log; every epoch line must come once (rank 0 alone prints). The full state the
# run (in $tmp/NAME) ends with is kept as $tmp/NAME.safetensors. Ranks must say they run data-parallel.
train() {
    local name=$1 np=$2 k=$3 epochs
    shift 3
    local who="one process"
    local -a launch=(build/gan)
    [ "$np" = 0 ] || launch=(scripts/mpi_netns.sh run "$k" "$np" build/gan) who="$np ranks"
    "${launch[@]}" train --plain "$@" > "$tmp/$name.log" 2>&1 ||
        fail "$name: gan train on $who failed: $(reason "$tmp/$name.log")"
    epochs=$(grep '^Epoch [0-9]*/' "$tmp/$name.log" | cut -d. -f1 | sort | uniq -c | awk '$1 != 1 {print $3}')
    [ -z "$epochs" ] || fail "$name: the line of epoch $epochs was printed more than once (rank 0 alone prints)"
    grep -q '^Epoch ' "$tmp/$name.log" || fail "$name: no epoch line in its output"
    [ "$np" = 0 ] || grep -q "Data-parallel over $np MPI ranks" "$tmp/$name.log" ||
        fail "$name: gan did not say it trains data-parallel over $np MPI ranks"
    cp "$tmp/$name/checkpoints/last.safetensors" "$tmp/$name.safetensors"
}
# crossed NAME UPDATES: gan-h2's link carried, each way, at least every gradient value of UPDATES updates of
# both networks (4 bytes a parameter: each rank must send each of its values, in some sum, and receive
# each sum), so the ranks did exchange their gradients over the veth link.
crossed() {
    local params need sent got
    params=$("$tmp/st_diff" --params "$tmp/$1.safetensors")
    need=$((4 * params * $2))
    read -r sent got < <(sed -n 's|.* gan-h2 \([0-9]*\) / \([0-9]*\).*|\1 \2|p' "$tmp/$1.log")
    [ "${sent:-0}" -ge "$need" ] && [ "${got:-0}" -ge "$need" ] ||
        fail "$1: gan-h2's link carried ${sent:-?} / ${got:-?} bytes, less than $2 updates of $params parameters"
    echo "check_mpi: $1: gan-h2 sent / received $sent / $got bytes through its veth link ($2 updates of $params parameters: $need)"
}
# same A B [BOUND]: st_diff, failing the check with its verdict.
same() {
    local verdict
    verdict=$("$tmp/st_diff" "$tmp/$1.safetensors" "$tmp/$2.safetensors" ${3:+"$3"}) ||
        fail "$1 vs $2${3:+ (bound: mean below $3)}: ${verdict:-comparator failed}"
    echo "check_mpi: $1 vs $2${3:+ (bound: mean below $3)}: $verdict"
}
# resumed FROM NAME NP K: a copy of run FROM continued one epoch, to 2, in one process (NP 0) or on NP
# ranks over K hosts.
resumed() {
    cp -r "$tmp/$1" "$tmp/$2"
    train "$2" "$3" "$4" --resume "$tmp/$2" --epochs 2
}

# docs/distributed.md: mean |w(2 ranks) - w(1 process)| after one epoch of the fixture at batch 100.
declare -A bound=([mlp]=1e-6 [dcgan]=1e-4)
for arch in mlp dcgan; do
    new=(--arch "$arch" --data tests/data/mnist-mini --batch 100 --threads 1 --seed 3 --samples-per-epoch 16 --epochs 1)
    [ "$arch" = mlp ] || new+=(--ngf 16 --ndf 16)
    train "$arch-1p" 0 0 "${new[@]}" --out "$tmp/$arch-1p"
    train "$arch-2r" 2 2 "${new[@]}" --out "$tmp/$arch-2r"
    crossed "$arch-2r" 10
    same "$arch-1p" "$arch-2r" "${bound[$arch]}"
    train "$arch-2r-again" 2 2 "${new[@]}" --out "$tmp/$arch-2r-again"
    same "$arch-2r" "$arch-2r-again"
    resumed "$arch-2r" "$arch-2r+1p" 0 0
    resumed "$arch-2r" "$arch-2r+3r" 3 3
    crossed "$arch-2r+3r" 10
    same "$arch-2r+1p" "$arch-2r+3r" "${bound[$arch]}"
done
echo "check_mpi: passed in $(($(date +%s) - t0)) s"
