#!/usr/bin/env bash
# tidy.sh [--all | --changed [BASE] | FILE...]: clang-tidy 14 on the project's own
# sources, with the checks of .clang-tidy and the compile commands of the release build
# (build/release/compile_commands.json: run `scripts/build.sh release` first). Headers are
# checked through the translation units that include them (.clang-tidy's
# HeaderFilterRegex: engine/src, engine/include, engine/cli).
#
# Without arguments (the test command's step): every translation unit of the library
# (engine/src, and through it engine/include), plus the translation units of the
# program (engine/cli) changed since the merge base with main (a .hpp counts for its
# .cpp). Why not all of engine/cli every time: clang-tidy parses CLI11, fmt and oneTBB
# again for each unit, about 45 s of CPU per CLI unit against 24 s per library unit
# (measured 2026-12-02): all 56 units take about 15 minutes on the CI's 2 cores, the
# 32 of the library about 6.5, and the test command (24 minutes before this step) must
# stay under about 35 (docs/STYLE.md#tidy).
#   --all             every translation unit under engine/ (library and program);
#   --changed [BASE]  only the units under engine/ changed since the merge base with
#                     BASE (default main);
#   FILE...           only these.
#
# Any warning fails the run (exit 1): each is printed once, with a count per check.
# One clang-tidy runs per core at a time ($JWTBATCH_TIDY_JOBS to change it).
set -euo pipefail
cd "$(dirname "$0")/.."

db=build/release/compile_commands.json
tidy=clang-tidy-14
jobs="${JWTBATCH_TIDY_JOBS:-$(nproc)}"

if ! command -v "$tidy" >/dev/null; then
  echo "tidy.sh: $tidy not found; run scripts/install-deps.sh" >&2
  exit 2
fi
if [ ! -f "$db" ]; then
  echo "tidy.sh: no $db; run scripts/build.sh release first" >&2
  exit 2
fi

# Every translation unit of the compile database under engine/, relative to the root.
units() {
  python3 - "$db" "$PWD" <<'PY'
import json, os, sys
db, root = sys.argv[1], sys.argv[2]
seen = set()
for entry in json.load(open(db)):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if rel.startswith("engine/") and rel not in seen:
        seen.add(rel)
        print(rel)
PY
}

# changed_units BASE PREFIX: the units under PREFIX changed since the merge base with
# BASE (a changed header brings in the unit of the same name).
changed_units() {
  local base="$1" prefix="$2" merge_base f c
  if ! merge_base="$(git merge-base HEAD "$base" 2>/dev/null)"; then
    echo "tidy.sh: no merge base with '$base': no changed units under $prefix" >&2
    return 0
  fi
  mapfile -t changed < <(git diff --name-only --diff-filter=d "$merge_base" -- "$prefix" |
    sed 's/\.hpp$/.cpp/')
  for f in "${all[@]}"; do
    case "$f" in "$prefix"*) ;; *) continue ;; esac
    for c in "${changed[@]}"; do
      if [ "$f" = "$c" ]; then echo "$f"; fi
    done
  done
}

mapfile -t all < <(units)
files=()
case "${1:-}" in
  --all) files=("${all[@]}") ;;
  --changed) mapfile -t files < <(changed_units "${2:-main}" engine/) ;;
  -*) echo "tidy.sh: unknown option '$1' (--all, --changed [BASE] or files)" >&2; exit 2 ;;
  "")
    for f in "${all[@]}"; do
      case "$f" in engine/src/*) files+=("$f") ;; esac
    done
    mapfile -t -O "${#files[@]}" files < <(changed_units main engine/cli/)
    ;;
  *) files=("$@") ;;
esac
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy.sh: no translation unit to check"
  exit 0
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
start=$SECONDS
echo "tidy.sh: $tidy on ${#files[@]} translation units, $jobs at a time"
# Each unit's diagnostics and exit code go to files of their own. A unit fails on any
# warning (--warnings-as-errors), a compile error, or clang-tidy failing for any reason.
printf '%s\0' "${files[@]}" |
  xargs -0 -P "$jobs" -I{} sh -c \
    'log="$3/$(printf %s "$1" | tr / _)"
     "$2" -p build/release --quiet --warnings-as-errors="*" "$1" >"$log.log" 2>&1
     echo $? >"$log.rc"' \
    _ {} "$tidy" "$out"

# Warnings from a header appear once per unit that includes it: print each once.
status=0
python3 - "$out" <<'PY' || status=$?
import collections, glob, re, sys
diag = re.compile(r"^(\S+:\d+:\d+): (warning|error): (.*?)(?: \[([\w.,-]+)\])?$")
summary = re.compile(r"^(\d+ warnings? (generated|treated as errors)|Error while processing )")
seen = {}
failed = []
for log in sorted(glob.glob(sys.argv[1] + "/*.log")):
    lines = open(log, errors="replace").read().splitlines()
    rc = open(log[:-4] + ".rc").read().strip()
    if rc != "0" and not any(diag.match(l) for l in lines):
        failed.append((log, rc, lines[-20:]))
    i = 0
    while i < len(lines):
        m = diag.match(lines[i])
        if not m:
            i += 1
            continue
        where, kind, text, check = m.groups()
        block = [lines[i]]
        i += 1
        while i < len(lines) and not diag.match(lines[i]) and not summary.match(lines[i]):
            block.append(lines[i])
            i += 1
        key = (where, text)
        if key not in seen:
            seen[key] = ((check or kind).split(",")[0], block)
for log, rc, tail in failed:
    print("tidy.sh: clang-tidy exited with %s on %s:" % (rc, log.rsplit("/", 1)[1][:-4]))
    print("\n".join(tail))
if not seen:
    sys.exit(1 if failed else 0)
for check, block in seen.values():
    print("\n".join(block))
counts = collections.Counter(check for check, _ in seen.values())
print("\ntidy.sh: %d warnings:" % len(seen))
for check, n in counts.most_common():
    print("  %5d  %s" % (n, check))
sys.exit(1)
PY
echo "tidy.sh: ${#files[@]} units in $((SECONDS - start)) s"
exit $status
