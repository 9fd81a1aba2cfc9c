#!/usr/bin/python3
"""End-to-end tests of `jwtbatch consume` against a mock Kafka cluster.

  /usr/bin/python3 tests/kafka/consume_test.py --jwtbatch PATH --mock PATH
      [--only NAME[,NAME...]] [--report FILE] [--keep]

Runs Debian's interpreter with Debian's python3-confluent-kafka (librdkafka 2.0.2). Each
scenario starts its own mock cluster (`kafka_mock`, tests/kafka; or the unpatched
development stand-in `devmock`, whose topics are positional arguments) with an input
topic of 6 partitions and an output topic of 4, so that the partition mapping P % 4 is
exercised, and its own workers. Scenarios:
  workers      3 workers joining a moment apart on ~30k tokens and garbage (empty, no
               value, binary with line breaks and NULs, 200 KiB, 2 MiB); SIGTERM: 143
               each, and their summaries count every message once
  kill9        a worker SIGKILLed inside an open transaction, a replacement with a new
               transactional id, then (again) with the same one: exactly once, and
               the recovery time (kill to the replacement's first visible verdict)
  broker_down  two workers; broker 1 (coordinator of the group and of both
               transactions) down for 5 s
  reload       SIGHUP: a JWKS gaining key B, then a garbage file (old keys kept)
  scan         --mode scan on log lines with 0, 1 and 2 tokens, at --at and at
               --at-log-time, against `jwtbatch scan`

The check every scenario ends with (check_verdicts): a read_committed reader of OUT,
running from the scenario's start, has seen for every input message (partition, offset)
exactly the records `jwtbatch verify` (or `jwtbatch scan`) gives for the same bytes read
from a file -- none missing, none twice, nothing for a message that is not in IN -- each
in OUT partition P % 4, keyed with the input message's key.

Exit 0 when every scenario run passed, 1 otherwise. --report writes the measured figures
(recovery times, message counts, seconds) as JSON.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zlib

import confluent_kafka as ck

IN_PARTITIONS = 6
OUT_PARTITIONS = 4
# The evaluation time of every verdict, and the base time of every generated token:
# tokens are issued from BASE_TIME on and judged a few minutes later, so "valid" ones
# are valid and "expired" ones expired, whatever the date of the run.
BASE_TIME = 1700000000
AT = BASE_TIME + 600
SEED = 20261202
# Client settings that keep failover quick (the worker passes -X to both clients;
# librdkafka only warns about the ones that belong to the other kind of client).
WORKER_X = [
    "session.timeout.ms=6000",
    "heartbeat.interval.ms=500",
    "transaction.timeout.ms=10000",
]
# kill9's transaction timeout: longer than the group's failover on the mock (~11 s).
KILL9_TXN_TIMEOUT_MS = 20000
# Statuses whose verdict is decided from the bytes' shape alone: a value that is not
# empty, does not start with '{' and holds no '.' is one segment (engine/src/jose/
# compact.cpp: size limit, then empty, then '{', then the dot count).
ONE_SEGMENT = "bad_segments"


class TestFailure(Exception):
    pass


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---- child processes ------------------------------------------------------------------

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/
from children import kill_children, spawn  # noqa: E402 (tests/children.py)


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, **kw)
    if check and r.returncode not in (0, 1):
        raise TestFailure(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.decode(errors='replace')}")
    return r


class Mock:
    """One mock cluster: its bootstrap list, and its stdin commands (down/up/topic)."""

    def __init__(self, path, topics, brokers=3):
        self.dev = os.path.basename(path).startswith("devmock")
        if self.dev:
            cmd = [path] + [f"{t}:{n}" for t, n in topics]
        else:
            cmd = [path, "--brokers", str(brokers)]
            for t, n in topics:
                cmd += ["--topic", f"{t}:{n}"]
        self.proc = spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self._readline(30)
        if not line.startswith("bootstrap="):
            raise TestFailure(f"mock: expected bootstrap=..., got {line!r}")
        self.bootstrap = line[len("bootstrap="):].strip()

    def _readline(self, timeout):
        out = []
        t = threading.Thread(target=lambda: out.append(self.proc.stdout.readline()), daemon=True)
        t.start()
        t.join(timeout)
        if not out:
            raise TestFailure(f"mock: no answer within {timeout} s")
        if out[0] == "":
            raise TestFailure(f"mock: exited ({self.proc.poll()})")
        return out[0]

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        answer = self._readline(30).strip()
        if answer != "ok":
            raise TestFailure(f"mock: {text!r}: {answer!r}")

    def close(self):
        if self.proc.poll() is None:
            try:
                if not self.dev:
                    self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


# ---- jwtbatch: keys, tokens and the reference verdicts --------------------------------

class Jwtbatch:
    def __init__(self, path, tmp):
        self.path = path
        self.tmp = tmp

    def file(self, name):
        return os.path.join(self.tmp, name)

    def keygen(self, kids, private, public):
        run([self.path, "keygen", "--alg", ",".join("ES256" for _ in kids), "--kid", ",".join(kids),
             "--out", private, "--public-out", public, "--force"])

    def gen(self, jwks, count, seed, fmt="tokens", mix=None, algs=None, repeat=1):
        out = self.file(f"gen-{uuid.uuid4().hex}.txt")
        cmd = [self.path, "gen", "--jwks", jwks, "--count", str(count), "--seed", str(seed),
               "--format", fmt, "--base-time", str(BASE_TIME), "--out", out, "--repeat", str(repeat)]
        if mix:
            cmd += ["--mix", mix]
        run(cmd)
        with open(out, "rb") as f:
            return f.read().split(b"\n")[:-1]

    def reference(self, command, lines, jwks, extra=()):
        """`jwtbatch verify|scan --at AT --jwks JWKS` on `lines` (one per line of a file):
        a list, per line, of its records without "line" and "file"."""
        path = self.file(f"ref-{uuid.uuid4().hex}.txt")
        with open(path, "wb") as f:
            for line in lines:
                assert b"\n" not in line and b"\r" not in line
                f.write(line + b"\n")
        r = run([self.path, command, "--at", str(AT), "--jwks", jwks, "-q", *extra, path])
        per_line = [[] for _ in lines]
        for text in r.stdout.decode().splitlines():
            rec = json.loads(text)
            n = rec.pop("line")
            rec.pop("file", None)
            per_line[n - 1].append(rec)
        if command == "verify" and any(len(x) != 1 for x in per_line):
            raise TestFailure("jwtbatch verify: not one record per line")
        return per_line


def fingerprint(value):
    # The record's "fp": the first 16 bytes of the token's SHA-256, in hex (checked
    # against verify's own records in expected_verify before it is relied on).
    return hashlib.sha256(value).hexdigest()[:32]


def expected_verify(jb, values, jwks):
    """Per distinct value, the record consume must give (without topic/partition/offset).

    A value holding '\\n' or '\\r' cannot be a line of a file, so verify cannot be asked
    about it. Such values are made one-segment on purpose (non-empty, no '.', not
    starting with '{'): compact.cpp decides their status from that shape alone,
    bad_segments (class format), and their fp is the SHA-256 prefix of the bytes; the
    same shape without the line breaks is put to verify to confirm that status and
    that the record has no other members, and the fp rule is confirmed on every value
    verify does see."""
    distinct = sorted(set(values))
    plain = [v for v in distinct if b"\n" not in v and b"\r" not in v]
    broken = [v for v in distinct if b"\n" in v or b"\r" in v]
    probes = [v.replace(b"\n", b"").replace(b"\r", b"") for v in broken]
    for v in broken:
        if b"." in v or v.startswith(b"{") or not v.replace(b"\n", b"").replace(b"\r", b""):
            raise TestFailure(f"test bug: line-breaking value {v[:40]!r} is not one-segment")
    refs = jb.reference("verify", plain + probes, jwks)
    out = {}
    for v, recs in zip(plain, refs[:len(plain)]):
        rec = recs[0]
        if rec["status"] != "token_too_large" and rec.get("fp") != fingerprint(v):
            raise TestFailure(f"fp rule does not hold: {v[:60]!r} -> {rec}")
        out[v] = rec
    for v, recs in zip(broken, refs[len(plain):]):
        rec = dict(recs[0])
        if rec["status"] != ONE_SEGMENT or set(rec) != {"status", "class", "fp"}:
            raise TestFailure(f"one-segment probe of {v[:40]!r}: verify says {rec}")
        rec["fp"] = fingerprint(v)
        out[v] = rec
    return out


# ---- producing IN, reading OUT --------------------------------------------------------

def produce(bootstrap, topic, messages, big=False):
    """messages: (partition, key, value) in order. Returns [(partition, offset, key,
    value)] as delivered."""
    conf = {"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"}
    if big:
        # The producer's default message.max.bytes (1000000) refuses a 2 MiB value.
        conf["message.max.bytes"] = 8 << 20
    p = ck.Producer(conf)
    delivered = []
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(f"{err} (partition {msg.partition()})")
        else:
            delivered.append((msg.partition(), msg.offset(), msg.key(), msg.value()))

    for partition, key, value in messages:
        while True:
            try:
                p.produce(topic, value=value, key=key, partition=partition, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    left = p.flush(120)
    if left or errors or len(delivered) != len(messages):
        raise TestFailure(f"producing to {topic}: {left} undelivered, errors {errors[:5]}")
    return delivered


class Reader:
    """A read_committed reader of OUT, from its first offset, in a thread: every message
    with the time it was seen (monotonic) and its Kafka timestamp."""

    def __init__(self, bootstrap, topic, partitions=OUT_PARTITIONS, isolation="read_committed"):
        self.topic = topic
        self.c = ck.Consumer({
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex}",
            "isolation.level": isolation,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
        })
        self.c.assign([ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in range(partitions)])
        self.lock = threading.Lock()
        self.seen = []  # (monotonic, out partition, key, value bytes, timestamp ms)
        self.parsed = 0  # of seen, by place_counts
        self.counts = {}
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for m in self.c.consume(1000, 0.1):
                if m.error():
                    self.errors.append(str(m.error()))
                    continue
                with self.lock:
                    self.seen.append((time.monotonic(), m.partition(), m.key(), m.value(),
                                      m.timestamp()[1]))

    def count(self):
        with self.lock:
            return len(self.seen)

    def snapshot(self):
        with self.lock:
            return list(self.seen)

    def since(self, i):
        with self.lock:
            return self.seen[i:]

    def place_counts(self):
        """Records seen per input (partition, offset), parsing only what is new (the
        test shares two cores with the workers: re-reading everything would starve
        them)."""
        for _, _, _, value, _ in self.since(self.parsed):
            self.parsed += 1
            try:
                rec = json.loads(value)
                place = (rec["partition"], rec["offset"])
            except (ValueError, KeyError, TypeError):
                continue  # reported by check_verdicts
            self.counts[place] = self.counts.get(place, 0) + 1
        return self.counts

    def drain(self, quiet=2.5, limit=60):
        """Waits until nothing new came for `quiet` seconds (every worker has stopped,
        so every transaction is committed or aborted)."""
        end = time.monotonic() + limit
        last = -1
        since = time.monotonic()
        while time.monotonic() < end:
            n = self.count()
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.1)

    def close(self):
        self.stop.set()
        self.thread.join(10)
        try:
            self.c.close()
        except Exception:  # noqa: BLE001 (a closed cluster)
            pass


class Expected:
    """What OUT must hold: per input (partition, offset), its key and its records."""

    def __init__(self, in_topic):
        self.in_topic = in_topic
        self.by_place = {}  # (partition, offset) -> (key, [record...])

    def add(self, delivered, records_of):
        for partition, offset, key, value in delivered:
            self.by_place[(partition, offset)] = (key, records_of(value))

    def record_count(self):
        return sum(len(r) for _, r in self.by_place.values())


def index(seen, in_topic):
    """OUT's messages by the input place they name: (partition, offset) -> [(out
    partition, key, record without topic/partition/offset, seen at, timestamp)]."""
    got = {}
    bad = []
    for at, out_partition, key, value, ts in seen:
        try:
            rec = json.loads(value)
            place = (rec.pop("partition"), rec.pop("offset"))
            topic = rec.pop("topic")
        except (ValueError, KeyError, TypeError) as e:
            bad.append(f"OUT partition {out_partition}: unreadable record {value[:200]!r}: {e}")
            continue
        if topic != in_topic:
            bad.append(f"record names topic {topic!r}, not {in_topic!r}")
        got.setdefault(place, []).append((out_partition, key, rec, at, ts))
    return got, bad


def missing_places(expected, reader):
    got = reader.place_counts()
    return [pl for pl, (_, recs) in expected.by_place.items() if got.get(pl, 0) < len(recs)]


def wait_complete(reader, expected, timeout, workers=(), all_must_live=True):
    """Waits until every expected record has been seen; fails naming what is missing,
    or as soon as a worker (all_must_live) or every worker (not all_must_live) ended."""
    end = time.monotonic() + timeout
    while True:
        missing = missing_places(expected, reader)
        if not missing:
            return
        dead = [w for w in workers if w.proc.poll() is not None and not w.stopped]
        if dead and (all_must_live or len(dead) == len(workers)):
            raise TestFailure("".join(f"{w.name} exited {w.proc.returncode} early:\n"
                                      f"{w.stderr_tail()}\n" for w in dead))
        if time.monotonic() > end:
            missing.sort()
            raise TestFailure(
                f"{len(missing)} of {len(expected.by_place)} input messages have no (or not all) "
                f"verdicts after {timeout} s, e.g. {missing[:10]}; reader errors: {reader.errors[:5]}")
        time.sleep(0.2)


def check_verdicts(reader, expected):
    """The common check: exactly the expected records, once each, in OUT partition
    P % 4, keyed as the input message."""
    got, problems = index(reader.snapshot(), expected.in_topic)
    dup = 0
    for place, (key, want) in sorted(expected.by_place.items()):
        have = got.pop(place, [])
        if len(have) != len(want):
            if len(have) > len(want):
                dup += 1
            problems.append(f"{place}: {len(have)} records, expected {len(want)}: "
                            f"{[h[2] for h in have][:3]}")
            continue
        # Scan: a message's records in the order of their tokens.
        have = sorted(have, key=lambda h: h[2].get("token_offset", 0))
        for (out_partition, out_key, rec, _, _), w in zip(have, want):
            if out_partition != place[0] % OUT_PARTITIONS:
                problems.append(f"{place}: in OUT partition {out_partition}, expected "
                                f"{place[0] % OUT_PARTITIONS}")
            if out_key != key:
                problems.append(f"{place}: key {out_key!r}, expected {key!r}")
            if rec != w:
                problems.append(f"{place}: record {json.dumps(rec)}\n    expected {json.dumps(w)}")
    for place, have in sorted(got.items()):
        problems.append(f"{place}: {len(have)} records for a message that is not in the input "
                        f"(or should have none): {have[0][2]}")
    if problems:
        raise TestFailure(f"{len(problems)} problems in OUT ({dup} input messages with duplicate "
                          f"verdicts):\n  " + "\n  ".join(problems[:25]))


# ---- the worker -----------------------------------------------------------------------

class Worker:
    def __init__(self, ctx, name, in_topic, out_topic, group, jwks, extra=()):
        self.name = name
        self.summary = ctx.file(f"{name}.summary.json")
        self.stderr_path = ctx.file(f"{name}.stderr")
        self.stopped = False
        self.cmd = [ctx.jb.path, "consume", "--brokers", ctx.mock.bootstrap, "--topic", in_topic,
                    "--out-topic", out_topic, "--group", group, "--jwks", jwks, "--at", str(AT),
                    "--batch-ms", "20", "--progress-interval", "0", "--summary-json", self.summary]
        for x in WORKER_X:
            self.cmd += ["-X", x]
        self.cmd += list(extra)
        self.cmd += ctx.args.worker_x
        self.stderr = open(self.stderr_path, "wb")
        self.proc = spawn(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
        self.started = time.monotonic()
        # Each stderr line is kept with the time it came (wall clock, ms), so a failure's
        # report (and the kill9 timings) can be read as a timeline.
        self.copier = threading.Thread(target=self._copy_stderr, daemon=True)
        self.copier.start()

    def _copy_stderr(self):
        for line in self.proc.stderr:
            t = time.time()
            self.stderr.write(b"%s.%03d " % (time.strftime("%H:%M:%S", time.localtime(t)).encode(),
                                             int(t * 1000) % 1000) + line)
            self.stderr.flush()

    def stderr_text(self):
        if self.proc.poll() is not None:
            self.copier.join(5)  # the last lines
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stderr_tail(self, n=3000):
        # librdkafka's own log lines are many; the worker's own say what went wrong.
        text = self.stderr_text()
        own = [l for l in text.splitlines() if " jwtbatch consume: kafka " not in l]
        return "\n".join(own)[-n:] or text[-n:]

    def send(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, expect=None, timeout=60):
        """Sends `sig` (once: a second one ends the worker at once, as the default
        action does), waits for the exit; checks the exit code (128 + sig)."""
        if self.proc.poll() is None and not self.stopped:
            self.proc.send_signal(sig)
        self.stopped = True
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise TestFailure(f"{self.name}: still running {timeout} s after {sig.name}:\n"
                              f"{self.stderr_tail()}")
        want = 128 + sig if expect is None else expect
        if code != want:
            raise TestFailure(f"{self.name}: exit {code} after {sig.name}, expected {want}; "
                              f"command: {' '.join(self.cmd)}\nstderr:\n{self.stderr_tail()}")
        return code

    def read_summary(self):
        try:
            with open(self.summary) as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            raise TestFailure(f"{self.name}: --summary-json {self.summary}: {e}")


def stop_all(workers, sig=signal.SIGTERM):
    for w in workers:
        if w.proc.poll() is None:
            w.stopped = True
            w.proc.send_signal(sig)
    for w in workers:
        w.stop(sig)


def check_summaries(workers, expected, statuses=True):
    """The summaries of workers that all stopped cleanly: every input message counted
    by exactly one of them (only committed transactions count), and, per status, the
    verdicts the expected records hold."""
    sums = [w.read_summary() for w in workers]
    total = sum(s["messages"] for s in sums)
    figures = {w.name: {k: s.get(k) for k in ("messages", "records", "transactions",
                                                "transactions_aborted", "messages_dropped",
                                                "rebalances", "reloads", "reloads_failed")}
               for w, s in zip(workers, sums)}
    if total != len(expected.by_place):
        raise TestFailure(f"summaries count {total} messages, the input holds "
                          f"{len(expected.by_place)}: {figures}")
    if statuses:
        want = {}
        for _, recs in expected.by_place.values():
            for r in recs:
                want[r["status"]] = want.get(r["status"], 0) + 1
        have = {}
        for s in sums:
            for k, v in s["by_status"].items():
                have[k] = have.get(k, 0) + v
        if have != want:
            raise TestFailure(f"summaries' by_status {have}, the verdicts hold {want}")
    return figures


# ---- scenarios ------------------------------------------------------------------------

class Context:
    def __init__(self, args, name, topics):
        self.args = args
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix=f"consume-{name}-", dir=args.tmp)
        self.jb = Jwtbatch(args.jwtbatch, self.tmp)
        self.mock = Mock(args.mock, topics)
        self.readers = []
        self.figures = {}
        self.failures = []

    def soft(self, check, *args, **kw):
        """Runs one of the scenario's final checks; a failure is kept, and the other
        checks still run (so one report names every problem)."""
        try:
            return check(*args, **kw)
        except TestFailure as e:
            self.failures.append(f"{check.__name__}: {e}")
            return None

    def file(self, name):
        return os.path.join(self.tmp, name)

    def reader(self, topic, isolation="read_committed"):
        r = Reader(self.mock.bootstrap, topic, isolation=isolation)
        self.readers.append(r)
        return r

    def keys(self, kids=("A", "B")):
        priv, pub = self.file("private.json"), self.file("public.json")
        self.jb.keygen(list(kids), priv, pub)
        return priv, pub

    def close(self, ok):
        for r in self.readers:
            r.close()
        kill_children()
        self.mock.close()
        if ok and not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def token_messages(values, rng, keyed=True):
    """(partition, key, value) for each value: partitions spread at random (fixed seed),
    keys k<i> (every 7th message without a key)."""
    out = []
    for i, v in enumerate(values):
        key = None if (not keyed or i % 7 == 3) else f"k{i}".encode()
        out.append((rng.randrange(IN_PARTITIONS), key, v))
    return out


def garbage_values(rng):
    """Messages that are not tokens: empty, None (no value at all), random bytes with
    line breaks and NULs (one-segment: no '.', not opening with '{'), random bytes
    without them, a 200 KiB value and a 2 MiB one."""
    vals = [b"", None]
    for i in range(12):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        raw = raw.replace(b".", b"x").replace(b"{", b"y")
        if i % 3 == 0:
            raw = raw.replace(b"\n", b"n").replace(b"\r", b"r")  # a line verify can read
        else:
            raw = b"z" + raw + b"\n\r\x00" + raw[:5] + b"\n"
        vals.append(raw)
    vals.append(b"eyJ" + b"A" * (200 * 1024))  # 200 KiB: token_too_large
    vals.append(b"eyJhbGciOiJFUzI1NiJ9." * (2 * 1024 * 1024 // 21 + 1))  # 2 MiB
    return vals


def scenario_workers(ctx):
    IN, OUT = "workers-in", "workers-out"
    priv, pub = ctx.keys()
    rng = random.Random(SEED)
    n_tokens = ctx.args.scale_workers
    tokens = ctx.jb.gen(priv, n_tokens, SEED, repeat=2,
                        mix="valid=80,expired=8,forged=6,malformed=6")
    garbage = garbage_values(rng)
    values = tokens + garbage
    msgs = token_messages(values, rng)
    # The garbage spread through the stream, not only at its end.
    for g in range(len(garbage)):
        j = rng.randrange(len(msgs))
        msgs[j], msgs[-1 - g] = msgs[-1 - g], msgs[j]
    t0 = time.monotonic()
    delivered = produce(ctx.mock.bootstrap, IN, msgs, big=True)
    ctx.figures["produce_seconds"] = round(time.monotonic() - t0, 3)
    # A None value arrives as no payload: consume verifies it as the empty token.
    ref = expected_verify(ctx.jb, [v if v is not None else b"" for v in values], pub)
    exp = Expected(IN)
    exp.add(delivered, lambda v: [ref[v if v is not None else b""]])
    ctx.figures["messages"] = len(delivered)
    ctx.figures["note_2mib"] = ("the 2 MiB value needed message.max.bytes raised on the test's "
                                "producer (librdkafka's default is 1000000); the worker's "
                                "consumer defaults took it")
    reader = ctx.reader(OUT)
    group = f"g-{uuid.uuid4().hex[:8]}"
    t0 = time.monotonic()
    # Batches of 1000 and 4 s between starts: the first worker is well into the
    # backlog when the second and third join (the mock gives a new group's first
    # member its partitions after 3 s), so each join revokes partitions mid-stream.
    workers = []
    for i in range(3):
        workers.append(Worker(ctx, f"worker{i + 1}", IN, OUT, group, pub, ["--batch", "1000"]))
        if i < 2:
            time.sleep(4.0)
    wait_complete(reader, exp, ctx.args.timeout, workers)
    ctx.figures["seconds_to_all_verdicts"] = round(time.monotonic() - t0, 3)
    stop_all(workers)
    reader.drain()
    ctx.soft(check_verdicts, reader, exp)
    ctx.figures["workers"] = ctx.soft(check_summaries, workers, exp)


def backlog(ctx, IN, pub, priv, count, seed):
    rng = random.Random(seed)
    tokens = ctx.jb.gen(priv, count, seed, mix="valid=85,expired=5,forged=5,malformed=5")
    delivered = produce(ctx.mock.bootstrap, IN, token_messages(tokens, rng))
    ref = expected_verify(ctx.jb, tokens, pub)
    exp = Expected(IN)
    exp.add(delivered, lambda v: [ref[v]])
    return exp


def kill9_variant(ctx, variant, same_id):
    IN, OUT = f"kill9-{variant}-in", f"kill9-{variant}-out"
    priv, pub = ctx.files_keys
    exp = backlog(ctx, IN, pub, priv, ctx.args.scale_kill9, SEED + 1)
    reader = ctx.reader(OUT)
    # Beside it, a read_uncommitted reader: when the replacement's first record was
    # produced (not yet committed), which tells a late group assignment from records
    # held back by an open transaction (the last stable offset).
    dirty = ctx.reader(OUT, "read_uncommitted")
    group = f"g-{uuid.uuid4().hex[:8]}"
    # Small batches and no cache, one thread: the backlog takes several seconds. The
    # transaction timeout is longer than the group's failover (the mock waits
    # session.timeout.ms - 1 s for members to rejoin, after the dead member's session
    # of 6 s ran out: about 11 s), so the two variants differ: a new transactional id
    # waits for the killed worker's open transaction to time out (its pending offsets
    # make OffsetFetch answer UNSTABLE_OFFSET_COMMIT, and its records hold back the
    # last stable offset), the same id aborts it when it initialises.
    # Small produce requests, one at a time, widen the window in which a transaction
    # holds records at the brokers (so the kill below can land in one).
    opts = ["--batch", "500", "--threads", "1", "--cache-size", "0",
            "-X", f"transaction.timeout.ms={KILL9_TXN_TIMEOUT_MS}",
            "-X", "batch.num.messages=10", "-X", "max.in.flight=1"]
    tid = f"tid-{uuid.uuid4().hex[:8]}"
    first = Worker(ctx, f"{variant}-first", IN, OUT, group, pub,
                   opts + (["--transactional-id", tid] if same_id else []))
    total = len(exp.by_place)
    end = time.monotonic() + ctx.args.timeout
    # The kill comes a quarter of the way through, inside an open transaction: the
    # worker is frozen (SIGSTOP) at random moments until, once both readers have
    # settled, the read_uncommitted one holds records the read_committed one does not
    # (a transaction holds records at the brokers only between its first produce
    # request and its commit: a short window beside the verifying). Up to 60 tries,
    # then it is killed anyway; the report says whether a transaction was open.
    while reader.count() < total // 4:
        if first.proc.poll() is not None:
            raise TestFailure(f"first worker exited {first.proc.returncode}:\n{first.stderr_tail()}")
        if time.monotonic() > end:
            raise TestFailure(f"first worker: {reader.count()} verdicts of {total} after "
                              f"{ctx.args.timeout} s")
        time.sleep(0.05)
    rng = random.Random(SEED)
    tries = 0
    while True:
        tries += 1
        first.proc.send_signal(signal.SIGSTOP)
        time.sleep(0.5)  # both readers catch up with what the brokers hold
        if dirty.count() > reader.count():
            time.sleep(0.5)  # and still so a moment later: not a reader's lag
            if dirty.count() > reader.count():
                break
        if tries >= 60:
            break
        first.proc.send_signal(signal.SIGCONT)
        time.sleep(rng.uniform(0.0, 0.15))
    ctx.figures.setdefault("kill_tries", {})[variant] = tries
    seen_at_kill = reader.count()
    open_at_kill = dirty.count() - seen_at_kill
    first.stopped = True
    killed_ms = time.time() * 1000
    log(f"  {variant}: SIGKILL to the first worker at {time.strftime('%H:%M:%S')}."
        f"{int(killed_ms) % 1000:03d}")
    killed = time.monotonic()
    first.proc.kill()
    first.proc.wait()
    second = Worker(ctx, f"{variant}-second", IN, OUT, group, pub,
                    opts + (["--transactional-id", tid] if same_id else []))
    if seen_at_kill >= total:
        raise TestFailure("the backlog was done before the kill: make it larger")
    # Recovery: from the kill to the first record a read_committed reader sees whose
    # Kafka timestamp (CreateTime, set when produced) is after the kill, so it can only
    # be the replacement's.
    recovery = None
    scanned = seen_at_kill
    while recovery is None:
        fresh = reader.since(scanned)
        scanned += len(fresh)
        for at, _, _, _, ts in fresh:
            if ts > killed_ms:
                recovery = at - killed
                break
        if recovery is None:
            if second.proc.poll() is not None:
                raise TestFailure(f"replacement exited {second.proc.returncode}:\n"
                                  f"{second.stderr_tail()}")
            if time.monotonic() > end:
                raise TestFailure(f"no verdict of the replacement within {ctx.args.timeout} s")
            time.sleep(0.05)
    wait_complete(reader, exp, max(10, end - time.monotonic()), [second])
    done = time.monotonic() - killed
    # When the replacement produced its first record (its Kafka timestamp).
    produced = min((ts for _, _, _, _, ts in dirty.snapshot() if ts > killed_ms),
                   default=None)
    produced = None if produced is None else (produced - killed_ms) / 1000
    second.stop()
    reader.drain()
    ctx.soft(check_verdicts, reader, exp)
    if same_id and open_at_kill > 0 and recovery >= KILL9_TXN_TIMEOUT_MS / 1000:
        ctx.failures.append(
            f"{variant}: the replacement's first verdict became visible {recovery:.3f} s after "
            f"the kill, not before the killed worker's transaction timed out "
            f"({KILL9_TXN_TIMEOUT_MS} ms): initialising the same transactional id did not "
            f"abort it at once")
    s = second.read_summary()
    # Whatever the killed worker committed was counted by nobody's summary.
    committed_before = total - s["messages"]
    ctx.figures[variant] = {
        "messages": total,
        "transaction_timeout_ms": KILL9_TXN_TIMEOUT_MS,
        "verdicts_seen_at_kill": seen_at_kill,
        # Records of the killed worker's open transaction seen uncommitted when it was
        # killed, and all records of aborted transactions seen in the end.
        "open_transaction_records_at_kill": open_at_kill,
        "aborted_records": dirty.count() - reader.count(),
        "messages_by_replacement": s["messages"],
        "messages_committed_by_killed": committed_before,
        "recovery_seconds": round(recovery, 3),
        "kill_to_first_record_produced_seconds": None if produced is None else round(produced, 3),
        "kill_to_all_verdicts_seconds": round(done, 3),
        "replacement": {k: s.get(k) for k in ("transactions", "transactions_aborted",
                                                "messages_dropped", "rebalances")},
    }
    log(f"  {variant}: recovery {recovery:.3f} s (kill to first visible verdict of the "
        f"replacement; its first record was produced at {produced} s), all done "
        f"{done:.3f} s after the kill; {open_at_kill} records of an open transaction at the kill")


def scenario_kill9(ctx):
    ctx.files_keys = ctx.keys()
    kill9_variant(ctx, "new_id", same_id=False)
    kill9_variant(ctx, "same_id", same_id=True)


def key_on_broker(prefix, broker, brokers=3):
    """A group or transactional id whose coordinator is `broker`: the mock cluster
    picks the broker at index crc32(key) % brokers of its list, which holds brokers
    1..N in order (librdkafka's rdkafka_mock.c, rd_kafka_mock_cluster_get_coord)."""
    for n in range(1000):
        key = f"{prefix}-{uuid.uuid4().hex[:6]}"
        if zlib.crc32(key.encode()) % brokers == broker - 1:
            return key
    raise AssertionError("unreachable")


def scenario_broker_down(ctx):
    IN, OUT = "down-in", "down-out"
    priv, pub = ctx.keys()
    exp = backlog(ctx, IN, pub, priv, ctx.args.scale_down, SEED + 2)
    total = len(exp.by_place)
    reader = ctx.reader(OUT)
    # Broker 1, the one taken down, is the group's coordinator and both workers'
    # transaction coordinator (and leads some partitions): the outage hits every
    # kind of request a worker makes.
    group = key_on_broker("g", 1)
    # librdkafka's own reconnect backoff (up to 10 s) stays, as users run it; the
    # transaction timeout is Kafka's default (60 s), longer than outage plus backoff.
    # (With 10 s, a transaction open across the outage outlives it, and the worker
    # ends with exit 2: --down-txn-timeout-ms 10000 shows it.)
    opts = ["--batch", "500", "--threads", "1", "--cache-size", "0",
            "-X", f"transaction.timeout.ms={ctx.args.down_txn_timeout_ms}"]
    workers = [Worker(ctx, f"worker{i + 1}", IN, OUT, group, pub,
                      opts + ["--transactional-id", key_on_broker(f"tid{i + 1}", 1)])
               for i in range(2)]
    end = time.monotonic() + ctx.args.timeout
    while reader.count() < total // 5:
        if time.monotonic() > end or any(w.proc.poll() is not None for w in workers):
            raise TestFailure(f"{reader.count()} verdicts of {total} before the broker went down:"
                              + "".join(f"\n{w.name}: {w.stderr_tail()}" for w in workers))
        time.sleep(0.05)
    seen_down = reader.count()
    t_down = time.monotonic()
    ctx.mock.command("down 1")
    time.sleep(5)
    ctx.mock.command("up 1")
    seen_up = reader.count()
    t_up = time.monotonic()
    # A worker that ends (exit 2) is a failure, but the other one goes on: whether the
    # survivor completes the work exactly once is checked all the same.
    wait_complete(reader, exp, ctx.args.timeout, workers, all_must_live=False)
    ctx.figures.update(messages=total, verdicts_seen_before_down=seen_down,
                       verdicts_seen_when_up=seen_up,
                       up_to_all_verdicts_seconds=round(time.monotonic() - t_up, 3),
                       down_seconds=round(t_up - t_down, 3))
    for w in workers:
        if w.proc.poll() is not None:
            w.stopped = True
            ctx.figures.setdefault("workers_ended", {})[w.name] = w.proc.returncode
            ctx.failures.append(f"{w.name} did not ride out the outage: exit {w.proc.returncode} "
                                f"(command: {' '.join(w.cmd)}):\n{w.stderr_tail(1500)}")
    for w in workers:
        if not w.stopped:
            ctx.soft(w.stop)
    reader.drain()
    ctx.soft(check_verdicts, reader, exp)
    ctx.figures["workers"] = ctx.soft(check_summaries, workers, exp)


def wait_stderr(worker, pattern, timeout=30, after=0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        text = worker.stderr_text()[after:]
        m = re.search(pattern, text)
        if m:
            return m.group(0)
        if worker.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise TestFailure(f"{worker.name}: no stderr line matching {pattern!r} within {timeout} s "
                      f"(exit {worker.proc.poll()}):\n{worker.stderr_tail()}")


def scenario_reload(ctx):
    IN, OUT = "reload-in", "reload-out"
    priv, pub = ctx.keys(("A", "B"))
    with open(pub) as f:
        full = json.load(f)
    only_a = {"keys": [k for k in full["keys"] if k["kid"] == "A"]}
    pub_a = ctx.file("public-A.json")
    with open(pub_a, "w") as f:
        json.dump(only_a, f)
    jwks = ctx.file("live.jwks.json")  # the file the worker reads, rewritten below

    def write_jwks(text):
        tmp = jwks + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, jwks)

    write_jwks(json.dumps(only_a))
    # Tokens signed with B (and some with A), valid at AT.
    b_priv = ctx.file("private-B.json")
    with open(priv) as f:
        allpriv = json.load(f)
    with open(b_priv, "w") as f:
        json.dump({"keys": [k for k in allpriv["keys"] if k["kid"] == "B"]}, f)
    rng = random.Random(SEED + 3)
    b_tokens = ctx.jb.gen(b_priv, 60, SEED + 3, mix="valid=100")
    a_tokens = ctx.jb.gen(priv, 20, SEED + 4, mix="valid=100")
    reader = ctx.reader(OUT)
    w = Worker(ctx, "worker", IN, OUT, f"g-{uuid.uuid4().hex[:8]}", jwks)
    exp = Expected(IN)

    def step(values, ref_jwks, want_b):
        ref = expected_verify(ctx.jb, values, ref_jwks)
        for v in b_tokens:
            if v in ref and ref[v]["status"] != want_b:
                raise TestFailure(f"verify with {ref_jwks} says {ref[v]['status']} of a B token, "
                                  f"the test expects {want_b}")
        delivered = produce(ctx.mock.bootstrap, IN, token_messages(values, rng))
        exp.add(delivered, lambda v: [ref[v]])
        wait_complete(reader, exp, ctx.args.timeout, [w])
        return ref

    # 1: B unknown. verify says of B's tokens whatever "no key for this kid" is.
    ref1 = expected_verify(ctx.jb, b_tokens[:20], pub_a)
    status_unknown = ref1[b_tokens[0]]["status"]
    if status_unknown == "ok":
        raise TestFailure("verify accepts B's token without B's key")
    step(b_tokens[:20] + a_tokens[:10], pub_a, status_unknown)
    # 2: the file now holds B; SIGHUP; B's tokens are ok.
    write_jwks(json.dumps(full))
    mark = len(w.stderr_text())
    w.send(signal.SIGHUP)
    wait_stderr(w, r"SIGHUP: keys reloaded", after=mark)
    step(b_tokens[20:40] + a_tokens[10:15], pub, "ok")
    # 3: the file is garbage; SIGHUP: the previous keys (A and B) stay, said on stderr.
    write_jwks("this is { not a JWK Set\n")
    mark = len(w.stderr_text())
    w.send(signal.SIGHUP)
    line = wait_stderr(w, r"[^\n]*not reloaded[^\n]*", after=mark)
    if jwks not in line:
        raise TestFailure(f"the failed reload's message does not name {jwks}: {line!r}")
    ctx.figures["failed_reload_message"] = line
    time.sleep(0.3)
    if w.proc.poll() is not None:
        raise TestFailure(f"the worker exited {w.proc.returncode} after a failed reload")
    step(b_tokens[40:] + a_tokens[15:], pub, "ok")
    w.stop()
    reader.drain()
    ctx.soft(check_verdicts, reader, exp)
    s = w.read_summary()
    if (s.get("reloads"), s.get("reloads_failed")) != (1, 1):
        ctx.failures.append(f"summary: reloads {s.get('reloads')}, reloads_failed "
                            f"{s.get('reloads_failed')}; expected 1 and 1")
    ctx.figures.update(messages=len(exp.by_place), status_without_key=status_unknown,
                       worker=ctx.soft(check_summaries, [w], exp))


def scenario_scan(ctx):
    IN = "scan-in"
    priv, pub = ctx.keys()
    rng = random.Random(SEED + 5)
    access = ctx.jb.gen(priv, 150, SEED + 5, fmt="access-log")
    jsonl = ctx.jb.gen(priv, 150, SEED + 6, fmt="json-log",
                       mix="valid=70,expired=10,forged=10,malformed=10")
    lines = access + jsonl
    # Two tokens on one line: two generated lines joined (both their tokens stay).
    lines += [access[i] + b" | " + jsonl[i] for i in range(0, 60)]
    lines += [b"", b"no token on this line", b"GET /health HTTP/1.1 200 -"]
    delivered = produce(ctx.mock.bootstrap, IN, token_messages(lines, rng))
    ctx.figures["messages"] = len(delivered)
    # Judged at --at, then (a second worker, group and OUT) at each line's own time.
    for out, extra in (("scan-out", []), ("scan-out-logtime", ["--at-log-time"])):
        ref = ctx.jb.reference("scan", lines, pub, extra)
        for recs in ref:
            for r in recs:
                r["token_offset"] = r.pop("offset")
        counts = {}
        for recs in ref:
            counts[len(recs)] = counts.get(len(recs), 0) + 1
        if not (counts.get(0) and counts.get(1) and counts.get(2)):
            raise TestFailure(f"test bug: lines by token count {counts}: need 0, 1 and 2")
        by_line = dict(zip(lines, ref))
        exp = Expected(IN)
        exp.add(delivered, lambda v: by_line[v if v is not None else b""])
        reader = ctx.reader(out)
        w = Worker(ctx, f"worker-{out}", IN, out, f"g-{uuid.uuid4().hex[:8]}", pub,
                   ["--mode", "scan"] + extra)
        wait_complete(reader, exp, ctx.args.timeout, [w])
        w.stop()
        reader.drain()
        ctx.soft(check_verdicts, reader, exp)
        s = w.read_summary()
        want_without = sum(1 for _, recs in exp.by_place.values() if not recs)
        if s.get("messages_without_token") != want_without:
            ctx.failures.append(f"{out}: summary: messages_without_token "
                                f"{s.get('messages_without_token')}, expected {want_without}")
        ctx.figures[out] = dict(records=exp.record_count(),
                                lines_by_token_count={str(k): v for k, v in sorted(counts.items())},
                                worker=ctx.soft(check_summaries, [w], exp))


SCENARIOS = {
    "workers": (scenario_workers, [("workers-in", IN_PARTITIONS), ("workers-out", OUT_PARTITIONS)]),
    "kill9": (scenario_kill9, [("kill9-new_id-in", IN_PARTITIONS), ("kill9-new_id-out", OUT_PARTITIONS),
                               ("kill9-same_id-in", IN_PARTITIONS),
                               ("kill9-same_id-out", OUT_PARTITIONS)]),
    "broker_down": (scenario_broker_down, [("down-in", IN_PARTITIONS), ("down-out", OUT_PARTITIONS)]),
    "reload": (scenario_reload, [("reload-in", IN_PARTITIONS), ("reload-out", OUT_PARTITIONS)]),
    "scan": (scenario_scan, [("scan-in", IN_PARTITIONS), ("scan-out", OUT_PARTITIONS),
                             ("scan-out-logtime", OUT_PARTITIONS)]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jwtbatch", required=True)
    ap.add_argument("--mock", required=True)
    ap.add_argument("--only", help="scenarios to run, comma-separated: " + ", ".join(SCENARIOS))
    ap.add_argument("--report", help="write the measured figures as JSON to FILE")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directories")
    ap.add_argument("--tmp", default=None, help="where scratch directories go")
    ap.add_argument("--timeout", type=float, default=90,
                    help="longest wait for a scenario's verdicts, seconds")
    ap.add_argument("--worker-x", action="append", default=[], metavar="ARG",
                    help="an extra argument for every worker (e.g. --worker-x=-Xdebug=cgrp)")
    ap.add_argument("--down-txn-timeout-ms", type=int, default=60000,
                    help="broker_down's transaction.timeout.ms (default Kafka's 60000)")
    ap.add_argument("--scale-workers", type=int, default=30000)
    ap.add_argument("--scale-kill9", type=int, default=30000)
    ap.add_argument("--scale-down", type=int, default=30000)
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            ap.error(f"--only {n}: no such scenario ({', '.join(SCENARIOS)})")

    def on_term(sig, _frame):
        kill_children()
        sys.exit(128 + sig)

    signal.signal(signal.SIGTERM, on_term)
    report = {"jwtbatch": args.jwtbatch, "mock": args.mock, "scenarios": {}}
    failed = []
    for name in names:
        fn, topics = SCENARIOS[name]
        log(f"{name}: start")
        t0 = time.monotonic()
        entry = {"passed": False}
        ctx = None
        try:
            ctx = Context(args, name, topics)
            fn(ctx)
            if ctx.failures:
                raise TestFailure("\n".join(ctx.failures))
            entry["passed"] = True
            log(f"{name}: PASS ({time.monotonic() - t0:.1f} s)")
        except Exception as e:  # noqa: BLE001: every failure is reported, the next scenario runs
            entry["error"] = str(e) if isinstance(e, TestFailure) else traceback.format_exc()
            log(f"{name}: FAIL ({time.monotonic() - t0:.1f} s): {entry['error']}")
            if ctx is not None:
                log(f"{name}: scratch directory kept: {ctx.tmp}")
            failed.append(name)
        finally:
            if ctx is not None:
                entry.update(ctx.figures)
                ctx.close(entry["passed"])
            kill_children()
        entry["seconds"] = round(time.monotonic() - t0, 3)
        report["scenarios"][name] = entry
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=2, default=str)
            f.write("\n")
    log(f"{len(names) - len(failed)} of {len(names)} scenarios passed"
        + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
