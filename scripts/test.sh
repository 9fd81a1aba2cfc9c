#!/usr/bin/env bash
# test.sh [--sanitize]: installs what is missing, builds, and runs every test.
# With --sanitize the same suites run in an ASan + UBSan build.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=release
if [ "${1:-}" = "--sanitize" ]; then kind=asan; fi

bash scripts/install-deps.sh
bash scripts/build.sh "$kind"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "build/$kind" --output-on-failure -j "$(nproc)"
