#!/usr/bin/env bash
# build.sh [release|asan|tsan|fuzz] [ninja targets...]: configure and build one tree.
#   release -> build/release (Release, benchmarks on)
#   asan    -> build/asan    (RelWithDebInfo + ASan + UBSan, benchmarks off)
#   fuzz    -> build/fuzz    (clang 14, libFuzzer + ASan + UBSan: the <target>_fuzzer
#                             executables of fuzz/, engine instrumented; no tests/benches)
#   tsan    -> build/tsan    (RelWithDebInfo + ThreadSanitizer, clang 14; by default only
#                             the engine and the tests labelled `tsan`). It first builds
#                             oneTBB with -fsanitize=thread into build/tsan/onetbb/install,
#                             from the source `scripts/install-deps.sh --tsan` fetched.
set -euo pipefail
cd "$(dirname "$0")/.."

kind="${1:-release}"
shift || true
jobs=()
case "$kind" in
  release) dir=build/release; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) dir=build/asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_SANITIZE=ON
                               -DJWTBATCH_BUILD_BENCH=OFF) ;;
  tsan)
    dir=build/tsan
    version="$(dpkg-query -W -f='${source:Version}' libtbb-dev)"
    src="build/tsan/onetbb/src/onetbb-$version"
    tbb="$PWD/build/tsan/onetbb/install"
    stamp="clang-14 TBB_SANITIZE=thread onetbb $version"
    if [ ! -f "$src/.unpacked" ]; then
      echo "build.sh: no oneTBB $version source; run scripts/install-deps.sh --tsan" >&2
      exit 1
    fi
    if [ "$(cat "$tbb/.built" 2>/dev/null)" != "$stamp" ]; then
      # Only libtbb: tbbmalloc stays out, so libtbb finds no tbbmalloc beside itself
      # and takes its memory from malloc, which TSan sees.
      rm -rf build/tsan/onetbb/build "$tbb"
      cmake -S "$src" -B build/tsan/onetbb/build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++-14 -DTBB_SANITIZE=thread \
        -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF \
        -DCMAKE_INSTALL_PREFIX="$tbb" >/dev/null
      ninja -C build/tsan/onetbb/build -j 2
      cmake --install build/tsan/onetbb/build >/dev/null
      echo "$stamp" >"$tbb/.built"
    fi
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_TSAN=ON -DJWTBATCH_BUILD_BENCH=OFF
           -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14
           -DTBB_DIR="$tbb/lib/cmake/TBB")
    jobs=(-j 2)
    if [ $# -eq 0 ]; then set -- jwtbatch_tsan_tests; fi
    ;;
  fuzz) dir=build/fuzz; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DJWTBATCH_BUILD_FUZZ=ON
                               -DJWTBATCH_SANITIZE=ON -DJWTBATCH_BUILD_TESTS=OFF
                               -DJWTBATCH_BUILD_BENCH=OFF
                               -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
        if [ $# -eq 0 ]; then set -- jwtbatch_fuzzers; fi ;;
  *) echo "build.sh: unknown build kind '$kind' (release, asan, tsan or fuzz)" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" "${jobs[@]}" "$@"
