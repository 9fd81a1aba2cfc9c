#!/usr/bin/env bash
# test.sh [--release|--tidy|--sanitize|--tsan|--fuzz]: installs what is missing, builds,
# and runs the tests. Without an argument it runs all five phases, in this order (CI runs
# exactly this):
#   --release   every suite in the optimised build (build/release);
#   --tidy      clang-tidy 14 with .clang-tidy's checks and build/release's compile
#               commands on every translation unit of the library (engine/src) and on
#               the program's (engine/cli) changed since main: any warning fails
#               (scripts/tidy.sh; `scripts/tidy.sh --all` checks every unit);
#   --sanitize  every suite again under ASan + UBSan (build/asan);
#   --tsan      the suites of the engine's parallel code (ctest label `tsan`: batch,
#               pipeline, cache, determinism) under ThreadSanitizer, against a oneTBB
#               built with TSan from Debian's source package (build/tsan);
#   --fuzz      every libFuzzer target (clang 14, ASan + UBSan, build/fuzz) for a
#               bounded time from its seed corpus: scripts/fuzz.sh, 40 s per target
#               ($JWTBATCH_FUZZ_SECONDS), two at a time; a crash prints its reproducer.
# Any failure, sanitizer report included, stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() {
  local kind="$1"
  echo "== test.sh: $kind" >&2
  case "$kind" in
    tsan)
      bash scripts/install-deps.sh --tsan
      bash scripts/build.sh tsan
      TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        ctest --test-dir build/tsan -L '^tsan$' --no-tests=error --output-on-failure -j "$(nproc)"
      ;;
    fuzz)
      bash scripts/install-deps.sh
      bash scripts/build.sh fuzz
      bash scripts/fuzz.sh
      ;;
    tidy)
      bash scripts/install-deps.sh
      bash scripts/build.sh release
      bash scripts/tidy.sh
      ;;
    *)
      bash scripts/install-deps.sh
      bash scripts/build.sh "$kind"
      ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        ctest --test-dir "build/$kind" --output-on-failure -j "$(nproc)"
      ;;
  esac
}

case "${1:-}" in
  "") phase release; phase tidy; phase asan; phase tsan; phase fuzz ;;
  --release) phase release ;;
  --tidy) phase tidy ;;
  --sanitize) phase asan ;;
  --tsan) phase tsan ;;
  --fuzz) phase fuzz ;;
  *) echo "test.sh: unknown option '$1' (--release, --tidy, --sanitize, --tsan or --fuzz)" >&2; exit 2 ;;
esac
