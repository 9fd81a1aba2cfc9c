#!/usr/bin/env bash
# bench/peers/run.sh: jwtbatch against the JWT verifiers people would pick instead —
# libjwt (C), cpp-jwt (C++), jose and fast-jwt (Node.js) — as whole processes, on the
# same token files, with the same keys and checks, on this machine, in one run.
# Prints a Markdown report (what bench/README.md "Against the peers" shows) on stdout,
# progress on stderr, and exits 1 if the verifiers disagree on how many tokens verified.
#
# From a fresh clone (Debian 12):
#   bash scripts/install-deps.sh && bash scripts/build.sh release && bash bench/peers/install.sh
#   nice bash bench/peers/run.sh                     # 100k tokens per corpus, median of 3:
#                                                    # about 30 minutes on 2 busy cores
#   bash bench/peers/run.sh --count 2000 --runs 1    # smoke run, about 30 seconds
#
# Options:
#   --count N      tokens per corpus (default 100000; a multiple of --repeat)
#   --runs N       runs of every verifier on every corpus; medians reported (default 3)
#   --repeat N     how often each token appears in the repeat corpora (default 20)
#   --seed N       gen's seed (default 1): the same options give the same tokens, but
#                  for their signatures (keys are new every run)
#   --corpora LIST only these corpora, comma-separated (default: all six, named below)
#   --cpu N        the core one-thread runs are pinned to (default: the last one)
#   --work DIR     keys, corpora and raw results (default build/peers/run)
#   --jwtbatch F   the jwtbatch binary (default build/release/bin/jwtbatch)
#
# What is compared. Corpora from `jwtbatch gen --format tokens`, one token per line, the
# default mix (90% valid, 5% expired, 3% forged, 2% malformed) so that agreeing on the
# count is meaningful: hs256, rs256, es256, eddsa (every token distinct) and rs256-xN,
# es256-xN (each token N times, shuffled nearby, as tokens repeat in real logs). Every
# verifier pins the one algorithm, checks the signature with the same key, exp and nbf
# at one fixed evaluation time, iss and aud. Peers run on one thread pinned to one core
# (taskset); jwtbatch runs pinned on one thread and unpinned on every core, each with
# its verified-token cache on (the CLI's default) and off (--cache-size 0).
# Tokens/s = tokens in the file / whole-process wall time (start-up included: Node's is
# about 0.2 s here); the report also gives each program's own in-loop rate.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"

count=100000 runs=3 repeat=20 seed=1 cpu="" only="" work="$top/build/peers/run"
jwtbatch="$top/build/release/bin/jwtbatch"
die() { echo "peers/run: $*" >&2; exit 2; }
need_value() { [ $# -ge 2 ] || die "$1 needs a value"; }
is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) need_value "$@"; count="$2"; shift 2 ;;
    --runs) need_value "$@"; runs="$2"; shift 2 ;;
    --repeat) need_value "$@"; repeat="$2"; shift 2 ;;
    --seed) need_value "$@"; seed="$2"; shift 2 ;;
    --corpora) need_value "$@"; only="$2"; shift 2 ;;
    --cpu) need_value "$@"; cpu="$2"; shift 2 ;;
    --work) need_value "$@"; work="$2"; shift 2 ;;
    --jwtbatch) need_value "$@"; jwtbatch="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
is_count "$count" || die "--count must be a positive integer, not $count"
is_count "$runs" || die "--runs must be a positive integer, not $runs"
is_count "$repeat" || die "--repeat must be a positive integer, not $repeat"
[[ "$seed" =~ ^[0-9]+$ ]] || die "--seed must be a non-negative integer, not $seed"
[ $((count % repeat)) -eq 0 ] || die "--count ($count) must be a multiple of --repeat ($repeat)"
[ "$repeat" -le 2000 ] || die "--repeat must be at most 2000 (gen keeps repeats within 2 blocks of 2048 lines)"
cores="$(nproc)"
cpu="${cpu:-$((cores - 1))}"
[[ "$cpu" =~ ^[0-9]+$ ]] && [ "$cpu" -lt "$cores" ] || die "--cpu must be a core number below $cores"

# The corpora, by name.
corpora=(hs256 rs256 es256 eddsa "rs256-x$repeat" "es256-x$repeat")
if [ -n "$only" ]; then
  wanted=",$only,"
  IFS=, read -ra names <<<"$only"
  for name in "${names[@]}"; do
    [[ " ${corpora[*]} " == *" $name "* ]] || die "--corpora: no corpus $name (${corpora[*]})"
  done
  picked=()
  for c in "${corpora[@]}"; do [[ "$wanted" == *",$c,"* ]] && picked+=("$c"); done
  corpora=("${picked[@]}")
fi
declare -A alg_of=([hs256]=HS256 [rs256]=RS256 [es256]=ES256 [eddsa]=EdDSA
  ["rs256-x$repeat"]=RS256 ["es256-x$repeat"]=ES256)
declare -A repeat_of=([hs256]=1 [rs256]=1 [es256]=1 [eddsa]=1
  ["rs256-x$repeat"]=$repeat ["es256-x$repeat"]=$repeat)

# Everything the run needs, with the command that provides what is missing.
[ -x "$jwtbatch" ] || die "no jwtbatch at $jwtbatch: run bash scripts/build.sh release"
[ -d "$here/node_modules/jose" ] && [ -d "$here/node_modules/fast-jwt" ] ||
  die "the npm peers are not installed: run bash bench/peers/install.sh"
for tool in node make taskset pkg-config; do
  command -v "$tool" >/dev/null || die "$tool is missing: run bash bench/peers/install.sh"
done
pkg-config --exists libjwt jansson libcrypto || die "libjwt/jansson/OpenSSL headers are missing: run bash bench/peers/install.sh"
[ -f /usr/include/jwt/jwt.hpp ] || die "cpp-jwt is missing: run bash bench/peers/install.sh"

# The OpenSSL peers, built apart from jwtbatch (never one process with BoringSSL).
bin="$top/build/peers/bin"
make -s -C "$here" OUT="$bin" all >&2

# --- keys and corpora ---------------------------------------------------------------
mkdir -p "$work"
work="$(cd "$work" && pwd)"
iss="https://issuer.example" aud="api.example"
# Time model. gen spaces lines 0-599 ms apart (about 0.3 s on average), issues each
# valid token 1-300 s before its line and lets it live an hour; expired ones ended
# before their line. A 100k-line file spans about 8 hours, so no single evaluation time
# would see its valid tokens as valid. Each corpus is therefore written as chunks of at
# most 10,000 lines (about 3,000 s of log time, give or take 20 s), each from the same base
# time with its own seed. At base + 3,200 s every valid token is inside its window: it
# was issued before its line (at most base + ~3,100 s) and expires no earlier than
# base + 3,300 s; every expired token has expired. gen's own count of valid tokens is
# then the exact expected number of verified tokens, and the run checks it.
base_time=1700000000
at=$((base_time + 3200))
chunk=$((10000 - 10000 % repeat))

echo "peers/run: keys and corpora in $work" >&2
# A copy of jwtbatch, so that a rebuild during the run (build/release is shared) can
# neither change nor remove the binary being measured. It needs no RPATH (BoringSSL is
# inside it; every other library is in the loader's default path).
# What is measured: the binary's build time, and the commit checked out then (the work
# tree may hold uncommitted changes of its own; the report says when engine/ does).
build="built $(date -u -r "$jwtbatch" '+%Y-%m-%d %H:%M UTC'), HEAD $(
  git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -z "$(git -C "$top" status --porcelain -- engine 2>/dev/null)" ] ||
  build="$build with uncommitted changes in engine/"
cp "$jwtbatch" "$work/jwtbatch"
jwtbatch="$work/jwtbatch"
"$jwtbatch" keygen --alg HS256,RS256,ES256,EdDSA --force --out "$work/keys.jwks" 2>/dev/null
node "$here/export_keys.mjs" "$work/keys.jwks" "$work" >/dev/null

printf 'corpus\talg\trepeat\ttokens\tvalid\n' >"$work/corpora.tsv"
for c in "${corpora[@]}"; do
  alg="${alg_of[$c]}" r="${repeat_of[$c]}"
  file="$work/$c.tokens"
  : >"$file"
  valid=0 done_lines=0 k=0
  while [ "$done_lines" -lt "$count" ]; do
    n=$((count - done_lines < chunk ? count - done_lines : chunk))
    # gen's stderr: "jwtbatch gen: N lines, D distinct tokens: V valid, E expired, ..."
    stats="$("$jwtbatch" gen --jwks "$work/keys.jwks" --algs "$alg" --count "$n" --repeat "$r" \
      --seed $((seed * 1000 + k)) --base-time "$base_time" --iss "$iss" --aud "$aud" \
      --format tokens 2>&1 >>"$file")" || die "jwtbatch gen failed: $stats"
    v="$(sed -n 's/.* \([0-9]*\) valid,.*/\1/p' <<<"$stats")"
    [ -n "$v" ] || die "cannot read gen's valid count from: $stats"
    valid=$((valid + v)) done_lines=$((done_lines + n)) k=$((k + 1))
  done
  printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$alg" "$r" "$count" "$valid" >>"$work/corpora.tsv"
  echo "peers/run: $c: $count tokens ($alg, each x$r), $valid valid at $at" >&2
done

# --- verifiers ------------------------------------------------------------------------
# Each writes "verified=N rejected=M loop_s=S" (jwtbatch: its summary line on stderr).
pin=(taskset -c "$cpu")
verifiers=(jwtbatch-1t jwtbatch-1t-nocache jwtbatch-all jwtbatch-all-nocache
  libjwt cppjwt jose fastjwt fastjwt-cache)

# set_command VERIFIER CORPUS: sets cmd=(...) to run it, or skip="reason" when it
# cannot or need not run on that corpus.
set_command() {
  local v="$1" c="$2" alg="${alg_of[$2]}" lower key
  lower="${alg,,}"
  key="$work/$lower.pem"
  [ "$alg" = HS256 ] && key="$work/$lower.secret"
  local file="$work/$c.tokens" policy=("$iss" "$aud" "$at")
  cmd=() skip=""
  case "$v" in
    jwtbatch-*)
      local keyflag=(--key "$key")
      [ "$alg" = HS256 ] && keyflag=(--secret-file "$key")
      cmd=("$jwtbatch" verify "${keyflag[@]}" --kid "$lower-1" --alg "$alg" --iss "$iss"
        --aud "$aud" --at "$at" --format summary --progress never)
      case "$v" in *-1t*) cmd=("${pin[@]}" "${cmd[@]}" --threads 1) ;; *) cmd+=(--threads 0) ;; esac
      case "$v" in *-nocache) cmd+=(--cache-size 0) ;; esac
      cmd+=("$file") ;;
    libjwt | cppjwt)
      if [ "$alg" = EdDSA ]; then skip="no EdDSA in $v"; return; fi
      cmd=("${pin[@]}" "$bin/${v}_verify" "$alg" "$key" "${policy[@]}" "$file") ;;
    jose | fastjwt | fastjwt-cache)
      if [ "$v" = fastjwt-cache ] && [ "${repeat_of[$c]}" = 1 ]; then
        skip="no repeats to cache"
        return
      fi
      local lib="${v/fastjwt/fast-jwt}"
      cmd=("${pin[@]}" node "$here/node_verify.mjs" "$lib" "$alg" "$key" "${policy[@]}" "$file") ;;
  esac
}

# run_one VERIFIER CORPUS RUN: one timed run, appended to results.tsv: wall time, and
# the CPU time (user + system, every thread) that the process and its children used.
TIMEFORMAT='%3R %3U %3S'
run_one() {
  local v="$1" c="$2" r="$3" out="$work/last.out" err="$work/last.err" rc=0
  { time "${cmd[@]}" >"$out" 2>"$err"; } 2>"$work/last.time" || rc=$?
  local wall_s user_s sys_s verified rejected loop_s
  read -r wall_s user_s sys_s <"$work/last.time"
  if [[ "$v" == jwtbatch-* ]]; then
    # 0 every token verified, 1 some did not; 2 is a usage, key or input error.
    [ "$rc" -le 1 ] || die "$v on $c failed ($rc): $(cat "$err")"
    read -r verified rejected loop_s < <(sed -n \
      's/^jwtbatch verify: [0-9]* records, \([0-9]*\) ok, \([0-9]*\) not ok, \([0-9.]*\) s,.*/\1 \2 \3/p' "$err")
  else
    [ "$rc" -eq 0 ] || die "$v on $c failed ($rc): $(cat "$err")"
    read -r verified rejected loop_s < <(sed -n \
      's/^verified=\([0-9]*\) rejected=\([0-9]*\) loop_s=\([0-9.]*\)$/\1 \2 \3/p' "$out")
  fi
  [ -n "${loop_s:-}" ] || die "$v on $c printed no counts: $(cat "$out" "$err")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$v" "$r" "$wall_s" \
    "$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.3f", u + s }')" "$verified" \
    "$rejected" "$loop_s" >>"$work/results.tsv"
  printf 'peers/run: run %s/%s %-9s %-21s %8s s  %s verified\n' "$r" "$runs" "$c" "$v" \
    "$wall_s" "$verified" >&2
}

printf 'corpus\tverifier\trun\twall_s\tcpu_s\tverified\trejected\tloop_s\n' >"$work/results.tsv"
printf 'corpus\tverifier\treason\n' >"$work/skipped.tsv"
for c in "${corpora[@]}"; do
  for v in "${verifiers[@]}"; do
    set_command "$v" "$c"
    [ -z "$skip" ] || printf '%s\t%s\t%s\n' "$c" "$v" "$skip" >>"$work/skipped.tsv"
  done
done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
t_start="$SECONDS"
# Rounds: every verifier once per corpus, the order reversed every other round so that
# a slow spell on the machine does not always land on the same verifier.
for ((r = 1; r <= runs; r++)); do
  order=("${verifiers[@]}")
  if ((r % 2 == 0)); then
    order=()
    for ((i = ${#verifiers[@]} - 1; i >= 0; i--)); do order+=("${verifiers[i]}"); done
  fi
  for c in "${corpora[@]}"; do
    for v in "${order[@]}"; do
      set_command "$v" "$c"
      [ -n "$skip" ] || run_one "$v" "$c" "$r"
    done
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report -----------------------------------------------------------------------------
versions="$(cd "$here" && node -p 'const v = (p) => require(`./node_modules/${p}/package.json`).version;
  `jose ${v("jose")}, fast-jwt ${v("fast-jwt")}, Node ${process.version}`')"
versions="jwtbatch $("$jwtbatch" --version 2>&1 | head -1 | awk '{print $2}') ($build), libjwt $(
  dpkg-query -W -f='${Version}' libjwt-dev), cpp-jwt $(dpkg-query -W -f='${Version}' libcpp-jwt-dev), $(
  dpkg-query -W -f='OpenSSL ${Version}' libssl3), $versions (its own OpenSSL $(
  node -p process.versions.openssl))"
printf '%s\n' "started=$started" "seconds=$((SECONDS - t_start))" "runs=$runs" "cores=$cores" \
  "cpu=$cpu" "cpu_model=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
  "load=$load_before -> $load_after" "versions=$versions" "at=$at" \
  "command=bash bench/peers/run.sh --count $count --runs $runs --repeat $repeat --seed $seed${only:+ --corpora $only}" \
  >"$work/meta.txt"
# The report alone can be made again from the work directory: node report.mjs WORK
node "$here/report.mjs" "$work"
