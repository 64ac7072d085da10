#!/usr/bin/env bash
# Installs kimp's system dependencies with apt-get (only what is missing), then configures and
# builds the Release tree and the AddressSanitizer+UBSan Debug tree. Safe to run again.
# Usage: scripts/setup.sh [--deps-only | --test-trees]
#   --test-trees: what `make test` runs: the whole sanitizer tree, and of the Release tree only the
#   tests that need the default operator new (label "allocation").
set -euo pipefail

cd "$(dirname "$0")/.."

# Keep in step with the dependency table in README.md.
PACKAGES=(
  g++ cmake ninja-build ccache git
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libssl-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev libexpected-dev
  libsimdjson-dev libsqlite3-dev libpq-dev postgresql-15
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev nlohmann-json3-dev
  clang-format clang-tidy clang libclang-rt-14-dev python3
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all system packages present"
fi

if [[ "${1:-}" == "--deps-only" ]]; then
  exit 0
fi

configure() {
  local dir=$1
  shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    cmake -S . -B "$dir" -G Ninja "$@"
  fi
}

configure build/release -DCMAKE_BUILD_TYPE=Release
configure build/asan -DCMAKE_BUILD_TYPE=Debug -DKIMP_SANITIZE=ON -DKIMP_BUILD_BENCH=OFF

if [[ "${1:-}" == "--test-trees" ]]; then
  cmake --build build/asan
  cmake --build build/release --target allocation_tests
else
  cmake --build build/release
  cmake --build build/asan
fi
