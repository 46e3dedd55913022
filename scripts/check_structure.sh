#!/usr/bin/env bash
# The library's shape, checked from its sources; exits 1 when any rule is broken:
#  - no library file (src/*/*, not *_test.cpp) over 400 lines;
#  - no function in src/ or cli/ (not tests) over 60 lines (universal-ctags gives each function's
#    first and last line);
#  - every #include "module/..." in src/ follows the allowed-dependency table below (so, among
#    others, nothing in src/metrics includes train/);
#  - nothing above the device seam (src/nn, optim, models, metrics, train and cli, their tests
#    included) includes kernels/: they compute through backend/backend.h.
# It also writes the module graph drawn from those includes into docs/architecture.md.
# Usage: scripts/check_structure.sh [--no-docs]
set -euo pipefail
cd "$(dirname "$0")/.."

write_docs=1
[[ "${1:-}" == "--no-docs" ]] && write_docs=0
# A check changes nothing on the machine: scripts/setup.sh installs ctags (CI runs it first).
if ! command -v ctags >/dev/null; then
    echo "check_structure: universal-ctags is missing (scripts/setup.sh installs it: apt-get install universal-ctags)" >&2
    exit 2
fi

python3 - "$write_docs" <<'PY'
import glob, json, os, re, subprocess, sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60

# Which modules each module of src/ may include, lowest layer first:
# core < kernels < backend < nn < optim < models < train. The backend (the device seam: one table of
# operations, the CPU's on kernels/) is the only module above the kernels that may include them;
# io is on core alone, serve on core and io (it reads the files it serves through io's FileReader),
# data (image folders, CIFAR-10, the decoded cache) on core and io, metrics under train (it scores
# models and reads data, but trains nothing itself) and export beside it; mpi (the MPI communicator)
# on core alone, used by train; cuda (the CUDA device, built with GAN_WITH_CUDA) implements the
# backend's table on core alone, and make_backend reaches it by a declaration, not an include.
ALLOWED = {
    "core": set(),
    "kernels": {"core"},
    "backend": {"core", "kernels"},
    "io": {"core"},
    "serve": {"core", "io"},
    "data": {"core", "io"},
    "nn": {"core", "backend"},
    "optim": {"core", "backend"},
    "models": {"core", "backend", "nn"},
    "metrics": {"core", "backend", "io", "data", "nn", "optim", "models"},
    "export": {"core", "backend", "io", "nn", "models"},
    "mpi": {"core"},
    "cuda": {"core", "backend"},
    "train": {"core", "backend", "io", "data", "mpi", "nn", "optim", "models", "metrics"},
}
ORDER = ["core", "kernels", "backend", "cuda", "io", "data", "mpi", "serve", "nn", "optim", "models", "metrics", "export",
         "train", "cli"]
ABOVE_SEAM = {"nn", "optim", "models", "metrics", "train", "cli"}

def is_test(path):
    return path.endswith("_test.cpp")

lib_files = sorted(p for p in glob.glob("src/*/*.cpp") + glob.glob("src/*/*.h") + glob.glob("src/*/*.cu") +
                   glob.glob("src/*/*.cuh") if not is_test(p))
cli_files = sorted(glob.glob("cli/*.cpp") + glob.glob("cli/*.h"))
problems = []

# File length.
for path in lib_files:
    with open(path, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    if n > MAX_FILE_LINES:
        problems.append(f"{path}: {n} lines (at most {MAX_FILE_LINES})")

# Function length.
tags = subprocess.run(
    ["ctags", "--language-force=C++", "--kinds-C++=f", "--fields=+ne", "--output-format=json", "-o", "-"]
    + lib_files + cli_files, capture_output=True, text=True, check=True).stdout
for line in tags.splitlines():
    t = json.loads(line)
    if t.get("_type") != "tag" or "end" not in t:
        continue
    n = t["end"] - t["line"] + 1
    if n > MAX_FUNCTION_LINES:
        problems.append(f"{t['path']}:{t['line']}: function {t['name']} is {n} lines (at most {MAX_FUNCTION_LINES})")

# Includes between modules.
include_re = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/[^"]+"')
edges = {}  # (from, to) -> number of includes
def scan(path, module):
    with open(path, encoding="utf-8") as f:
        for lineno, text in enumerate(f, 1):
            m = include_re.match(text)
            if not m or m.group(1) == module:
                continue
            to = m.group(1)
            if to == "kernels" and module in ABOVE_SEAM:
                problems.append(f"{path}:{lineno}: {module} may not include kernels/ (it computes through "
                                f"backend/backend.h)")
            if not is_test(path):
                edges[(module, to)] = edges.get((module, to), 0) + 1
            if module == "cli" or is_test(path):
                continue
            if module not in ALLOWED:
                problems.append(f"{path}: module {module} is not in the dependency table")
            elif to not in ALLOWED[module]:
                problems.append(f"{path}:{lineno}: {module} may not include {to}/ (allowed: "
                                f"{', '.join(sorted(ALLOWED[module])) or 'nothing'})")
for path in lib_files:
    scan(path, path.split("/")[1])
for path in sorted(glob.glob("src/*/*_test.cpp")):
    if path.split("/")[1] in ABOVE_SEAM:
        scan(path, path.split("/")[1])
for path in cli_files:
    scan(path, "cli")

for p in problems:
    print(p)

if sys.argv[1] == "1":
    rank = {m: i for i, m in enumerate(ORDER)}
    key = lambda e: (rank.get(e[0], 99), rank.get(e[1], 99))
    lines = ["# Architecture", "",
             "The modules of the library (src/) and the program (cli/), and which include which. This page",
             "is written by scripts/check_structure.sh from the #include lines; the table of allowed",
             "dependencies it checks them against is in that script.", "",
             "Layers, lowest first: core < kernels < backend < nn < optim < models < train; io and mpi",
             "need only core, serve and data only core and io; metrics sits under train, export beside it;",
             "cli (the `gan` program) is on top. The backend is the device seam: the one module above the",
             "kernels that includes them; cuda (built with GAN_WITH_CUDA) is a second implementation of",
             "its table, on the GPU. Everything above it (nn, optim, models, metrics, train, cli, and",
             "their tests) computes through the table of operations in backend/backend.h, on memory a",
             "backend allocates (core/memory.h, core/device_array.h), with the run's threads and device",
             "decided once in train/policy.h.", "",
             "## Where things go", "",
             "- **A new layer**: a class in src/nn deriving from Layer (nn/layer.h). It keeps shapes and",
             "  parameter offsets (Arena::add in its constructor), draws its parameters in init() by the",
             "  model's InitScheme, and computes only through `be_->...` calls on tensor data. A weight it",
             "  multiplies by goes through a LayerWeight (nn/weight_transform.h), so a parametrisation such",
             "  as spectral norm applies to it. Register it in a model's builder (src/models).",
             "- **A new operation**: a pure virtual in Backend (backend/backend.h) with its contract; the CPU",
             "  implementation in backend/cpu_*.cpp calling a kernel in src/kernels (with a naive oracle and",
             "  a test there); a test of the op through host_backend() beside the layer that uses it. Every",
             "  other backend must implement it too, or the build fails where it is missing.",
             "- **A new device**: a folder of its own under src/ (say src/cuda) with a class deriving from",
             "  Backend (its memory and every operation), a Device value in backend/backend.h, and a branch",
             "  in make_backend (backend/backend.cpp) behind the build option that compiles the folder. The",
             "  run policy's device then reaches it from `--device`; no layer, model, step or trainer code",
             "  changes.", "",
             "## Module graph", "", "Each line: a module, then the modules it includes (with the number of",
             "#include lines).", "", "```"]
    for m in ORDER:
        outs = sorted((e for e in edges if e[0] == m), key=key)
        deps = ", ".join(f"{to} ({edges[(m, to)]})" for _, to in outs)
        lines.append(f"{m:8} -> {deps or '(nothing)'}")
    lines += ["```", "", "As Graphviz (`dot -Tsvg`):", "", "```dot", "digraph modules {", "  rankdir=BT;"]
    for (a, b) in sorted(edges, key=key):
        lines.append(f"  {a} -> {b};")
    lines += ["}", "```", ""]
    with open("docs/architecture.md", "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

sys.exit(1 if problems else 0)
PY
