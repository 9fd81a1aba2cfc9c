#!/usr/bin/env bash
# bench/kafka/run.sh: messages per second through one `jwtbatch consume` worker against
# the mock Kafka cluster, beside `jwtbatch verify` on the same tokens from a file, in one
# run, for HS256 and RS256. Prints a Markdown table (bench/README.md, "Kafka workers")
# on stdout, progress on stderr.
#
#   bash scripts/install-deps.sh && bash scripts/build.sh release
#   nice bash bench/kafka/run.sh                   # 200k HS256 and 60k RS256 tokens,
#                                                  # median of 3: about 3 minutes
#   bash bench/kafka/run.sh --runs 1 --scale 10    # smoke run: a tenth of the tokens
#
# Options:
#   --runs N       runs of each side per corpus; medians reported (default 3)
#   --scale N      divide the token counts by N (default 1)
#   --batch N      consume's --batch (default: its own default)
#   --mock F       the mock cluster program (default build/release/tests/kafka/kafka_mock)
#   --jwtbatch F   the jwtbatch binary (default build/release/bin/jwtbatch)
#   --work DIR     keys, corpora and raw results (default build/kafka-bench)
#
# What is measured. Each corpus is `jwtbatch gen --mix valid=100`, judged at a fixed
# --at at which every token is valid, with the public key only. The tokens are produced
# to a topic of 6 partitions before the worker starts; the worker (all cores, its default
# cache) runs until the topic is drained (--exit-idle 1000) and its rate is messages /
# active_ms of its --summary-json: from its first message to its last commit, so the
# group join and the idle second at the end are not counted. The file side is `jwtbatch
# verify` writing NDJSON records (fingerprints included, as consume's records have) to
# /dev/null; its rate is records / seconds of its own --summary-json. The mock cluster
# is a process of its own on the same cores: the broker's work is inside the figure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
runs=3 scale=1 batch="" mock="$top/build/release/tests/kafka/kafka_mock"
jwtbatch="$top/build/release/bin/jwtbatch" work="$top/build/kafka-bench"
python=/usr/bin/python3  # Debian's, with python3-confluent-kafka

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --scale) scale="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    --mock) mock="$2"; shift 2 ;;
    --jwtbatch) jwtbatch="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for f in "$mock" "$jwtbatch"; do
  [ -x "$f" ] || { echo "run.sh: $f: not built (scripts/build.sh release)" >&2; exit 2; }
done
mkdir -p "$work"
cd "$work"

at=1700003200  # every generated token is valid then (see gen below)
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then
    exec 8>&-  # the mock ends at the end of its standard input
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=""
  fi
}
trap cleanup EXIT

# start_mock: a fresh cluster (3 brokers) with topic "in" of 6 partitions and "out" of 6;
# sets $bootstrap. The mock reads commands from a FIFO this script holds open (fd 8).
start_mock() {
  cleanup
  rm -f mock.out control
  mkfifo control
  "$mock" --topic in:6 --topic out:6 <control >mock.out 2>mock.err &
  mock_pid=$!
  exec 8>control
  for _ in $(seq 100); do
    bootstrap="$(sed -n 's/^bootstrap=//p' mock.out 2>/dev/null)"
    [ -n "$bootstrap" ] && return 0
    sleep 0.1
  done
  echo "run.sh: the mock cluster did not start: $(cat mock.err)" >&2
  exit 1
}

# produce FILE: every line of FILE as one message of "in", round-robin over its partitions.
produce() {
  "$python" - "$bootstrap" "$1" <<'PY'
import sys
import confluent_kafka as ck
p = ck.Producer({"bootstrap.servers": sys.argv[1], "linger.ms": 20,
                 "queue.buffering.max.messages": 1000000})
with open(sys.argv[2], "rb") as f:
    for i, line in enumerate(f):
        p.produce("in", line.rstrip(b"\n"), partition=i % 6)
        if i % 10000 == 0:
            p.poll(0)
left = p.flush(60)
sys.exit(1 if left else 0)
PY
}

json_field() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| corpus | tokens | verify from a file (tokens/s) | consume via Kafka (messages/s) | Kafka / file |"
echo "|---|---:|---:|---:|---:|"
for corpus in hs256:200000 rs256:60000; do
  alg="${corpus%%:*}"
  count=$(( ${corpus#*:} / scale ))
  upper="$(echo "$alg" | tr a-z A-Z)"
  "$jwtbatch" keygen --alg "$upper" --out "$alg.json" --public-out "$alg.pub.json" --force 2>/dev/null
  verify_keys="$alg.pub.json"
  [ "$alg" = hs256 ] && verify_keys="$alg.json"  # an HMAC secret is its own verifying key
  # In chunks of 10k lines from one base time, as bench/peers does: gen's lines are up to
  # 0.6 s apart and a token lives an hour, so every token is valid at $at.
  : >"$alg.txt"
  for k in $(seq 0 $(( (count - 1) / 10000 ))); do
    n=$(( count - k * 10000 < 10000 ? count - k * 10000 : 10000 ))
    "$jwtbatch" gen --jwks "$alg.json" --count "$n" --seed $((k + 7)) --mix valid=100 \
      --base-time 1700000000 2>/dev/null >>"$alg.txt"
  done
  file_rates=() kafka_rates=()
  for run in $(seq "$runs"); do
    echo "run.sh: $alg run $run: verify" >&2
    "$jwtbatch" verify --jwks "$verify_keys" --at "$at" -q --summary-json verify.json \
      "$alg.txt" >/dev/null || true
    file_rates+=("$("$python" -c 'import json; s=json.load(open("verify.json")); print(s["records"] / s["seconds"])')")
    echo "run.sh: $alg run $run: consume" >&2
    start_mock
    produce "$alg.txt"
    "$jwtbatch" consume --brokers "$bootstrap" --topic in --group "bench-$run" --out-topic out \
      --jwks "$verify_keys" --at "$at" --exit-idle 1000 -q --summary-json consume.json \
      ${batch:+--batch "$batch"} -X session.timeout.ms=6000 </dev/null
    messages="$(json_field consume.json messages)"
    [ "$messages" = "$count" ] || { echo "run.sh: consume saw $messages of $count" >&2; exit 1; }
    kafka_rates+=("$("$python" -c 'import json; s=json.load(open("consume.json")); print(s["messages"] / (s["active_ms"] / 1000))')")
  done
  f="$(median "${file_rates[@]}")"
  k="$(median "${kafka_rates[@]}")"
  printf '| %s | %d | %.0f | %.0f | %.2f |\n' "$upper" "$count" "$f" "$k" \
    "$(echo "$k / $f" | bc -l)"
  echo "run.sh: $alg: file ${file_rates[*]}; kafka ${kafka_rates[*]}" >&2
done
