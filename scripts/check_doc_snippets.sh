#!/usr/bin/env bash
# Builds every C++ snippet of README.md and docs/*.md (each ```cpp block) against an installed gan.cpp,
# as a user copying it would: a snippet with its own main() is a whole program; any other is the body of
# main() after its #include lines, which must include and declare what it uses. Each becomes a program
# of a CMake project that finds the package with find_package(gan) at PREFIX alone; a snippet that does
# not build fails the script with its file and line and the compiler's first errors. The programs are
# built (compiled and linked), not run: they name data and runs a reader has.
#
#   scripts/check_doc_snippets.sh PREFIX [WORK_DIR]
#
# scripts/check_install.sh calls it on its temporary prefix. JOBS: parallel jobs (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 PREFIX [WORK_DIR]" >&2; exit 2; }
prefix=$(cd "$1" && pwd)
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/gan-doc-snippets.XXXXXX")}
jobs=${JOBS:-$(nproc)}
fail() { echo "check_doc_snippets: FAIL: $*" >&2; exit 1; }
rm -rf "$work/src" "$work/build"
mkdir -p "$work/src"

# Each snippet to src/<doc>_<line>.cpp (the line of its ```cpp), and its origin to origins.txt.
: >"$work/origins.txt"
for doc in README.md docs/*.md; do
    awk -v doc="$doc" -v out="$work/src" -v origins="$work/origins.txt" '
        function flush(   i, whole, name, file) {
            name = doc; gsub(/^docs\//, "", name); gsub(/\.md$/, "", name); gsub(/[^A-Za-z0-9]/, "_", name)
            name = name "_" start
            file = out "/" name ".cpp"
            whole = 0
            for (i = 1; i <= n; i++) if (body[i] ~ /int[ \t]+main[ \t]*\(/) whole = 1
            if (whole) {
                for (i = 1; i <= n; i++) print body[i] > file
            } else {
                for (i = 1; i <= n; i++) if (body[i] ~ /^[ \t]*#include/) print body[i] > file
                print "int main() {" > file
                for (i = 1; i <= n; i++) if (body[i] !~ /^[ \t]*#include/) print body[i] > file
                print "}" > file
            }
            close(file)
            print name " " doc ":" start >> origins
        }
        /^```cpp[ \t]*$/ { inside = 1; n = 0; start = FNR; next }
        inside && /^```[ \t]*$/ { inside = 0; flush(); next }
        inside { body[++n] = $0 }
    ' "$doc"
done
count=$(wc -l <"$work/origins.txt")
[ "$count" -gt 0 ] || fail "no \`\`\`cpp snippet found in README.md or docs/"

{
    echo "cmake_minimum_required(VERSION 3.20)"
    echo "project(gan_doc_snippets LANGUAGES CXX)"
    echo "find_package(gan 0.1 REQUIRED)"
    while read -r name _; do
        echo "add_executable($name src/$name.cpp)"
        echo "target_link_libraries($name PRIVATE gan::gan)"
    done <"$work/origins.txt"
} >"$work/CMakeLists.txt"

cmake -S "$work" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" 2>&1 ||
    { cat "$work/configure.log" >&2; fail "configuring the snippets' project with find_package(gan) at $prefix"; }
grep -q "gan_DIR:PATH=$prefix/lib/cmake/gan" "$work/build/CMakeCache.txt" ||
    fail "the snippets found gan somewhere else than $prefix"
failed=0
while read -r name origin; do
    if ! cmake --build "$work/build" -j"$jobs" --target "$name" >"$work/$name.log" 2>&1; then
        echo "check_doc_snippets: $origin does not build (as $work/src/$name.cpp):" >&2
        grep -m 12 -E "error|undefined reference" "$work/$name.log" >&2 || tail -20 "$work/$name.log" >&2
        failed=$((failed + 1))
    fi
done <"$work/origins.txt"
[ "$failed" -eq 0 ] || fail "$failed of $count C++ snippets of the docs do not build"
echo "check_doc_snippets: all $count C++ snippets of README.md and docs/ build against $prefix"
