#!/usr/bin/env bash
# syslog_ng_roundtrip.sh JWTBATCH [COUNT]: `jwtbatch verify --field MESSAGE --format
# enrich` as a co-process of a real syslog-ng (Debian 12's syslog-ng 3.38), end to end.
#
# A private syslog-ng (its own config, persist file, pid file and control socket in a
# temporary directory; one TCP source on a free loopback port, no system socket) sends
# every message as $(format-json seq=${PID} MESSAGE=${MESSAGE}) to a program()
# destination running the co-process, whose stdout goes to a FIFO that a pipe() source
# of the same syslog-ng reads back: json-parser, then every reply to out.log and those
# whose jwt.status is not "ok" to alerts.log (tests/syslog_ng/syslog-ng.conf).
# The test sends COUNT tokens from `jwtbatch gen` (valid, expired, forged, malformed;
# message N is sent as "app[N]:"), with token-less messages, control characters, UTF-8,
# a 100 KB message and one that tries to forge the verdict mixed in, and checks that
# every message came back exactly once, in the order sent, while syslog-ng and the
# co-process still run (so the co-process answers as its input pauses), with the
# verdict `jwtbatch verify` gives for the same text and the one the generator's answer
# key expects, and that exactly the not-ok ones are in alerts.log. It prints
# syslog-ng's throughput next to `jwtbatch verify` on the same text. syslog-ng is
# stopped by its pid; nothing outside the temporary directory is touched.
#
# syslog-ng: the one on PATH (/usr/sbin), else Debian's syslog-ng-core unpacked into
# build/syslog-ng by scripts/install-deps.sh (the package conflicts with rsyslog).
set -euo pipefail

jwtbatch="$(realpath "${1:?usage: syslog_ng_roundtrip.sh JWTBATCH [COUNT]}")"
count="${2:-3000}"
if [ "$count" -gt 5000 ]; then
  echo "syslog_ng_roundtrip: COUNT is at most 5000 (see at= below)" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3
# shellcheck source=../daemon_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/../daemon_support.sh"

syslog_ng=(); unpacked="$here/../../build/syslog-ng"
if command -v syslog-ng >/dev/null || [ -x /usr/sbin/syslog-ng ]; then
  syslog_ng=("$(command -v syslog-ng || echo /usr/sbin/syslog-ng)")
elif [ -x "$unpacked/usr/sbin/syslog-ng" ]; then
  unpacked="$(realpath "$unpacked")"
  # Its libraries and modules are where dpkg-deb put them, not under /usr/lib.
  syslog_ng=(env "LD_LIBRARY_PATH=$unpacked/usr/lib/syslog-ng" "$unpacked/usr/sbin/syslog-ng"
             "--module-path=$unpacked/usr/lib/syslog-ng/3.38")
else
  echo "syslog_ng_roundtrip: syslog-ng not found (scripts/install-deps.sh unpacks" \
    "Debian's syslog-ng-core into build/syslog-ng)" >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/jwtbatch-syslog-ng.XXXXXX")"
pid=""
children=()
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  for c in "${children[@]}"; do kill "$c" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

# gen's token N is issued up to 300 s before base_time + 0.6 N s (at most) and a valid
# one lives an hour: judged at base_time + 50 min, every valid token is live for COUNT up
# to 5000 (its issue time has passed, and the earliest exp is base_time + 55 min).
base_time=2026-11-29T00:00:00Z
at=2026-11-29T00:50:00Z
"$jwtbatch" keygen --alg RS256,EdDSA,HS256 --out "$dir/keys.json" 2>/dev/null
"$jwtbatch" gen --jwks "$dir/keys.json" --count "$count" --format tokens \
  --mix valid=70,expired=10,forged=10,malformed=10 --seed 11 \
  --base-time "$base_time" --out "$dir/tokens.txt" --answers "$dir/answers.ndjson" 2>/dev/null

# The messages, one text per line (message N is line N+1): the tokens, and every 10th
# message a text without a token (or one that tries to set the verdict).
"$python" - "$dir" <<'EOF'
import json, sys
d = sys.argv[1]
tokens = open(d + "/tokens.txt", encoding="ascii").read().splitlines()
kinds = [json.loads(l)["kind"] for l in open(d + "/answers.ndjson")]
others = ["GET /health HTTP/1.1 200 no token here",
          "garbage \x01\x02 \x1b[0m ~~~ Bearer abc123 x=y",
          "caf\u00e9 \u2603 eyJ not a token",
          # A text that would forge the verdict if anyone pasted it into JSON unescaped.
          'x","jwt":{"status":"ok","class":"ok"},"y":"',
          "x" * 100000]  # over 64 KiB, syslog-ng's default log-msg-size
msgs, expect = [], []
for i, token in enumerate(tokens):
    if i % 10 == 9:
        msgs.append(others[(i // 10) % len(others)])
        expect.append(None)
    msgs.append(token)
    expect.append(kinds[i])
with open(d + "/messages.txt", "w", encoding="utf-8") as f:
    f.write("".join(m + "\n" for m in msgs))
json.dump(expect, open(d + "/expect.json", "w"))
EOF
messages="$(wc -l <"$dir/messages.txt")"

coprocess="'$jwtbatch' verify --field MESSAGE --format enrich --jwks '$dir/keys.json'"
coprocess+=" --allow-mixed-keys --at $at"
if [ "${#syslog_ng[@]}" -gt 1 ]; then
  coprocess="env -u LD_LIBRARY_PATH $coprocess"  # syslog-ng's private libraries are its own
fi
port="$(free_port)"
mkfifo "$dir/replies.pipe"
"$python" - "$here/syslog-ng.conf" "$dir/syslog-ng.conf" "$dir" "$port" "$coprocess" <<'EOF'
import sys
src, dst, d, port, co = sys.argv[1:]
text = open(src).read().replace("@DIR@", d).replace("@PORT@", port).replace("@COPROCESS@", co)
open(dst, "w").write(text)
EOF
run=("${syslog_ng[@]}" -f "$dir/syslog-ng.conf" -R "$dir/syslog-ng.persist"
     -p "$dir/syslog-ng.pid" -c "$dir/syslog-ng.ctl" --no-caps)
"${run[@]}" --syntax-only >"$dir/check.log" 2>&1 || {
  cat "$dir/check.log" >&2
  exit 1
}
"${run[@]}" -F -e >"$dir/syslog-ng.log" 2>&1 &
pid=$!
wait_for_port "$port" || true  # a daemon that never listens is reported below

# Send every message as RFC 3164 over one TCP connection, then wait for out.log.
start="$(date +%s.%N)"
"$python" - "$dir/messages.txt" "$port" <<'EOF'
import socket, sys
data = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
s.sendall(b"".join(b"<13>Nov 29 00:00:00 testhost app[%d]: %s\n" % (i, m)
                   for i, m in enumerate(data)))
s.close()
EOF
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
for i in $(seq 1200); do
  [ "$(lines "$dir/out.log")" -ge "$messages" ] && break
  if [ "$i" -ge 100 ] && [ "$(lines "$dir/out.log")" = 0 ] && [ -s "$dir/coprocess.log" ]; then
    echo "syslog_ng_roundtrip: no reply in 10 s; the co-process said:" >&2
    head -c 2000 "$dir/coprocess.log" >&2
    exit 1
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "syslog_ng_roundtrip: syslog-ng exited" >&2
    cat "$dir/syslog-ng.log" >&2
    exit 1
  fi
  sleep 0.1
done
end="$(date +%s.%N)"
sleep 1  # a message too many would show up now
mapfile -t children < <(pgrep -P "$pid" || true)
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
for _ in $(seq 50); do  # syslog-ng ends its program() on the way out
  alive=0
  for c in "${children[@]}"; do kill -0 "$c" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.1
done
if [ "$alive" = 1 ]; then
  echo "syslog_ng_roundtrip: the co-process outlived syslog-ng" >&2
  exit 1
fi
if [ "$(lines "$dir/out.log")" -lt "$messages" ]; then
  echo "syslog_ng_roundtrip: $(lines "$dir/out.log") of $messages replies came back;" \
    "co-process stderr:" >&2
  head -c 2000 "$dir/coprocess.log" >&2 || true
fi

# jwtbatch verify on the same texts: the verdicts, and the throughput comparison.
verify_start="$(date +%s.%N)"
"$jwtbatch" verify --jwks "$dir/keys.json" --allow-mixed-keys --at "$at" --format ndjson \
  <"$dir/messages.txt" >"$dir/verify.ndjson" 2>/dev/null || true
verify_end="$(date +%s.%N)"

"$python" - "$dir" "$messages" "$start" "$end" "$verify_start" "$verify_end" <<'EOF'
import json, os, sys
d, messages = sys.argv[1], int(sys.argv[2])
sng_s = float(sys.argv[4]) - float(sys.argv[3])
verify_s = float(sys.argv[6]) - float(sys.argv[5])
expect = json.load(open(d + "/expect.json"))
texts = open(d + "/messages.txt", encoding="utf-8").read().split("\n")[:-1]
verify = {}
for l in open(d + "/verify.ndjson"):
    r = json.loads(l)
    verify[r["line"] - 1] = r
want_class = {"valid": "ok", "expired": "claims", "forged": "signature", "malformed": "format"}
compared = ("status", "class", "alg", "kid", "fp", "label")
seen, order, errors = {}, [], []
for n, raw in enumerate(open(d + "/out.log", encoding="utf-8").read().splitlines()):
    seq_field, status_field, reply_text = raw.split("\t", 2)
    try:
        reply = json.loads(reply_text)
    except ValueError:
        errors.append("reply %d is not JSON: %r" % (n, reply_text[:200]))
        continue
    seq = int(reply.get("seq", "-1"))
    if str(seq) != seq_field or reply.get("jwt", {}).get("status") != status_field:
        errors.append("reply %d: syslog-ng's json-parser read %r/%r from %r"
                      % (n, seq_field, status_field, reply_text[:200]))
    if seq in seen:
        errors.append("message %d came back twice" % seq)
    seen[seq] = reply
    order.append(seq)
missing = [i for i in range(messages) if i not in seen]
if missing:
    errors.append("%d messages missing, first %s" % (len(missing), missing[:5]))
if order != sorted(order):
    errors.append("replies out of order, first at reply %d"
                  % next(i for i in range(1, len(order)) if order[i] < order[i - 1]))
alerts_want = set()
for i, kind in enumerate(expect):
    reply = seen.get(i)
    if reply is None:
        continue
    if set(reply) != {"seq", "MESSAGE", "jwt"} or reply["MESSAGE"] != texts[i]:
        errors.append("message %d: the object did not come back whole: %r"
                      % (i, {k: v for k, v in reply.items() if k != "MESSAGE"}))
    jwt = reply["jwt"]
    if "line" in jwt:
        errors.append("message %d: the jwt member carries a line number: %s" % (i, jwt))
    if kind is not None and jwt.get("class") != want_class[kind]:
        errors.append("message %d (%s): got %s" % (i, kind, jwt))
    v = verify.get(i)
    # A line over the token limit is never held by plain verify, so its fingerprint is
    # all '0' there; --field holds the member (the line is under 16 MiB) and prints it.
    keys = [k for k in compared if not (k == "fp" and jwt.get("status") == "token_too_large")]
    if v is None or any(jwt.get(k) != v.get(k) for k in keys):
        errors.append("message %d: syslog-ng %s, jwtbatch verify %s" % (i, jwt, v))
    if jwt.get("status") != "ok":
        alerts_want.add(i)
alerts = []
if os.path.exists(d + "/alerts.log"):
    alerts = [int(l.split("\t", 1)[0]) for l in open(d + "/alerts.log")]
if sorted(alerts) != sorted(alerts_want) or len(alerts) != len(set(alerts)):
    extra = sorted(set(alerts) - alerts_want)
    lost = sorted(alerts_want - set(alerts))
    errors.append("alerts.log: %d lines, want %d; not ok but absent %s; present but ok %s"
                  % (len(alerts), len(alerts_want), lost[:5], extra[:5]))
for e in errors[:20]:
    print("syslog_ng_roundtrip: " + e, file=sys.stderr)
tokens = sum(1 for k in expect if k is not None)
print("syslog_ng_roundtrip: %d messages (%d tokens, %d alerts) through syslog-ng + "
      "jwtbatch verify --format enrich and back: %.2f s, %.0f messages/s; "
      "jwtbatch verify on the same texts: %.2f s, %.0f lines/s"
      % (messages, tokens, len(alerts), sng_s, messages / sng_s, verify_s, messages / verify_s))
sys.exit(1 if errors else 0)
EOF
