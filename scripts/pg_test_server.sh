#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for the storage tests: 127.0.0.1 only, trust auth.
#
# Usage: scripts/pg_test_server.sh start STATE
#        scripts/pg_test_server.sh stop STATE
#   start  runs initdb in a new temporary directory, starts the server on a free port and writes
#          STATE.url (postgresql://postgres@127.0.0.1:PORT/postgres) and STATE.dir (that directory).
#          A server an earlier start left behind under the same STATE is stopped first.
#   stop   stops the server STATE.dir names, then removes its directory and the STATE files.
# Run as root, the server runs as the "postgres" user (PostgreSQL refuses to run as root).
set -euo pipefail

readonly kMarker=kimp-pg-test-server  # in every directory this script made: the bin dir it used

die() {
  echo "pg_test_server: $*" >&2
  exit 1
}

note() {
  echo "pg_test_server: $*"
}

usage() {
  die "usage: $0 start|stop STATE   (writes/reads STATE.url and STATE.dir)"
}

server_bin_dir() {
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    echo /usr/lib/postgresql/15/bin
    return
  fi
  local newest
  newest=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  [[ -n $newest && -x $newest/initdb && -x $newest/pg_ctl ]] ||
    die "no PostgreSQL server under /usr/lib/postgresql/*/bin (install the postgresql package)"
  echo "$newest"
}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Stops the server of directory $1 (if it runs) and removes the directory.
stop_server() {
  local dir=$1
  [[ -d $dir ]] || return 0
  [[ -f $dir/$kMarker ]] || die "refusing to remove $dir: it has no $kMarker file, so this script did not make it"
  local bin
  bin=$(cat "$dir/$kMarker")
  if [[ -f $dir/data/postmaster.pid ]]; then
    (cd "$dir" && as_server_user "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 >/dev/null) ||
      (cd "$dir" && as_server_user "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null) ||
      echo "pg_test_server: could not stop the server in $dir/data" >&2
  fi
  rm -rf -- "$dir"
}

stop() {
  local state=$1
  if [[ ! -f $state.dir ]]; then
    note "no server recorded in $state.dir; nothing to stop"
    rm -f -- "$state.url"
    return 0
  fi
  local dir
  dir=$(cat "$state.dir")
  stop_server "$dir"
  rm -f -- "$state.dir" "$state.url"
  note "stopped the server in $dir"
}

start() {
  local state=$1
  mkdir -p -- "$(dirname -- "$state")"
  if [[ -f $state.dir ]]; then
    note "stopping the server an earlier start left behind"
    stop "$state"
  fi
  rm -f -- "$state.url"

  local bin
  bin=$(server_bin_dir)
  command -v python3 >/dev/null || die "python3 is needed to pick a free port"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a \"postgres\" user to run the server as"
    command -v runuser >/dev/null || die "running as root needs runuser (util-linux)"
  fi

  dir=$(mktemp -d "${TMPDIR:-/tmp}/kimp-pg.XXXXXX") || die "cannot make a temporary directory"
  trap 'failed_start' EXIT
  echo "$bin" >"$dir/$kMarker"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$dir"
  fi
  cd "$dir"
  as_server_user test -w "$dir" || die "the server user cannot write to $dir (set TMPDIR to a directory it can)"

  if ! as_server_user "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (output above)"
  fi
  cat >>"$dir/data/postgresql.conf" <<EOF
# Test server: loopback only, the unix socket in the temporary directory, no durability.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
max_connections = 100
EOF

  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_server_user "$bin/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port" \
      >/dev/null 2>&1; then
      break
    fi
    # Another process may have taken the port between the probe and the server's bind: try another.
    if [[ $attempt -lt 5 ]] && grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null; then
      note "port $port was taken; trying another"
      continue
    fi
    tail -n 30 "$dir/server.log" >&2 2>/dev/null || true
    die "the server did not start (log above: $dir/server.log)"
  done

  local tries=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    tries=$((tries + 1))
    if [[ $tries -ge 120 ]]; then
      tail -n 30 "$dir/server.log" >&2 || true
      die "the server on 127.0.0.1:$port does not accept connections (log above)"
    fi
    sleep 0.5
  done

  echo "$dir" >"$state.dir"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state.url.tmp"
  mv -- "$state.url.tmp" "$state.url"
  trap - EXIT
  note "$("$bin/postgres" --version | sed 's/^postgres (PostgreSQL)/PostgreSQL/') on 127.0.0.1:$port, directory $dir, url in $state.url"
}

# A start that fails part way leaves no server and no directory behind.
failed_start() {
  local status=$?
  if [[ -n ${dir:-} && -d $dir ]]; then
    cd /
    stop_server "$dir" || true
  fi
  exit "$status"
}

[[ $# -eq 2 ]] || usage
case $1 in
  start) start "$(realpath -m -- "$2")" ;;
  stop) stop "$(realpath -m -- "$2")" ;;
  *) usage ;;
esac
