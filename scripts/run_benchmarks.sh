#!/usr/bin/env bash
# Runs every benchmark binary of a build tree and prints its figures (baselines run in the same binary).
# A throwaway PostgreSQL server (scripts/pg_test_server.sh) is up meanwhile for storage_bench's
# PostgreSQL figures, reached through KIMP_BENCH_PG_URL.
# Usage: scripts/run_benchmarks.sh BUILD_DIR
set -euo pipefail
build_dir=${1:?usage: run_benchmarks.sh BUILD_DIR}
scripts_dir=$(cd "$(dirname "$0")" && pwd)
pg_state="$build_dir/bench-pg-server"
"$scripts_dir/pg_test_server.sh" start "$pg_state" >&2
trap '"$scripts_dir/pg_test_server.sh" stop "$pg_state" >&2' EXIT
KIMP_BENCH_PG_URL=$(cat "$pg_state.url")
export KIMP_BENCH_PG_URL
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
