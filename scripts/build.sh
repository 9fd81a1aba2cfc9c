#!/usr/bin/env bash
# build.sh [release|asan] [ninja targets...]: configure and build one tree.
#   release -> build/release (Release, benchmarks on)
#   asan    -> build/asan    (RelWithDebInfo + ASan + UBSan, benchmarks off)
set -euo pipefail
cd "$(dirname "$0")/.."

kind="${1:-release}"
shift || true
case "$kind" in
  release) dir=build/release; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) dir=build/asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_SANITIZE=ON
                               -DJWTBATCH_BUILD_BENCH=OFF) ;;
  *) echo "build.sh: unknown build kind '$kind' (release or asan)" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" "$@"
