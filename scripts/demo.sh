#!/usr/bin/env bash
# `make demo`: installs what is missing, builds kimp, starts the venue emulator with the demo market
# (sim/scenarios/demo.toml), runs a simulation session against it (config/demo.toml) for DEMO_SECONDS
# (120 by default), then stops both. Status lines and the summary go to stdout, whose last line is the
# session's summary JSON; logs and the database's row counts go to stderr. Fails when the session fails
# or made no round trip.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --deps-only >&2
if [[ ! -f build/release/build.ninja ]]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build build/release --target kimp >&2

kimp=build/release/src/app/kimp
seconds=${DEMO_SECONDS:-120}
workdir=$(mktemp -d)
sim_pid=""
cleanup() {
  if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid"
    wait "$sim_pid" || true
  fi
  rm -rf "$workdir"
}
trap cleanup EXIT

"$kimp" --log-level warn venue-sim --config sim/scenarios/demo.toml >"$workdir/ports.json" 2>"$workdir/venue-sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$workdir/ports.json" ]] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    echo "demo: the venue emulator did not start:" >&2
    cat "$workdir/venue-sim.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s "$workdir/ports.json" ]]; then
  echo "demo: the venue emulator printed no ports within 10 s" >&2
  exit 1
fi
echo "demo: venue emulator up on $(cat "$workdir/ports.json"); running the session for ${seconds} s" >&2

status=0
"$kimp" run --config config/demo.toml --duration "$seconds" | tee "$workdir/run.out" || status=$?

kill -TERM "$sim_pid"
if ! wait "$sim_pid"; then
  echo "demo: the venue emulator did not stop cleanly:" >&2
  cat "$workdir/venue-sim.log" >&2
  status=1
fi
sim_pid=""
if ((status != 0)); then
  echo "demo: the session failed (exit $status)" >&2
  exit "$status"
fi
summary=$(tail -n 1 "$workdir/run.out")
entries=$(sed -n 's/.*"entries":\([0-9]*\).*/\1/p' <<<"$summary")
exits=$(sed -n 's/.*"exits":\([0-9]*\).*/\1/p' <<<"$summary")
if [[ -z "$entries" || "$entries" -eq 0 || -z "$exits" || "$exits" -eq 0 ]]; then
  echo "demo: the session made no complete round trip (entries ${entries:-?}, exits ${exits:-?})" >&2
  exit 1
fi
echo "demo: ${entries} entries, ${exits} exits against the emulator" >&2
echo "demo: what the session database (var/demo/kimp.sqlite) holds now:" >&2
"$kimp" db stats --url sqlite:var/demo/kimp.sqlite >&2
