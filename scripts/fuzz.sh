#!/usr/bin/env bash
# fuzz.sh [--seconds N] [TARGET...]: runs the libFuzzer targets of build/fuzz (built by
# `scripts/build.sh fuzz`), every target of fuzz/CMakeLists.txt unless some are named,
# N seconds each (default 40, or $JWTBATCH_FUZZ_SECONDS), one per core at a time.
#
# Each target starts from a copy of its checked-in corpus fuzz/corpus/<target>/ (the
# checked-in files are never written) with the dictionary fuzz/jose.dict, inputs of at
# most 4096 bytes, 10 s per input and 2.5 GB of memory at most. It prints one line per
# target: executions per second, libFuzzer's coverage (cov: edges, ft: features), the
# corpus it ended with and the units it added.
#
# Any crash, invariant violation (the targets abort), sanitizer report, leak, timeout or
# out-of-memory fails the run (exit 1): the log's tail and the reproducer (path, size,
# base64) are printed, and the reproducer stays in build/fuzz/findings/. To make it a
# regression test, copy it into fuzz/corpus/<target>/ under a descriptive name; the
# <target>_corpus ctest tests replay every file there.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${JWTBATCH_FUZZ_SECONDS:-40}"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?fuzz.sh: --seconds needs a number}"; shift 2 ;;
    -*) echo "fuzz.sh: unknown option '$1' (--seconds N)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
case "$seconds" in
  '' | *[!0-9]*) echo "fuzz.sh: --seconds must be a whole number, got '$seconds'" >&2; exit 2 ;;
esac
if [ ${#targets[@]} -eq 0 ]; then
  # The list CMake builds from: the lines between "set(JWTBATCH_FUZZ_TARGETS" and ")".
  mapfile -t targets < <(sed -n '/^set(JWTBATCH_FUZZ_TARGETS/,/)/{s/set(JWTBATCH_FUZZ_TARGETS//;s/)//;s/^ *//;/^$/d;p}' \
    fuzz/CMakeLists.txt)
fi

run=build/fuzz/run
findings=build/fuzz/findings
rm -rf "$run"
mkdir -p "$run" "$findings"
for t in "${targets[@]}"; do
  if [ ! -x "build/fuzz/bin/${t}_fuzzer" ]; then
    echo "fuzz.sh: build/fuzz/bin/${t}_fuzzer missing; run scripts/build.sh fuzz" >&2
    exit 2
  fi
  if [ ! -d "fuzz/corpus/$t" ]; then
    echo "fuzz.sh: no seed corpus fuzz/corpus/$t" >&2
    exit 2
  fi
done

run_one() {
  local t="$1" dir="$run/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r "fuzz/corpus/$t/." "$dir/corpus/"
  set +e
  "build/fuzz/bin/${t}_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2560 -dict=fuzz/jose.dict -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

# One target per core at a time.
jobs_max="$(nproc)"
echo "== fuzz.sh: ${#targets[@]} targets, ${seconds} s each, $jobs_max at a time" >&2
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=0
printf '%-18s %9s %7s %8s %7s %6s  %s\n' target exec/s cov ft corpus new result
for t in "${targets[@]}"; do
  dir="$run/$t"
  rc="$(cat "$dir/rc" 2>/dev/null || echo missing)"
  # The last status line ("#N DONE cov: C ft: F corp: K/B ...") and the final stats.
  last="$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$dir/log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")"
  eps="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")"
  new="$(sed -n 's/^stat::new_units_added: *//p' "$dir/log")"
  result=ok
  if [ "$rc" != 0 ]; then result="FAILED (exit $rc)"; failed=1; fi
  printf '%-18s %9s %7s %8s %7s %6s  %s\n' "$t" "${eps:--}" "${cov:--}" "${ft:--}" \
    "${corp:--}" "${new:--}" "$result"
done

if [ "$failed" = 1 ]; then
  for t in "${targets[@]}"; do
    dir="$run/$t"
    [ "$(cat "$dir/rc" 2>/dev/null)" = 0 ] && continue
    echo "== fuzz.sh: $t failed; the end of its log:" >&2
    tail -n 60 "$dir/log" >&2
    for a in "$dir"/artifacts/*; do
      [ -f "$a" ] || continue
      cp "$a" "$findings/$t-$(basename "$a")"
      echo "== reproducer $findings/$t-$(basename "$a") ($(wc -c <"$a") bytes), base64:" >&2
      base64 -w 76 "$a" >&2
      echo "== replay: build/fuzz/bin/${t}_fuzzer $findings/$t-$(basename "$a")" >&2
    done
  done
  exit 1
fi
