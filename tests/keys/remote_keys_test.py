#!/usr/bin/python3
"""End-to-end tests of remote JWK Sets (`--jwks-url`, `--oidc-issuer`), SIGHUP reloads
and key history, against a loopback HTTPS server.

  /usr/bin/python3 tests/keys/remote_keys_test.py --jwtbatch PATH
      [--only GROUP[,GROUP...]] [--report FILE] [--keep] [--tmp DIR]

Debian's interpreter, standard library only; the `openssl` command (Debian's package
`openssl`) makes the certificates. Each group makes, in a scratch directory of its own,
a test CA, a server certificate for IP:127.0.0.1 signed by it, an unrelated second CA,
and its own server (tests/keys/https_server.py: ThreadingHTTPServer behind TLS on
127.0.0.1, port 0). Nothing is sent to any address but 127.0.0.1. Keys and tokens
come from `jwtbatch keygen` and `jwtbatch sign`. Groups (one ctest each, label keys):

  server     the server alone, checked with Python's own TLS client (so a failure
             elsewhere is jwtbatch's, not the fixture's)
  fetch      1: `verify --jwks-url URL --jwks-ca ca.pem` on k1 tokens: all "ok", one
             request, the summary's "keys" object; also `scan`, two URLs, a URL with
             --jwks FILE. 6: `--oidc-issuer` discovery, the issuer compared exactly
  errors     4: an untrusted certificate (no --jwks-ca; the unrelated CA); 5: a 2 MiB
             body (with and without Content-Length), a slow server against
             --jwks-timeout 1, a redirect to http://, HTTP 404, URLs that are not
             https; an https redirect on the same server is followed
  rotation   2: `scan` on a pipe kept open: a new kid is picked up by one refetch (the
             time from writing its line to reading its record is reported); 20
             unknown kids in a second make at most one request (--jwks-cooldown 2),
             and one more after the cooldown at most one more
  refresh    3: `scan` with --jwks-refresh 1: the server answering 503; in a second run
             (with --jwks-cooldown 1 too) down, its listening socket closed: tokens
             stay ok on the last good keys, a warning names the URL; back up with a
             new key: "keys updated". A Cache-Control max-age shorter than
             --jwks-refresh is honoured, never below --jwks-cooldown
  reload     7: SIGHUP to `scan` on a pipe with --jwks FILE: a new key file is taken,
             a garbage one is refused (the previous keys stay, the run goes on); with
             --jwks-url and --jwks FILE: SIGHUP fetches again, and a failed fetch
             leaves the file's new key unused too (all or nothing); `scan --rsyslog`
             the same, its messages in --rsyslog-log
  history    8: `jwtbatch keys snapshot --jwks-url` at three dates while the server
             rotates k1 to k2, then `verify --key-history` and `scan --at-log-time
             --key-history` judge k1 and k2 tokens by each key's window
             ("key_outside_window"). Runs alone with `--only history`; with
             --history-from-files the snapshots read files instead (--jwks FILE
             --source URL), for a binary whose snapshot does not fetch yet

Exit 0 when every group run passed, 1 otherwise. Every check of a group runs even after
one failed, so a group's failure lists all its mismatches. --report writes the
measured figures (request counts, the rotation pickup time, messages) as JSON.
"""

import argparse
import calendar
import json
import os
import queue
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import http.client

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
import https_server  # noqa: E402 (beside this file)

JWKS = "/jwks.json"
DISCOVERY = "/.well-known/openid-configuration"
RUN_TIMEOUT = 30  # seconds, longest one-shot jwtbatch run


class TestFailure(Exception):
    pass


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- child processes ------------------------------------------------------------------

from children import kill_children, spawn  # noqa: E402 (tests/children.py)


class Result:
    """A finished one-shot run: rc, stdout records (parsed), stderr text, seconds."""

    def __init__(self, cmd, rc, out, err, seconds):
        self.cmd = cmd
        self.rc = rc
        self.out = out
        self.err = err
        self.seconds = seconds
        self.records = []
        for line in out.splitlines():
            try:
                self.records.append(json.loads(line))
            except ValueError:
                self.records.append({"unparsed": line})

    def statuses(self):
        return [r.get("status") for r in self.records]

    def describe(self):
        return (f"$ {' '.join(self.cmd)}\n  exit {self.rc} after {self.seconds:.2f} s\n"
                f"  stdout: {self.out[:600]!r}\n  stderr: {self.err[:1500]!r}")


def run(cmd, stdin_bytes=None, timeout=RUN_TIMEOUT):
    t0 = time.monotonic()
    p = spawn(cmd, stdin=subprocess.PIPE if stdin_bytes is not None else subprocess.DEVNULL,
              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(stdin_bytes, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise TestFailure(f"{' '.join(cmd)}: still running after {timeout} s (killed)\n"
                          f"stderr: {err.decode(errors='replace')[:1500]}")
    return Result(cmd, p.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
                  time.monotonic() - t0)


class LongRun:
    """A long-running jwtbatch (scan reading its standard input from a pipe the test
    keeps open): send() a line, record() its record; stderr gathered by a thread."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.proc = spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._records = queue.Queue()
        self._err = []
        self._err_lock = threading.Lock()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.proc.stdout:
            try:
                self._records.put(json.loads(line))
            except ValueError:
                self._records.put({"unparsed": line.decode(errors="replace")})
        self._records.put(None)

    def _read_err(self):
        for line in self.proc.stderr:
            with self._err_lock:
                self._err.append(line.decode(errors="replace"))

    def stderr_text(self, after=0):
        with self._err_lock:
            return "".join(self._err)[after:]

    def mark(self):
        return len(self.stderr_text())

    def send(self, line):
        if self.proc.poll() is not None:
            raise TestFailure(f"jwtbatch exited {self.proc.returncode} before a line was sent\n"
                              f"stderr: {self.stderr_text()[-1500:]}")
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def record(self, timeout=15):
        try:
            r = self._records.get(timeout=timeout)
        except queue.Empty:
            raise TestFailure(f"no record within {timeout} s (jwtbatch "
                              f"{'running' if self.proc.poll() is None else 'exited ' + str(self.proc.returncode)})\n"
                              f"stderr: {self.stderr_text()[-1500:]}")
        if r is None:
            raise TestFailure(f"jwtbatch closed its output (exit {self.proc.wait()})\n"
                              f"stderr: {self.stderr_text()[-1500:]}")
        return r

    def ask(self, line, timeout=15):
        """Sends LINE (one token) and returns (its record, seconds to it)."""
        t0 = time.monotonic()
        self.send(line)
        r = self.record(timeout)
        return r, time.monotonic() - t0

    def wait_stderr(self, pattern, after=0, timeout=10):
        """The first line of stderr past offset AFTER matching PATTERN (a regex)."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            for line in self.stderr_text(after).splitlines():
                if rx.search(line):
                    return line
            if time.monotonic() > deadline:
                return None
            if self.proc.poll() is not None:
                # Exited: what it wrote is all there will be, once the reader has it.
                time.sleep(0.2)
                deadline = min(deadline, time.monotonic())
            time.sleep(0.05)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def finish(self, timeout=20):
        """Closes standard input; returns the exit code."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise TestFailure(f"jwtbatch still running {timeout} s after its input closed\n"
                              f"stderr: {self.stderr_text()[-1500:]}")


# ---- the scratch directory, keys and tokens -------------------------------------------

class Context:
    def __init__(self, args, name):
        self.args = args
        self.name = name
        self.jb = args.jwtbatch
        self.tmp = tempfile.mkdtemp(prefix=f"remote-keys-{name}-", dir=args.tmp)
        self.failures = []
        self.figures = {}
        self.pki = https_server.make_pki(os.path.join(self.tmp, "pki"))
        self.server = https_server.JwksServer(self.pki)
        self._pub = {}  # kid -> public JWK (dict)
        self._priv = {}  # kid -> private JWK Set file

    def file(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        path = self.file(name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def check(self, ok, what):
        """A soft check: a failure is noted and the group goes on."""
        if not ok:
            self.failures.append(what)
            log(f"{self.name}: MISMATCH: {what}")
        return ok

    # keys: one ES256 key per kid, each in its own private set
    def key(self, kid):
        if kid not in self._pub:
            priv, pub = self.file(f"priv-{kid}.json"), self.file(f"pub-{kid}.json")
            r = run([self.jb, "keygen", "--alg", "ES256", "--kid", kid, "--out", priv,
                     "--public-out", pub, "--force"])
            if r.rc != 0:
                raise TestFailure(f"keygen failed\n{r.describe()}")
            with open(pub) as f:
                self._pub[kid] = json.load(f)["keys"][0]
            self._priv[kid] = priv
        return self._pub[kid]

    def jwks(self, *kids):
        """The public JWK Set text of KIDS."""
        return json.dumps({"keys": [self.key(k) for k in kids]})

    def token(self, kid, sub="x", iat=None, exp_in="1h"):
        self.key(kid)
        cmd = [self.jb, "sign", "--jwks", self._priv[kid], "--kid", kid,
               "--claims", json.dumps({"sub": sub}), "--exp-in", exp_in]
        if iat is not None:
            cmd += ["--iat", iat]
        r = run(cmd)
        if r.rc != 0 or r.out.count(".") != 2:
            raise TestFailure(f"sign failed\n{r.describe()}")
        return r.out.strip()

    def tokens_file(self, name, tokens):
        return self.write(name, "".join(t + "\n" for t in tokens))

    def close(self, passed):
        self.server.close()
        if passed and not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def remote_flags(ctx, url=None, ca="ca"):
    flags = ["--jwks-url", url or ctx.server.url(JWKS)]
    if ca:
        flags += ["--jwks-ca", ctx.pki[ca]]
    return flags


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"_error": str(e)}


def keys_summary(ctx, path, what):
    """The summary's "keys" object, checked for its shape; {} when missing."""
    s = read_json(path)
    k = s.get("keys")
    ok = (isinstance(k, dict)
          and all(isinstance(k.get(n), int) and not isinstance(k.get(n), bool)
                  for n in ("fetches", "fetch_failures", "updates")))
    ctx.check(ok, f"{what}: summary JSON {path}: no \"keys\" object of integers fetches, "
                  f"fetch_failures, updates: {json.dumps(s)[:400]}")
    return k if ok else {}


def check_statuses(ctx, what, result_or_records, expected):
    records = (result_or_records.records if isinstance(result_or_records, Result)
               else result_or_records)
    got = [r.get("status") for r in records]
    ctx.check(got == expected, f"{what}: statuses {got}, expected {expected}"
              + (f"\n{result_or_records.describe()}" if isinstance(result_or_records, Result) else ""))


def check_first_fetch_failed(ctx, what, r, flag, url, causes):
    """Exit 2, no record, and a stderr line `jwtbatch: FLAG URL: ...` naming every
    cause (case-insensitive)."""
    prefix = f"jwtbatch: {flag} {url}: "
    line = next((ln for ln in r.err.splitlines() if prefix in ln), None)
    ok = (r.rc == 2 and not r.records and line is not None
          and all(c.lower() in line.split(prefix, 1)[1].lower() for c in causes))
    ctx.check(ok, f"{what}: expected exit 2 and a stderr line with {prefix!r} then "
                  f"{' and '.join(map(repr, causes))}\n{r.describe()}")
    return line


def require_flag(ctx, command, flag):
    r = run([ctx.jb] + command + ["--help"])
    if flag not in r.out + r.err:
        raise TestFailure(f"`jwtbatch {' '.join(command)} --help` does not list {flag}: "
                          f"the binary {ctx.jb} lacks the feature under test")


# ---- server: the fixture alone ----------------------------------------------------------

def group_server(ctx):
    """Python's TLS client against the fixture: trust, each route control, down/up."""
    s = ctx.server
    good = ssl.create_default_context(cafile=ctx.pki["ca"])
    other = ssl.create_default_context(cafile=ctx.pki["other_ca"])

    def get(path, context=good, timeout=5):
        c = http.client.HTTPSConnection("127.0.0.1", s.port, context=context, timeout=timeout)
        try:
            c.request("GET", path)
            resp = c.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            c.close()

    s.route(JWKS, ctx.jwks("k1"), headers={"Cache-Control": "max-age=7"})
    st, hd, body = get(JWKS)
    ctx.check(st == 200 and json.loads(body)["keys"][0]["kid"] == "k1"
              and hd.get("Cache-Control") == "max-age=7", f"GET {JWKS}: {st} {hd} {body[:100]!r}")
    try:
        get(JWKS, other)
        ctx.check(False, "the unrelated CA was accepted")
    except ssl.SSLCertVerificationError:
        pass
    # The server's side of the refused handshake ends a moment after the client's.
    deadline = time.monotonic() + 3
    while not s.handshake_failures() and time.monotonic() < deadline:
        time.sleep(0.05)
    ctx.check(len(s.handshake_failures()) >= 1, "the refused handshake was not counted")
    s.route("/big", size=2 << 20)
    st, hd, body = get("/big")
    ctx.check(st == 200 and len(body) == 2 << 20 and hd.get("Content-Length") == str(2 << 20),
              f"/big: {st}, {len(body)} bytes")
    s.route("/big-nolength", size=2 << 20, length=False)
    st, hd, body = get("/big-nolength")
    ctx.check(st == 200 and len(body) == 2 << 20 and "Content-Length" not in hd,
              f"/big-nolength: {st}, {len(body)} bytes, {hd}")
    s.route("/slow", ctx.jwks("k1"), delay=2)
    t0 = time.monotonic()
    try:
        get("/slow", timeout=1)
        ctx.check(False, "/slow answered within 1 s")
    except (TimeoutError, OSError):
        pass
    ctx.check(time.monotonic() - t0 < 1.8, "the client's 1 s timeout took longer")
    s.route("/moved", location="http://127.0.0.1:1/jwks.json")
    st, hd, _ = get("/moved")
    ctx.check(st == 302 and hd.get("Location") == "http://127.0.0.1:1/jwks.json", f"/moved: {st} {hd}")
    s.route("/gone", "not here", status=404)
    ctx.check(get("/gone")[0] == 404, "/gone is not 404")
    ctx.check(get("/unset")[0] == 404, "an unset path is not 404")
    port = s.port
    s.down()
    try:
        get(JWKS)
        ctx.check(False, "the server answered while down")
    except ConnectionRefusedError:
        pass
    s.up()
    ctx.check(s.port == port and get(JWKS)[0] == 200, "up() did not serve on the same port again")
    ctx.check(s.count(JWKS) == 2 and s.count("/slow") == 1 and s.count("/gone") == 1,
              f"request counts {s.counts()}")
    ctx.figures["requests"] = s.counts()


# ---- 1 and 6: first fetch, discovery --------------------------------------------------

def group_fetch(ctx):
    require_flag(ctx, ["verify"], "--jwks-url")
    s = ctx.server
    s.route(JWKS, ctx.jwks("k1"))
    k1 = [ctx.token("k1", sub=f"u{i}") for i in range(5)]
    tokens = ctx.tokens_file("k1.txt", k1)

    # 1: verify, all ok, exactly one request, the summary's keys object.
    summary = ctx.file("summary-1.json")
    r = run([ctx.jb, "verify", "--summary-json", summary] + remote_flags(ctx) + [tokens])
    check_statuses(ctx, "1 verify --jwks-url", r, ["ok"] * 5)
    ctx.check(r.rc == 0, f"1 verify: exit {r.rc}, expected 0\n{r.describe()}")
    ctx.check([x.get("line") for x in r.records] == [1, 2, 3, 4, 5],
              f"1 verify: lines {[x.get('line') for x in r.records]}")
    ctx.check(s.count(JWKS) == 1, f"1 verify: {s.count(JWKS)} requests to {JWKS}, expected 1")
    k = keys_summary(ctx, summary, "1 verify")
    if k:
        ctx.check((k["fetches"], k["fetch_failures"], k["updates"]) == (1, 0, 0),
                  f"1 verify: summary keys {k}, expected fetches 1, fetch_failures 0, updates 0")
    ctx.figures["verify_summary_keys"] = k

    # The same on standard input, and with an unknown kid among them: key_not_found.
    k9 = ctx.token("k9")
    r = run([ctx.jb, "verify"] + remote_flags(ctx), stdin_bytes=(k1[0] + "\n" + k9 + "\n").encode())
    check_statuses(ctx, "1 verify stdin, k1 then k9", r, ["ok", "key_not_found"])
    ctx.check(r.rc == 1, f"1 verify with a key_not_found: exit {r.rc}, expected 1")

    # scan takes the flags too.
    logf = ctx.write("access.log", "".join(
        f'127.0.0.1 - - [02/Dec/2026:10:00:0{i} +0000] "GET /api?access_token={t} HTTP/1.1" 200 5\n'
        for i, t in enumerate(k1[:3])))
    before = s.count(JWKS)
    r = run([ctx.jb, "scan"] + remote_flags(ctx) + [logf])
    check_statuses(ctx, "1 scan --jwks-url", r, ["ok"] * 3)
    ctx.check(s.count(JWKS) - before == 1, f"1 scan: {s.count(JWKS) - before} requests, expected 1")

    # Two URLs (repeatable), and a URL beside --jwks FILE: the keys add up.
    s.route("/second.json", ctx.jwks("k2"))
    k2 = ctx.token("k2")
    both = ctx.tokens_file("k1k2.txt", [k1[0], k2, k1[1]])
    before1, before2 = s.count(JWKS), s.count("/second.json")
    r = run([ctx.jb, "verify"] + remote_flags(ctx) + ["--jwks-url", s.url("/second.json"), both])
    check_statuses(ctx, "1 two --jwks-url", r, ["ok", "ok", "ok"])
    ctx.check((s.count(JWKS) - before1, s.count("/second.json") - before2) == (1, 1),
              f"1 two URLs: requests {s.count(JWKS) - before1} and {s.count('/second.json') - before2}, "
              "expected 1 and 1")
    local = ctx.write("local-k2.json", ctx.jwks("k2"))
    r = run([ctx.jb, "verify", "--jwks", local] + remote_flags(ctx) + [both])
    check_statuses(ctx, "1 --jwks FILE with --jwks-url", r, ["ok", "ok", "ok"])

    # 6: discovery. The issuer is the server's origin, compared exactly.
    issuer = s.base
    s.route("/oidc/keys", ctx.jwks("k1"))
    s.route(DISCOVERY, json.dumps({"issuer": issuer, "jwks_uri": s.url("/oidc/keys")}))
    summary = ctx.file("summary-6.json")
    r = run([ctx.jb, "verify", "--oidc-issuer", issuer, "--jwks-ca", ctx.pki["ca"],
             "--summary-json", summary, tokens])
    check_statuses(ctx, "6 --oidc-issuer", r, ["ok"] * 5)
    ctx.check((s.count(DISCOVERY), s.count("/oidc/keys")) == (1, 1),
              f"6 --oidc-issuer: requests: discovery {s.count(DISCOVERY)}, jwks_uri "
              f"{s.count('/oidc/keys')}; expected 1 and 1")
    ctx.figures["discovery_summary_keys"] = keys_summary(ctx, summary, "6 --oidc-issuer")
    r = run([ctx.jb, "scan", "--oidc-issuer", issuer, "--jwks-ca", ctx.pki["ca"], logf])
    check_statuses(ctx, "6 scan --oidc-issuer", r, ["ok"] * 3)

    for said in ("https://issuer.invalid", issuer + "/"):
        s.route(DISCOVERY, json.dumps({"issuer": said, "jwks_uri": s.url("/oidc/keys")}))
        before = s.count("/oidc/keys")
        r = run([ctx.jb, "verify", "--oidc-issuer", issuer, "--jwks-ca", ctx.pki["ca"], tokens])
        line = check_first_fetch_failed(ctx, f"6 discovery says issuer {said!r}", r,
                                        "--oidc-issuer", issuer, ["issuer"])
        ctx.figures.setdefault("wrong_issuer_messages", []).append(line)
        ctx.check(s.count("/oidc/keys") == before,
                  f"6 wrong issuer {said!r}: the jwks_uri was fetched anyway")
    ctx.figures["requests"] = s.counts()


# ---- 4 and 5: failed first fetches ----------------------------------------------------

def group_errors(ctx):
    require_flag(ctx, ["verify"], "--jwks-url")
    s = ctx.server
    s.route(JWKS, ctx.jwks("k1"))
    tokens = ctx.tokens_file("k1.txt", [ctx.token("k1")])
    msgs = ctx.figures.setdefault("messages", {})

    def first_fetch(what, url, causes, ca="ca", extra=(), max_seconds=None):
        r = run([ctx.jb, "verify"] + remote_flags(ctx, url, ca) + list(extra) + [tokens])
        msgs[what] = check_first_fetch_failed(ctx, what, r, "--jwks-url", url, causes)
        if max_seconds is not None:
            ctx.check(r.seconds < max_seconds,
                      f"{what}: the run took {r.seconds:.2f} s, expected < {max_seconds} s")
            ctx.figures[f"{what}: seconds"] = round(r.seconds, 3)
        return r

    # 4: untrusted certificate: the system's store, then the unrelated CA.
    url = s.url(JWKS)
    first_fetch("4 no --jwks-ca", url, ["certificate"], ca=None)
    first_fetch("4 --jwks-ca other CA", url, ["certificate"], ca="other_ca")
    ctx.check(s.count(JWKS) == 0, f"4: {s.count(JWKS)} requests reached {JWKS} over an untrusted TLS session")
    ctx.figures["4 handshake failures"] = len(s.handshake_failures())

    # 5: oversized, with Content-Length and without (read until the connection closes).
    s.route("/big.json", size=2 << 20)
    first_fetch("5 2 MiB body", s.url("/big.json"), ["larger than 1 MiB"])
    s.route("/big-stream.json", size=2 << 20, length=False)
    first_fetch("5 2 MiB body, no Content-Length", s.url("/big-stream.json"), ["larger than 1 MiB"])

    # Slow: answers after 3 s; --jwks-timeout 1 ends the process well before.
    s.route("/slow.json", ctx.jwks("k1"), delay=3)
    first_fetch("5 slow server, --jwks-timeout 1", s.url("/slow.json"), ["timed out"],
                extra=["--jwks-timeout", "1"], max_seconds=3)

    # A redirect to http:// is refused (the target is never asked: it would be the
    # plain-HTTP request the refusal is about).
    s.route("/to-http.json", location=f"http://127.0.0.1:{s.port}/plain.json")
    first_fetch("5 302 to http://", s.url("/to-http.json"), ["redirect", "https"])
    ctx.check(s.count("/plain.json") == 0, "5: the http:// redirect target was requested")

    s.route("/missing.json", '{"error":"not found"}', status=404)
    first_fetch("5 HTTP 404", s.url("/missing.json"), ["HTTP 404"])

    # An https redirect on the same server is followed.
    s.route("/moved.json", location=s.url("/moved-here.json"))
    s.route("/moved-here.json", ctx.jwks("k1"))
    r = run([ctx.jb, "verify"] + remote_flags(ctx, s.url("/moved.json")) + [tokens])
    check_statuses(ctx, "5 302 to https on the same server", r, ["ok"])
    ctx.check((s.count("/moved.json"), s.count("/moved-here.json")) == (1, 1),
              f"5 https redirect: requests {s.count('/moved.json')} and {s.count('/moved-here.json')}, "
              "expected 1 and 1")

    # Not https: a usage error naming the flag, before any connection.
    before = s.counts()
    for bad in (f"http://127.0.0.1:{s.port}{JWKS}", "jwks.json", f"HTTPS-ish://127.0.0.1:{s.port}/"):
        r = run([ctx.jb, "verify", "--jwks-url", bad, "--jwks-ca", ctx.pki["ca"], tokens])
        ok = r.rc == 2 and not r.records and "--jwks-url" in r.err and "https" in r.err
        ctx.check(ok, f"5 --jwks-url {bad!r}: expected exit 2 naming --jwks-url and https\n{r.describe()}")
        msgs[f"5 --jwks-url {bad}"] = r.err.strip()[:300]
    ctx.check(s.counts() == before, f"5: a non-https URL made requests: {before} -> {s.counts()}")
    ctx.figures["requests"] = s.counts()


# ---- 2: rotation on an unknown kid, and the cooldown ------------------------------------

def group_rotation(ctx):
    require_flag(ctx, ["scan"], "--jwks-url")
    s = ctx.server
    url = s.url(JWKS)
    s.route(JWKS, ctx.jwks("k1"))
    t1, t2 = ctx.token("k1"), ctx.token("k2")
    k9 = [ctx.token("k9", sub=f"u{i}") for i in range(21)]
    summary = ctx.file("summary.json")
    w = LongRun([ctx.jb, "scan", "--jwks-cooldown", "2", "--jwks-refresh", "3600",
                 "--summary-json", summary] + remote_flags(ctx))
    rec, _ = w.ask(f"GET /a HTTP/1.1 Authorization: Bearer {t1}")
    check_statuses(ctx, "2 k1 before rotation", [rec], ["ok"])
    ctx.check(s.count(JWKS) == 1, f"2: {s.count(JWKS)} requests after the first token, expected 1")

    # The server rotates to {k1, k2}. The k2 token is sent more than a cooldown after the
    # first fetch, so only the unknown kid can cause the refetch.
    s.route(JWKS, ctx.jwks("k1", "k2"))
    first = s.requests(JWKS)[0]
    time.sleep(max(0.0, first + 2.3 - time.monotonic()))
    mark = w.mark()
    before = s.count(JWKS)
    rec, pickup = w.ask(f"GET /b HTTP/1.1 Authorization: Bearer {t2}")
    ctx.figures["rotation_pickup_seconds"] = round(pickup, 4)
    check_statuses(ctx, "2 k2 after rotation (refetch on the unknown kid)", [rec], ["ok"])
    ctx.check(s.count(JWKS) - before == 1,
              f"2 k2: {s.count(JWKS) - before} requests for the unknown kid, expected 1")
    line = w.wait_stderr(r"jwtbatch: keys updated from --jwks-url " + re.escape(url), after=mark, timeout=2)
    ctx.check(line is not None, f"2: no stderr line 'jwtbatch: keys updated from --jwks-url {url}' "
                                f"after the rotation; stderr: {w.stderr_text(mark)[-800:]!r}")
    ctx.figures["keys_updated_line"] = line

    # 20 tokens of an unknown kid within a second: key_not_found, at most one request.
    t0 = time.monotonic()
    before = s.count(JWKS)
    for i in range(20):
        w.send(f"GET /c{i} HTTP/1.1 Authorization: Bearer {k9[i]}")
        time.sleep(0.025)
    sent = time.monotonic() - t0
    recs = [w.record() for _ in range(20)]
    burst = s.count(JWKS, since=t0)
    ctx.figures.update(burst_seconds_to_send=round(sent, 3),
                       burst_seconds_to_all_records=round(time.monotonic() - t0, 3),
                       burst_requests=burst)
    check_statuses(ctx, "2 20 k9 tokens", recs, ["key_not_found"] * 20)
    ctx.check(sent < 1.0, f"2: the 20 k9 lines took {sent:.2f} s to send, not within 1 s (test bug)")
    ctx.check(burst <= 1, f"2: {burst} requests during the 20 unknown-kid tokens, expected at most 1")

    # After the cooldown, one more: at most one more request.
    time.sleep(2.3)
    t0 = time.monotonic()
    rec, _ = w.ask(f"GET /d HTTP/1.1 Authorization: Bearer {k9[20]}")
    time.sleep(0.3)
    after = s.count(JWKS, since=t0)
    ctx.figures["after_cooldown_requests"] = after
    check_statuses(ctx, "2 k9 after the cooldown", [rec], ["key_not_found"])
    ctx.check(after <= 1, f"2: {after} requests for one unknown kid after the cooldown, expected at most 1")
    rec, _ = w.ask(f"GET /e HTTP/1.1 Authorization: Bearer {t1}")
    check_statuses(ctx, "2 k1 at the end", [rec], ["ok"])

    rc = w.finish()
    ctx.check(rc == 1, f"2: scan exit {rc}, expected 1 (key_not_found records)")
    k = keys_summary(ctx, summary, "2 scan")
    if k:
        ctx.check(k["fetches"] == s.count(JWKS) and k["fetch_failures"] == 0 and k["updates"] >= 1,
                  f"2: summary keys {k}; the server saw {s.count(JWKS)} requests, expected fetches "
                  f"equal to that, fetch_failures 0, updates >= 1")
    ctx.figures.update(summary_keys=k, requests=s.count(JWKS),
                       request_offsets=[round(t - s.requests(JWKS)[0], 3) for t in s.requests(JWKS)])


# ---- 3: refresh failures keep the last good keys; max-age ------------------------------

def group_refresh(ctx):
    require_flag(ctx, ["scan"], "--jwks-refresh")
    s = ctx.server
    url = s.url(JWKS)
    t1 = [ctx.token("k1", sub=f"u{i}") for i in range(12)]
    t2 = ctx.token("k2")
    warn = re.compile(r"warning:.*" + re.escape(url) + r".*keeping|warning:.*keeping.*" + re.escape(url))

    def failing_phase(w, what):
        """The server fails (503 or down): 2.5 s later the last good keys still verify
        and stderr has the warning."""
        mark = w.mark()
        time.sleep(2.5)
        for _ in range(3):
            rec, _ = w.ask(f"Bearer {t1.pop()}")
            check_statuses(ctx, f"3 k1 while the server is {what}", [rec], ["ok"])
        line = w.wait_stderr(warn.pattern, after=mark, timeout=1)
        ctx.check(line is not None, f"3: no warning line naming {url} and 'keeping' while the "
                                    f"server is {what}; stderr since: {w.stderr_text(mark)[-800:]!r}")
        ctx.check(w.proc.poll() is None, f"3: jwtbatch exited ({w.proc.returncode}) while the server is {what}")
        ctx.figures[f"warning while {what}"] = line

    # The spec's run: --jwks-refresh 1 alone; healthy, then 503.
    s.route(JWKS, ctx.jwks("k1"))
    summary = ctx.file("summary-503.json")
    w = LongRun([ctx.jb, "scan", "--jwks-refresh", "1", "--summary-json", summary] + remote_flags(ctx))
    rec, _ = w.ask(f"Bearer {t1.pop()}")
    check_statuses(ctx, "3 k1 at the start", [rec], ["ok"])
    time.sleep(2.5)
    healthy = s.count(JWKS)
    ctx.figures["requests_after_2.5s_healthy"] = healthy
    ctx.check(healthy >= 2, f"3: {healthy} requests in the first 2.5 s with --jwks-refresh 1, expected >= 2")
    s.route(JWKS, "busy", status=503)
    failing_phase(w, "answering 503")
    rc = w.finish()
    ctx.check(rc == 0, f"3 (503): scan exit {rc}, expected 0")
    k = keys_summary(ctx, summary, "3 scan (503)")
    if k:
        ctx.check(k["fetch_failures"] >= 1 and k["updates"] == 0 and k["fetches"] >= k["fetch_failures"] + 2,
                  f"3 (503): summary keys {k}: expected fetch_failures >= 1, updates 0, fetches >= 2 more")
    ctx.figures["summary_keys_503"] = k

    # Down (connection refused), then back with a new key. --jwks-cooldown 1 as well: how
    # soon a refresh that failed is tried again is not what this checks (the binary
    # waits the cooldown then, 30 s by default, longer than --jwks-refresh 1).
    s.route(JWKS, ctx.jwks("k1"))
    summary = ctx.file("summary-down.json")
    w = LongRun([ctx.jb, "scan", "--jwks-refresh", "1", "--jwks-cooldown", "1",
                 "--summary-json", summary] + remote_flags(ctx))
    rec, _ = w.ask(f"Bearer {t1.pop()}")
    check_statuses(ctx, "3 k1 at the start (down run)", [rec], ["ok"])
    s.down()
    failing_phase(w, "down (connection refused)")
    s.route(JWKS, ctx.jwks("k1", "k2"))
    mark = w.mark()
    back = time.monotonic()
    s.up()
    line = w.wait_stderr(r"jwtbatch: keys updated from --jwks-url " + re.escape(url), after=mark, timeout=4)
    ctx.check(line is not None, f"3: no 'jwtbatch: keys updated from --jwks-url {url}' within 4 s of the server's "
                                f"return with k2; stderr since: {w.stderr_text(mark)[-800:]!r}")
    refetched = s.count(JWKS, since=back)
    ctx.check(refetched >= 1, "3: no request within 4 s of the server's return (--jwks-refresh 1 --jwks-cooldown 1)")
    rec, _ = w.ask(f"Bearer {t2}")
    check_statuses(ctx, "3 k2 after the server came back", [rec], ["ok"])
    rc = w.finish()
    ctx.check(rc == 0, f"3 (down): scan exit {rc}, expected 0")
    k = keys_summary(ctx, summary, "3 scan (down)")
    if k:
        ctx.check(k["fetch_failures"] >= 1 and k["updates"] >= 1,
                  f"3 (down): summary keys {k}: expected fetch_failures >= 1, updates >= 1")
    ctx.figures["summary_keys_down"] = k

    # Cache-Control max-age=1, shorter than --jwks-refresh 3600: honoured, but not
    # below --jwks-cooldown 2.
    s.route("/maxage.json", ctx.jwks("k1"), headers={"Cache-Control": "max-age=1"})
    w = LongRun([ctx.jb, "scan", "--jwks-refresh", "3600", "--jwks-cooldown", "2"]
                + remote_flags(ctx, s.url("/maxage.json")))
    rec, _ = w.ask(f"Bearer {t1[0]}")
    check_statuses(ctx, "3 max-age: k1", [rec], ["ok"])
    time.sleep(5.5)
    times = s.requests("/maxage.json")
    gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
    ctx.figures["max_age_request_gaps"] = gaps
    ctx.check(len(times) >= 3, f"3: max-age=1 with --jwks-refresh 3600 --jwks-cooldown 2: {len(times)} "
                               f"requests in 5.5 s, expected >= 3 (every ~2 s)")
    ctx.check(all(g >= 1.8 for g in gaps), f"3: max-age=1, cooldown 2: refreshes {gaps} s apart, "
                                           "expected none below the cooldown")
    w.finish()


# ---- 7: SIGHUP reloads ------------------------------------------------------------------

def group_reload(ctx):
    s = ctx.server
    keyfile = ctx.file("keys.json")

    def write_keys(text):
        tmp = keyfile + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, keyfile)

    t1, t2, t3, t4 = (ctx.token(k) for k in ("k1", "k2", "k3", "k4"))

    # File only.
    write_keys(ctx.jwks("k1"))
    w = LongRun([ctx.jb, "scan", "--jwks", keyfile])
    for tok, want in ((t1, "ok"), (t2, "key_not_found")):
        check_statuses(ctx, "7 file {k1}", [w.ask(f"Bearer {tok}")[0]], [want])
    write_keys(ctx.jwks("k2"))
    mark = w.mark()
    w.signal(signal.SIGHUP)
    line = w.wait_stderr(r"jwtbatch: SIGHUP: keys reloaded", after=mark)
    ctx.check(line is not None, f"7: no 'jwtbatch: SIGHUP: keys reloaded'; exit {w.proc.poll()}, "
                                f"stderr since: {w.stderr_text(mark)[-800:]!r}")
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan exited {w.proc.returncode} on SIGHUP (expected a reload)")
    for tok, want in ((t2, "ok"), (t1, "key_not_found")):
        check_statuses(ctx, "7 after SIGHUP, file {k2}", [w.ask(f"Bearer {tok}")[0]], [want])
    write_keys("this is { not a JWK Set\n")
    mark = w.mark()
    w.signal(signal.SIGHUP)
    line = w.wait_stderr(r"jwtbatch: SIGHUP: keys not reloaded, the previous ones stay: ", after=mark)
    ctx.check(line is not None, "7: no 'jwtbatch: SIGHUP: keys not reloaded, the previous ones stay: ' "
                                f"after a garbage file; stderr since: {w.stderr_text(mark)[-800:]!r}")
    ctx.figures["garbage_reload_message"] = line
    time.sleep(0.3)
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan exited {w.proc.returncode} after a failed reload")
    check_statuses(ctx, "7 after a refused reload, k2 stays", [w.ask(f"Bearer {t2}")[0]], ["ok"])
    rc = w.finish()
    ctx.check(rc == 1, f"7: scan exit {rc}, expected 1 (key_not_found records)")

    # A URL and a file: SIGHUP fetches again; a failed fetch refuses the whole reload.
    require_flag(ctx, ["scan"], "--jwks-url")
    write_keys(ctx.jwks("k1"))
    s.route(JWKS, ctx.jwks("k2"))
    w = LongRun([ctx.jb, "scan", "--jwks", keyfile, "--jwks-refresh", "3600"] + remote_flags(ctx))
    for tok in (t1, t2):
        check_statuses(ctx, "7 file {k1} + URL {k2}", [w.ask(f"Bearer {tok}")[0]], ["ok"])
    s.route(JWKS, ctx.jwks("k2", "k3"))
    before = s.count(JWKS)
    mark = w.mark()
    w.signal(signal.SIGHUP)
    line = w.wait_stderr(r"jwtbatch: SIGHUP: keys reloaded", after=mark)
    ctx.check(line is not None and s.count(JWKS) == before + 1,
              f"7 URL: SIGHUP: reloaded line {line!r}, {s.count(JWKS) - before} requests (expected the "
              f"line and 1); stderr since: {w.stderr_text(mark)[-800:]!r}")
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan with --jwks-url exited {w.proc.returncode} on SIGHUP")
    before = s.count(JWKS)
    check_statuses(ctx, "7 k3 after SIGHUP (fetched by the reload)", [w.ask(f"Bearer {t3}")[0]], ["ok"])
    ctx.check(s.count(JWKS) == before, "7: k3 needed a fetch of its own after the SIGHUP reload")
    # The file gains k4, the URL fails: nothing of the reload is taken.
    write_keys(ctx.jwks("k1", "k4"))
    s.route(JWKS, "gone", status=404)
    mark = w.mark()
    w.signal(signal.SIGHUP)
    line = w.wait_stderr(r"jwtbatch: SIGHUP: keys not reloaded, the previous ones stay: ", after=mark)
    ctx.check(line is not None and url_in(line, s.url(JWKS)),
              f"7 URL 404: expected 'keys not reloaded, the previous ones stay: ' naming {s.url(JWKS)}; "
              f"got {line!r}; stderr since: {w.stderr_text(mark)[-800:]!r}")
    ctx.figures["url_reload_failure_message"] = line
    time.sleep(0.3)
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan exited {w.proc.returncode} after a failed URL reload")
    for tok, want in ((t1, "ok"), (t2, "ok"), (t3, "ok"), (t4, "key_not_found")):
        check_statuses(ctx, "7 after the refused reload (file k4 not taken)",
                       [w.ask(f"Bearer {tok}")[0]], [want])
    w.finish()
    ctx.figures["requests"] = s.counts()

    # scan --rsyslog: the same reload; its messages go to --rsyslog-log (rsyslog reads
    # the plugin's stdout and stderr), so the lines are looked for there.
    write_keys(ctx.jwks("k1"))
    rlog = ctx.file("rsyslog.log")
    w = LongRun([ctx.jb, "scan", "--rsyslog", "--jwks", keyfile, "--rsyslog-log", rlog])

    def reply_status(tok):
        r = w.ask(f"GET /api HTTP/1.1 Authorization: Bearer {tok}")[0]
        return [r.get("$!", {}).get("jwt", {}).get("status")]

    def log_line(pattern, after):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(rlog, errors="replace") as f:
                    text = f.read()[after:]
            except OSError:
                text = ""
            m = re.search(pattern + r"[^\n]*", text)
            if m:
                return m.group(0)
            time.sleep(0.05)
        return None

    def log_size():
        return os.path.getsize(rlog) if os.path.exists(rlog) else 0

    check_statuses(ctx, "7 rsyslog k1", [{"status": x} for x in reply_status(t1)], ["ok"])
    write_keys(ctx.jwks("k1", "k2"))
    mark = log_size()
    w.signal(signal.SIGHUP)
    line = log_line(r"jwtbatch: SIGHUP: keys reloaded", mark)
    ctx.check(line is not None, f"7 rsyslog: no 'jwtbatch: SIGHUP: keys reloaded' in {rlog}; exit "
                                f"{w.proc.poll()}; stderr {w.stderr_text()[-500:]!r}")
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan --rsyslog exited {w.proc.returncode} on SIGHUP")
    check_statuses(ctx, "7 rsyslog k2 after SIGHUP", [{"status": x} for x in reply_status(t2)], ["ok"])
    write_keys("garbage\n")
    mark = log_size()
    w.signal(signal.SIGHUP)
    line = log_line(r"jwtbatch: SIGHUP: keys not reloaded, the previous ones stay: ", mark)
    ctx.check(line is not None, f"7 rsyslog: no 'keys not reloaded, the previous ones stay' in {rlog}")
    time.sleep(0.3)
    if w.proc.poll() is not None:
        raise TestFailure(f"7: scan --rsyslog exited {w.proc.returncode} after a failed reload")
    check_statuses(ctx, "7 rsyslog k2 after a refused reload", [{"status": x} for x in reply_status(t2)], ["ok"])
    rc = w.finish()
    ctx.check(rc == 0, f"7 rsyslog: exit {rc}, expected 0")


def url_in(line, url):
    return line is not None and url in line


# ---- 8: key history ---------------------------------------------------------------------

HISTORY_SNAPSHOTS = (("2026-03-01T00:00:00Z", ("k1",)),
                     ("2026-04-01T00:00:00Z", ("k1", "k2")),
                     ("2026-05-01T00:00:00Z", ("k2",)))
# (kid, time) -> status: k1 from March 1 until May 1, k2 from April 1 on.
HISTORY_EXPECTED = ((("k1", "2026-03-15T00:00:00Z"), "ok"),
                    (("k1", "2026-04-15T00:00:00Z"), "ok"),
                    (("k1", "2026-05-15T00:00:00Z"), "key_outside_window"),
                    (("k2", "2026-03-15T00:00:00Z"), "key_outside_window"),
                    (("k2", "2026-04-15T00:00:00Z"), "ok"),
                    (("k2", "2026-05-15T00:00:00Z"), "ok"))


def group_history(ctx):
    r = run([ctx.jb, "keys", "snapshot", "--help"])
    if "--key-history" not in r.out + r.err:
        raise TestFailure("`jwtbatch keys snapshot --help` does not list --key-history: the binary "
                          f"lacks the feature under test\n{r.describe()}")
    s = ctx.server
    hist = ctx.file("history.json")
    for at, kids in HISTORY_SNAPSHOTS:
        s.route(JWKS, ctx.jwks(*kids))
        before = s.count(JWKS)
        if ctx.args.history_from_files:
            # The keys as files, named by the URL (--source): for a binary whose
            # snapshot does not fetch yet; the verdicts must be the same.
            src = ctx.write(f"snapshot-{at[:10]}.json", ctx.jwks(*kids))
            r = run([ctx.jb, "keys", "snapshot", "--jwks", src, "--source", s.url(JWKS),
                     "--key-history", hist, "--at", at])
            ctx.check(r.rc == 0, f"8 snapshot (file) at {at} of {kids}: exit {r.rc}\n{r.describe()}")
        else:
            r = run([ctx.jb, "keys", "snapshot"] + remote_flags(ctx) + ["--key-history", hist, "--at", at])
            ctx.check(r.rc == 0 and s.count(JWKS) == before + 1,
                      f"8 snapshot at {at} of {kids}: exit {r.rc}, {s.count(JWKS) - before} requests "
                      f"(expected 0 and 1)\n{r.describe()}")
    ctx.figures["history_file_bytes"] = os.path.getsize(hist) if os.path.exists(hist) else None
    # Time-valid at every date judged: issued March 10, good for ten years.
    tok = {k: ctx.token(k, sub=f"hist-{k}", iat="2026-03-10T00:00:00Z", exp_in="3650d") for k in ("k1", "k2")}
    for (kid, at), want in HISTORY_EXPECTED:
        r = run([ctx.jb, "verify", "--key-history", hist, "--at", at], stdin_bytes=(tok[kid] + "\n").encode())
        check_statuses(ctx, f"8 verify --key-history --at {at}, {kid}", r, [want])
        if r.records:
            want_class = "ok" if want == "ok" else "key"
            ctx.check(r.records[0].get("class") == want_class,
                      f"8 verify {kid} at {at}: class {r.records[0].get('class')!r}, expected {want_class!r}")
            ctx.check(r.rc == (0 if want == "ok" else 1), f"8 verify {kid} at {at}: exit {r.rc}")
    # The same verdicts from scan, each line judged at its own RFC 3339 time.
    lines = [f"{at} GET /api HTTP/1.1 Authorization: Bearer {tok[kid]}" for (kid, at), _ in HISTORY_EXPECTED]
    logf = ctx.write("history.log", "".join(ln + "\n" for ln in lines))
    r = run([ctx.jb, "scan", "--at-log-time", "--require-log-time", "--key-history", hist, logf])
    check_statuses(ctx, "8 scan --at-log-time --key-history", r, [w for _, w in HISTORY_EXPECTED])
    want_at = [calendar.timegm(time.strptime(at, "%Y-%m-%dT%H:%M:%SZ")) for (_, at), _ in HISTORY_EXPECTED]
    got_at = [(x.get("at_source"), x.get("at")) for x in r.records]
    ctx.check(got_at == [("line", t) for t in want_at],
              f"8 scan: (at_source, at) {got_at}: expected each line's own time {want_at}")
    ctx.figures["requests"] = s.counts()


GROUPS = {
    "server": group_server,
    "fetch": group_fetch,
    "errors": group_errors,
    "rotation": group_rotation,
    "refresh": group_refresh,
    "reload": group_reload,
    "history": group_history,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jwtbatch", required=True)
    ap.add_argument("--only", help="groups to run, comma-separated: " + ", ".join(GROUPS))
    ap.add_argument("--report", help="write the measured figures as JSON to FILE")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directories")
    ap.add_argument("--tmp", default=None, help="where scratch directories go")
    ap.add_argument("--history-from-files", action="store_true",
                    help="history: snapshot JWK Set files (--jwks FILE --source URL) instead of "
                         "--jwks-url, for a binary whose `keys snapshot` does not fetch yet")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(GROUPS)
    for n in names:
        if n not in GROUPS:
            ap.error(f"--only {n}: no such group ({', '.join(GROUPS)})")
    if shutil.which("openssl") is None:
        log("the openssl command is missing (Debian package openssl)")
        return 1

    def on_term(sig, _frame):
        kill_children()
        sys.exit(128 + sig)

    signal.signal(signal.SIGTERM, on_term)
    report = {"jwtbatch": args.jwtbatch, "groups": {}}
    failed = []
    for name in names:
        log(f"{name}: start")
        t0 = time.monotonic()
        entry = {"passed": False}
        ctx = None
        try:
            ctx = Context(args, name)
            GROUPS[name](ctx)
            if ctx.failures:
                raise TestFailure(f"{len(ctx.failures)} mismatch(es):\n- " + "\n- ".join(ctx.failures))
            entry["passed"] = True
            log(f"{name}: PASS ({time.monotonic() - t0:.1f} s)")
        except Exception as e:  # noqa: BLE001: every failure is reported, the next group runs
            err = str(e) if isinstance(e, TestFailure) else traceback.format_exc()
            if ctx is not None and ctx.failures and not err.startswith(f"{len(ctx.failures)} mismatch"):
                err = "\n- ".join(["mismatches before the stop:"] + ctx.failures) + "\nthen: " + err
            entry["error"] = err
            log(f"{name}: FAIL ({time.monotonic() - t0:.1f} s): {err}")
            if ctx is not None:
                log(f"{name}: scratch directory kept: {ctx.tmp}")
            failed.append(name)
        finally:
            kill_children()
            if ctx is not None:
                entry.update(ctx.figures)
                entry["server_log_tail"] = ctx.server.messages[-20:] if not entry["passed"] else []
                ctx.close(entry["passed"])
        entry["seconds"] = round(time.monotonic() - t0, 3)
        report["groups"][name] = entry
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=2, default=str)
            f.write("\n")
    log(f"{len(names) - len(failed)} of {len(names)} groups passed"
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
