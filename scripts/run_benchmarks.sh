#!/usr/bin/env bash
# Runs every benchmark binary of a build tree and prints its figures (baselines run in the same binary).
# Usage: scripts/run_benchmarks.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: run_benchmarks.sh BUILD_DIR}
shopt -s nullglob
found=0
for binary in "$build_dir"/bench/*_bench; do
  found=1
  echo "== $(basename "$binary")"
  "$binary" --benchmark_counters_tabular=true
done
if ((found == 0)); then
  echo "no benchmarks built in $build_dir/bench" >&2
  exit 1
fi
