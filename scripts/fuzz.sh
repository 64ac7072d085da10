#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build/fuzz and runs each for SECONDS on a corpus seeded
# from the recorded payloads in ../shared/data; fails on the first crash, leak or timeout found.
# Usage: scripts/fuzz.sh [SECONDS]   (per target; default 60)
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
build=build/fuzz
data=../shared/data

if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIMP_FUZZ=ON \
    -DKIMP_BUILD_TESTS=OFF -DKIMP_BUILD_BENCH=OFF >/dev/null
fi
cmake --build $build --target fuzzers

# Seeds: recorded frames and REST bodies, one file per message, written fresh under the build tree.
python3 scripts/fuzz_seeds.py "$data" "$build/corpus"

status=0
for binary in "$build"/fuzz/*_fuzz; do
  name=$(basename "$binary")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus" "$build/artifacts"
  echo "== $name (${seconds}s, $(find "$corpus" -type f | wc -l) seeds)"
  if ! "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$name-" "$corpus" 2>"$build/$name.log"; then
    echo "fuzz: $name failed; its log is $build/$name.log, the input under $build/artifacts/" >&2
    tail -n 40 "$build/$name.log" >&2
    status=1
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$build/$name.log" || true
done
exit $status
