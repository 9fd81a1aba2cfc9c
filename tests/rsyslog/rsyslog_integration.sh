#!/usr/bin/env bash
# rsyslog_integration.sh JWTBATCH [COUNT]: `jwtbatch scan --rsyslog` under a real
# rsyslogd (Debian's rsyslog package, mmexternal), end to end, configured as the README
# says.
#
# A private rsyslogd (its own config, work directory and pid file, no system socket:
# one imtcp input on a free loopback port) passes every message through
#   action(type="mmexternal" interface.input="fulljson"
#          binary="jwtbatch scan --rsyslog --rsyslog-input fulljson --at-log-time ...")
# so each token is judged at the message's timegenerated (when rsyslog received it: no
# sender chooses it), writes "<msg> TAB <$!jwt>" per message to a file, and routes every
# message with a failed token (`if $!jwt!ok < $!jwt!count`) to a second file. The test
# sends COUNT access-log lines from `jwtbatch gen` (valid, expired, forged and malformed
# tokens, each line numbered "seq=N"), with token-less lines, garbage, a 60 KB line,
# lines of several tokens (1 of 2 and 9 of 10 ok: RainerScript must compare the counts
# as numbers) and lines whose expired token comes with an attacker-chosen time (in the
# text, or in the syslog header) mixed in. It checks that every message arrived exactly
# once, that its $!jwt verdict is the one the generator's answer key expects and the one
# `jwtbatch scan` gives for the same line at the time of sending, and that exactly the
# messages with a failed token were routed. It prints rsyslog's throughput next to
# `jwtbatch scan` on the same lines. rsyslogd is stopped by its pid; nothing outside a
# temporary directory is touched.
set -euo pipefail

jwtbatch="$(realpath "${1:?usage: rsyslog_integration.sh JWTBATCH [COUNT]}")"
count="${2:-3000}"
if [ "$count" -gt 5000 ]; then
  # gen's lines span up to 0.6 s each, and every valid token must still be live when
  # rsyslog receives it (an hour from up to 300 s before its line).
  echo "rsyslog_integration: COUNT is at most 5000" >&2
  exit 2
fi
python=/usr/bin/python3
# shellcheck source=../daemon_support.sh
source "$(dirname "${BASH_SOURCE[0]}")/../daemon_support.sh"
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

# Keys and a corpus whose answer key says what each line holds. The tokens are judged
# when rsyslog receives them, so they are issued up to now: gen's lines are at most
# 0.6 s apart, and a valid token lives an hour from up to 300 s before its line.
"$jwtbatch" keygen --alg RS256,EdDSA,HS256 --out "$dir/keys.json" 2>/dev/null
base_time=$(($(date +%s) - count * 6 / 10 - 60))
"$jwtbatch" gen --jwks "$dir/keys.json" --count "$count" --format access-log \
  --mix valid=70,expired=10,forged=10,malformed=10 --seed 7 \
  --base-time "$base_time" --out "$dir/corpus.log" --answers "$dir/answers.ndjson" \
  2>/dev/null
# Tokens for the lines of several tokens and the attacker-chosen times.
"$jwtbatch" gen --jwks "$dir/keys.json" --count 60 --format tokens \
  --mix valid=40,expired=20,forged=40 --seed 8 --base-time "$(($(date +%s) - 60))" \
  --out "$dir/extra.txt" --answers "$dir/extra.ndjson" 2>/dev/null

# The messages: corpus lines numbered seq=N, and every 10th message a line without a
# token, garbage bytes or (once) a 60 KB line whose token sits at its head; then the
# lines of several tokens and of attacker-chosen times. header.json gives the syslog
# header time of the messages that do not carry the time of sending.
"$python" - "$dir" <<'EOF'
import base64, datetime, json, sys
d = sys.argv[1]
corpus = open(d + "/corpus.log", encoding="utf-8").read().splitlines()
kinds = [json.loads(l)["kind"] for l in open(d + "/answers.ndjson")]
extra = open(d + "/extra.txt", encoding="ascii").read().splitlines()
extra_kinds = [json.loads(l)["kind"] for l in open(d + "/extra.ndjson")]
pick = {k: [t for t, kk in zip(extra, extra_kinds) if kk == k] for k in set(extra_kinds)}
msgs, expect, header = [], [], {}
def add(text, want, header_time=None):
    n = len(msgs)
    if header_time is not None:
        header[n] = header_time
    msgs.append("seq=%d %s" % (n, text))
    expect.append(want)
for i, line in enumerate(corpus):
    if i % 10 == 9:
        add(["GET /health HTTP/1.1 200 no token here",
             "garbage \x01\x02 \xc3\x28 Bearer abc123 x=y ~~~"][(i // 10) % 2],
            {"count": 0, "ok": 0})
    if i == 500:
        line = line + " " + "x" * 60000
    add(line, {"count": 1, "ok": 1 if kinds[i] == "valid" else 0, "kind": kinds[i]})
bearers = lambda ts: " ".join("Authorization: Bearer " + t for t in ts)
add("two tokens " + bearers([pick["valid"][0], pick["forged"][0]]), {"count": 2, "ok": 1})
add("ten tokens " + bearers(pick["valid"][:9] + pick["forged"][1:2]), {"count": 10, "ok": 9})
add("ten good tokens " + bearers(pick["valid"][10:20]), {"count": 10, "ok": 10})
# An expired token after a time the client chose in the text, a minute before the
# token's exp (where the old README's interface.input="msg" judged it): judged at
# timegenerated, it is expired.
expired = pick["expired"][0]
payload = expired.split(".")[1]
exp = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"]
chosen = datetime.datetime.fromtimestamp(exp - 60, datetime.timezone.utc)
add("user=%s GET /api Authorization: Bearer %s" % (chosen.strftime("%Y-%m-%dT%H:%M:%SZ"), expired),
    {"count": 1, "ok": 0, "status": "expired"})
# The same token with that time in the syslog header, which the sender writes
# (timereported): judged at timegenerated, it is expired.
add("GET /api Authorization: Bearer " + expired, {"count": 1, "ok": 0, "status": "expired"},
    exp - 60)
with open(d + "/messages.txt", "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write("\n".join(msgs) + "\n")
json.dump(expect, open(d + "/expect.json", "w"))
json.dump(header, open(d + "/header.json", "w"))
EOF
messages="$(wc -l <"$dir/messages.txt")"

port="$(free_port)"
mkdir -p "$dir/work"
cat >"$dir/rsyslog.conf" <<EOF
global(workDirectory="$dir/work" maxMessageSize="128k")
module(load="imtcp")
module(load="mmexternal")
template(name="verdict" type="string" string="%msg%\t%\$!jwt%\n")
ruleset(name="jwt") {
  action(type="mmexternal" interface.input="fulljson"
         binary="$jwtbatch scan --rsyslog --rsyslog-input fulljson --jwks $dir/keys.json --allow-mixed-keys --at-log-time --rsyslog-log $dir/plugin.log")
  if \$!jwt!ok < \$!jwt!count then {
    action(type="omfile" file="$dir/caught.log" template="verdict")
  }
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
wait_for_port "$port" || true  # a daemon that never listens is reported below

# Send every message as RFC 5424 over one TCP connection, then wait for the file. The
# header time is the time of sending, or the one header.json chose.
start="$(date +%s.%N)"
"$python" - "$dir/messages.txt" "$dir/header.json" "$port" <<'EOF'
import datetime, json, socket, sys
data = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
header = {int(k): v for k, v in json.load(open(sys.argv[2])).items()}
def stamp(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ").encode()
now = stamp(datetime.datetime.now(datetime.timezone.utc).timestamp())
s = socket.create_connection(("127.0.0.1", int(sys.argv[3])))
s.sendall(b"".join(b"<13>1 " + (stamp(header[i]) if i in header else now) +
                   b" testhost app - - - " + m + b"\n" for i, m in enumerate(data)))
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
if [ "$(wc -l <"$dir/out.log" 2>/dev/null || echo 0)" -lt "$messages" ]; then
  echo "rsyslog_integration: rsyslogd wrote $(wc -l <"$dir/out.log" 2>/dev/null || echo 0)" \
    "of $messages messages in 120 s (the plugin did not answer one?)" >&2
fi
sleep 1  # a message too many would show up now
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""

# jwtbatch scan on the same lines, judged now (about when rsyslog received them), for
# the verdicts and the throughput comparison.
scan_start="$(date +%s.%N)"
"$jwtbatch" scan --jwks "$dir/keys.json" --allow-mixed-keys --format ndjson <"$dir/messages.txt" \
  >"$dir/scan.ndjson" 2>/dev/null || true
scan_end="$(date +%s.%N)"

"$python" - "$dir" "$messages" "$start" "$end" "$scan_start" "$scan_end" <<'EOF'
import json, os, sys
d, messages = sys.argv[1], int(sys.argv[2])
rs_s = float(sys.argv[4]) - float(sys.argv[3])
scan_s = float(sys.argv[6]) - float(sys.argv[5])
expect = json.load(open(d + "/expect.json"))
scan = {}
for l in open(d + "/scan.ndjson"):
    r = json.loads(l)
    scan.setdefault(r["line"] - 1, []).append(r)
want_class = {"valid": "ok", "expired": "claims", "forged": "signature", "malformed": "format"}
def read(path):
    got, errors = {}, []
    if not os.path.exists(path):
        return got, errors
    for raw in open(path, "rb").read().decode("utf-8", "replace").splitlines():
        msg, _, verdict = raw.rpartition("\t")
        seq = int(msg.split("seq=", 1)[1].split(" ", 1)[0])
        if seq in got:
            errors.append("message %d arrived twice in %s" % (seq, os.path.basename(path)))
        try:
            got[seq] = json.loads(verdict)
        except ValueError:
            errors.append("message %d: $!jwt is not JSON (no reply from the plugin?): %r"
                          % (seq, verdict[:200]))
            got[seq] = {}
    return got, errors
seen, errors = read(d + "/out.log")
caught, caught_errors = read(d + "/caught.log")
errors += caught_errors
missing = [i for i in range(messages) if i not in seen]
if missing:
    errors.append("%d messages missing, first %s" % (len(missing), missing[:5]))
for i, want in enumerate(expect):
    v = seen.get(i)
    if v is None:
        continue
    if v.get("count") != want["count"] or v.get("ok") != want["ok"]:
        errors.append("message %d: want count %d ok %d, got %s"
                      % (i, want["count"], want["ok"], v))
    if "kind" in want and v.get("class") != want_class[want["kind"]]:
        errors.append("message %d (%s): got %s" % (i, want["kind"], v))
    if "status" in want and v.get("status") != want["status"]:
        errors.append("message %d: want %s (judged when received, not at a time the"
                      " sender chose), got %s" % (i, want["status"], v))
    verdicts = v.get("tokens", [v] if v.get("count") else [])
    s = scan.get(i, [])
    if [(r["status"], r["fp"]) for r in s] != [(t.get("status"), t.get("fp")) for t in verdicts]:
        errors.append("message %d: rsyslog %s, jwtbatch scan %s" % (i, v, s))
    if (i in caught) != (want["ok"] < want["count"]):
        errors.append("message %d (count %d, ok %d): %s by `if $!jwt!ok < $!jwt!count`"
                      % (i, want["count"], want["ok"], "caught" if i in caught else "not caught"))
for e in errors[:20]:
    print("rsyslog_integration: " + e, file=sys.stderr)
tokens = sum(w["count"] for w in expect)
print("rsyslog_integration: %d messages (%d tokens, %d caught) through rsyslogd + mmexternal: "
      "%.2f s, %.0f messages/s; jwtbatch scan on the same lines: %.2f s, %.0f lines/s"
      % (messages, tokens, len(caught), rs_s, messages / rs_s, scan_s, messages / scan_s))
sys.exit(1 if errors else 0)
EOF
