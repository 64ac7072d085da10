#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy) on every tracked source under src/ and sim/; fails on any finding.
# Usage: scripts/lint.sh BUILD_DIR   (a configured tree: clang-tidy reads its compile_commands.json)
set -euo pipefail
build_dir=$(realpath "${1:?usage: lint.sh BUILD_DIR}")
cd "$(dirname "$0")/.."
git ls-files -z 'src/*.cpp' 'sim/*.cpp' | xargs -0 --no-run-if-empty -P2 -n4 clang-tidy -p "$build_dir" --quiet
