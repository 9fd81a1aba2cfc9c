#!/usr/bin/env bash
# rsyslog_integration.sh JWTBATCH [COUNT]: `jwtbatch scan --rsyslog` under a real
# rsyslogd (Debian's rsyslog package, mmexternal), end to end.
#
# A private rsyslogd (its own config, work directory and pid file, no system socket:
# one imtcp input on a free loopback port) passes every message through
#   action(type="mmexternal" binary="jwtbatch scan --rsyslog ..." interface.input="msg")
# and writes "<msg> TAB <$!jwt>" per message to a file. The test sends COUNT access-log
# lines from `jwtbatch gen` (valid, expired, forged and malformed tokens, each line
# numbered "seq=N"), with token-less lines, garbage and a 60 KB line mixed in, then
# checks that every message arrived exactly once and that its $!jwt verdict is the one
# the generator's answer key expects and the one `jwtbatch scan` gives for the same
# line. It prints rsyslog's throughput next to `jwtbatch scan` on the same lines.
# rsyslogd is stopped by its pid; nothing outside a temporary directory is touched.
set -euo pipefail

jwtbatch="$(realpath "${1:?usage: rsyslog_integration.sh JWTBATCH [COUNT]}")"
count="${2:-3000}"
rsyslogd="$(command -v rsyslogd || echo /usr/sbin/rsyslogd)"
if [ ! -x "$rsyslogd" ]; then
  echo "rsyslog_integration: rsyslogd not found (Debian package rsyslog;" \
    "scripts/install-deps.sh installs it)" >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/jwtbatch-rsyslog.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

# Keys and a corpus whose answer key says what each line holds.
"$jwtbatch" keygen --alg RS256,EdDSA,HS256 --out "$dir/keys.json" 2>/dev/null
"$jwtbatch" gen --jwks "$dir/keys.json" --count "$count" --format access-log \
  --mix valid=70,expired=10,forged=10,malformed=10 --seed 7 \
  --base-time 2026-11-29T00:00:00Z --out "$dir/corpus.log" --answers "$dir/answers.ndjson" \
  2>/dev/null

# The messages: corpus lines numbered seq=N, and every 10th message a line without a
# token, garbage bytes or (once) a 60 KB line whose token sits at its head.
python3 - "$dir" <<'EOF'
import json, sys
d = sys.argv[1]
corpus = open(d + "/corpus.log", encoding="utf-8").read().splitlines()
kinds = [json.loads(l)["kind"] for l in open(d + "/answers.ndjson")]
msgs, expect = [], []
for i, line in enumerate(corpus):
    if i % 10 == 9:
        n = len(msgs)
        extra = ["GET /health HTTP/1.1 200 no token here",
                 "garbage \x01\x02 \xc3\x28 Bearer abc123 x=y ~~~"][(i // 10) % 2]
        msgs.append("seq=%d %s" % (n, extra))
        expect.append(None)
    n = len(msgs)
    if i == 500:
        line = line + " " + "x" * 60000
    msgs.append("seq=%d %s" % (n, line))
    expect.append(kinds[i])
with open(d + "/messages.txt", "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write("\n".join(msgs) + "\n")
json.dump(expect, open(d + "/expect.json", "w"))
EOF
messages="$(wc -l <"$dir/messages.txt")"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$dir/work"
cat >"$dir/rsyslog.conf" <<EOF
global(workDirectory="$dir/work" maxMessageSize="128k")
module(load="imtcp")
module(load="mmexternal")
template(name="verdict" type="string" string="%msg%\t%\$!jwt%\n")
ruleset(name="jwt") {
  action(type="mmexternal" interface.input="msg"
         binary="$jwtbatch scan --rsyslog --jwks $dir/keys.json --allow-mixed-keys --at-log-time --rsyslog-log $dir/plugin.log")
  action(type="omfile" file="$dir/out.log" template="verdict")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="jwt")
EOF
"$rsyslogd" -N1 -f "$dir/rsyslog.conf" >"$dir/check.log" 2>&1 || {
  cat "$dir/check.log" >&2
  exit 1
}
"$rsyslogd" -n -f "$dir/rsyslog.conf" -i "$dir/rsyslogd.pid" >"$dir/rsyslogd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" \
    2>/dev/null && break
  sleep 0.1
done

# Send every message as RFC 3164 over one TCP connection, then wait for the file.
start="$(date +%s.%N)"
python3 - "$dir/messages.txt" "$port" <<'EOF'
import socket, sys
data = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
s.sendall(b"".join(b"<13>Nov 29 00:00:00 testhost app: " + m + b"\n" for m in data))
s.close()
EOF
for _ in $(seq 1200); do
  [ -f "$dir/out.log" ] && [ "$(wc -l <"$dir/out.log")" -ge "$messages" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "rsyslog_integration: rsyslogd exited" >&2
    cat "$dir/rsyslogd.log" >&2
    exit 1
  fi
  sleep 0.1
done
end="$(date +%s.%N)"
sleep 1  # a message too many would show up now
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""

# jwtbatch scan on the same lines, for the verdicts and the throughput comparison.
scan_start="$(date +%s.%N)"
"$jwtbatch" scan --jwks "$dir/keys.json" --allow-mixed-keys --at-log-time --format ndjson <"$dir/messages.txt" \
  >"$dir/scan.ndjson" 2>/dev/null || true
scan_end="$(date +%s.%N)"

python3 - "$dir" "$messages" "$start" "$end" "$scan_start" "$scan_end" <<'EOF'
import json, sys
d, messages = sys.argv[1], int(sys.argv[2])
rs_s = float(sys.argv[4]) - float(sys.argv[3])
scan_s = float(sys.argv[6]) - float(sys.argv[5])
expect = json.load(open(d + "/expect.json"))
scan = {}
for l in open(d + "/scan.ndjson"):
    r = json.loads(l)
    scan.setdefault(r["line"] - 1, r)  # the first token of each line
want_class = {"valid": "ok", "expired": "claims", "forged": "signature", "malformed": "format"}
seen, errors = {}, []
for raw in open(d + "/out.log", "rb").read().decode("utf-8", "replace").splitlines():
    msg, _, verdict = raw.rpartition("\t")
    seq = int(msg.split("seq=", 1)[1].split(" ", 1)[0])
    if seq in seen:
        errors.append("message %d arrived twice" % seq)
    seen[seq] = json.loads(verdict)
missing = [i for i in range(messages) if i not in seen]
if missing:
    errors.append("%d messages missing, first %s" % (len(missing), missing[:5]))
for i, kind in enumerate(expect):
    v = seen.get(i)
    if v is None:
        continue
    if kind is None:
        if v.get("count") != 0:
            errors.append("message %d: no token expected, got %s" % (i, v))
        continue
    if v.get("count") != 1 or v.get("class") != want_class[kind]:
        errors.append("message %d (%s): got %s" % (i, kind, v))
    s = scan.get(i)
    if s is None or s["status"] != v.get("status") or s["fp"] != v.get("fp"):
        errors.append("message %d: rsyslog %s, jwtbatch scan %s" % (i, v, s))
for e in errors[:20]:
    print("rsyslog_integration: " + e, file=sys.stderr)
tokens = sum(1 for k in expect if k is not None)
print("rsyslog_integration: %d messages (%d with a token) through rsyslogd + mmexternal: "
      "%.2f s, %.0f messages/s; jwtbatch scan on the same lines: %.2f s, %.0f lines/s"
      % (messages, tokens, rs_s, messages / rs_s, scan_s, messages / scan_s))
sys.exit(1 if errors else 0)
EOF
