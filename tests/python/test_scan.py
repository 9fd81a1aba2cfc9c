"""jwtbatch.scan finds and judges the tokens of log lines as `jwtbatch scan` does.

Its records must equal the CLI's NDJSON records parsed with json.loads, value for value
and type for type (the CLI leaves "file" out when it scans one file), whatever shape
the lines come in: one str, one bytes-like object, a list of lines or an open file.
"""
import json
import mmap
import random

import pytest

import jwtbatch
from conftest import AT, BASE_TIME, read_lines, run_cli

POLICY = dict(iss="https://issuer.example", aud=["api.example"], claims=["scope", "roles"])
POLICY_FLAGS = ["--iss", "https://issuer.example", "--aud", "api.example",
                "--claims", "scope,roles"]
LINE_TIME = 1709280300  # 2024-03-01T08:05:00Z: BASE_TIME + 5 minutes, before AT
CHUNK = 4 << 20  # the module scans an iterable's lines this many bytes at a time
FILLER = b"GET /static/app.css HTTP/1.1 200 1234 -\n"


@pytest.fixture(scope="module")
def logs(work, tmp_path_factory):
    """Generated logs of each format, and "mixed.log": access-log lines (with a time)
    interleaved with token lines (without one)."""
    d = tmp_path_factory.mktemp("scan")
    mix = ["--mix", "valid=60,expired=15,forged=15,malformed=10"]
    for name, fmt, seed, kind in [("tokens", "tokens", 41, mix),
                                  ("access-log", "access-log", 42, mix),
                                  ("json-log", "json-log", 43, mix),
                                  ("hostile", "access-log", 44, ["--hostile"])]:
        run_cli("gen", "--jwks", work / "asym-private.jwks", "--count", 1200, "--repeat", 2,
                *kind, "--format", fmt, "--base-time", BASE_TIME, "--seed", seed,
                "--out", d / f"{name}.log")
    pairs = zip(read_lines(d / "access-log.log"), read_lines(d / "tokens.log"))
    (d / "mixed.log").write_bytes(b"".join(a + b"\n" + t + b"\n" for a, t in pairs))
    return d


@pytest.fixture(scope="module")
def keys(work):
    return [str(work / "asym-public.jwks")]


@pytest.fixture(scope="module")
def verifier(keys):
    return jwtbatch.Verifier(jwks=keys, at=AT)


@pytest.fixture(scope="module")
def token(logs, verifier):
    """A genuine token, ok at BASE_TIME and at AT (so also at LINE_TIME)."""
    for t in read_lines(logs / "tokens.log"):
        if {r["status"] for r in verifier.verify([t, t], at=[AT - 600, AT])} == {"ok"}:
            return t.decode()
    raise AssertionError("no valid token in tokens.log")


def cli_scan(keys, path, *flags):
    """The records of `jwtbatch scan --jwks KEYS FLAGS PATH`, parsed."""
    jwks = [arg for k in keys for arg in ("--jwks", k)]
    _, out, _ = run_cli("scan", "-q", *jwks, *flags, path)
    return [json.loads(line) for line in out.splitlines()]


def assert_same(expected, got):
    """Equal records, with the same types (1 is not 1.0 nor True) and key order."""
    assert len(got) == len(expected)
    for i, (e, g) in enumerate(zip(expected, got)):
        assert g == e, f"record {i}"
        assert json.dumps(g) == json.dumps(e), f"record {i}: types or key order"


def scan_both(keys, tmp_path, data, **kwargs):
    """jwtbatch.scan(data) at AT, after checking that it equals `jwtbatch scan --at AT`
    of the same bytes (written to tmp_path/hand.log) with the matching flags."""
    path = tmp_path / "hand.log"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    flags = ["--at", AT] + ["--at-log-time"] * kwargs.get("at_log_time", False)
    for name in ("time_field", "syslog_year"):
        if kwargs.get(name) is not None:
            flags += ["--" + name.replace("_", "-"), kwargs[name]]
    got = jwtbatch.scan(data, jwtbatch.Verifier(jwks=keys, at=AT), **kwargs)
    assert_same(cli_scan(keys, path, *flags), got)
    return got


def expect(verify_record, **scan_keys):
    """The scan record of a token: its SCAN_KEYS in their order, then verify()'s keys."""
    head = {k: scan_keys.pop(k) for k in jwtbatch.SCAN_KEYS if k in scan_keys}
    assert not scan_keys, f"not scan keys: {scan_keys}"
    return {**head, **verify_record}


def assert_records(got, expected):
    assert [list(r.items()) for r in got] == [list(r.items()) for r in expected]


# 1. Generated corpora: the module's records are the CLI's.

@pytest.mark.parametrize("corpus", ["tokens", "access-log", "json-log", "hostile"])
def test_corpus_equals_cli_in_every_input_shape(logs, keys, corpus):
    path = logs / f"{corpus}.log"
    expected = cli_scan(keys, path, "--at", AT, *POLICY_FLAGS)
    v = jwtbatch.Verifier(jwks=keys, at=AT, **POLICY)
    data = path.read_bytes()
    assert_same(expected, jwtbatch.scan(data.decode(), v))
    assert_same(expected, jwtbatch.scan(data, v))
    assert_same(expected, jwtbatch.scan(read_lines(path), v))
    with open(path, "rb") as f:
        assert_same(expected, jwtbatch.scan(f, v))
    # Bytes-like objects are scanned where they are, as bytes.
    assert_same(expected, jwtbatch.scan(bytearray(data), v))
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        assert_same(expected, jwtbatch.scan(m, v))
        assert_same(expected, jwtbatch.scan(memoryview(m), v))
    assert len(expected) > 1000
    assert {r["at_source"] for r in expected} == {"flag"}
    statuses = {r["status"] for r in expected}
    if corpus == "hostile":
        assert any("label" in r for r in expected) and len(statuses) > 5
    else:
        assert {"ok", "expired", "bad_signature"} <= statuses
        assert "format" in {r["class"] for r in expected}


@pytest.mark.parametrize("corpus", ["access-log", "json-log"])
def test_at_log_time_equals_cli(logs, keys, corpus):
    # Every line has its own time, so neither side needs a fixed time.
    path = logs / f"{corpus}.log"
    expected = cli_scan(keys, path, "--at-log-time", *POLICY_FLAGS)
    got = jwtbatch.scan(path.read_bytes(), jwtbatch.Verifier(jwks=keys, **POLICY),
                        at_log_time=True)
    assert_same(expected, got)
    assert {r["at_source"] for r in got} == {"line"}
    assert {"ok", "expired"} <= {r["status"] for r in got}


@pytest.mark.parametrize("corpus", ["tokens", "mixed"])
def test_require_log_time_equals_cli(logs, keys, corpus):
    # Lines without a time are judged at --at (a fixed time, not the clock).
    path = logs / f"{corpus}.log"
    expected = cli_scan(keys, path, "--at", AT, "--at-log-time", "--require-log-time")
    with open(path, "rb") as f:
        got = jwtbatch.scan(f, jwtbatch.Verifier(jwks=keys, at=AT), at_log_time=True,
                            require_log_time=True)
    assert_same(expected, got)
    # In mixed.log the odd lines are access-log lines, the even ones token lines.
    untimed = [r for r in got if corpus == "tokens" or r["line"] % 2 == 0]
    timed = [r for r in got if corpus == "mixed" and r["line"] % 2 == 1]
    assert len(untimed) > 1000 and len(timed) + len(untimed) == len(got)
    for r in untimed:
        assert (r["status"], r["class"], r["detail"], r["at"], r["at_source"]) == (
            "no_log_time", "claims", "line without a time of its own", AT, "flag")
    assert {r["at_source"] for r in timed} == ({"line"} if corpus == "mixed" else set())


# 2. Hand-made lines: exact records.

def test_lines_without_tokens_give_no_record(keys, tmp_path):
    assert scan_both(keys, tmp_path, "GET / HTTP/1.1 200\nAuthorization: Basic dXNlcg==\n"
                                     "access_token=&x=1\n\n") == []


def test_line_numbers_and_byte_offsets(keys, tmp_path, verifier, token):
    prefix = "POST /api héllo wörld Authorization: Bearer "  # non-ASCII: offsets are bytes
    text = "filler one\nfiller two\n\n" + prefix + token + " 200\n"
    got = scan_both(keys, tmp_path, text)
    base = verifier.verify([token])[0]
    assert base["status"] == "ok"
    assert_records(got, [expect(base, line=4, offset=len(prefix.encode()), at=AT,
                                at_source="flag")])


def test_percent_encoded_parameter(keys, tmp_path, verifier, token):
    line = "GET /x?access_token=" + token.replace(".", "%2E") + "&y=1 HTTP/1.1\n"
    got = scan_both(keys, tmp_path, line)
    assert_records(got, [expect(verifier.verify([token])[0], line=1, offset=20,
                                encoding="percent", at=AT, at_source="flag")])
    assert got[0]["status"] == "ok"


def test_more_than_64_tokens_cut_the_line(keys, tmp_path, verifier, token):
    got = scan_both(keys, tmp_path, " ".join([token] * 65) + "\n" + token + "\n")
    base = verifier.verify([token])[0]
    step = len(token) + 1
    assert_records(got, [expect(base, line=1, offset=i * step, at=AT, at_source="flag",
                                cut=True) for i in range(64)]
                   + [expect(base, line=2, offset=0, at=AT, at_source="flag")])


def test_crlf_lines_equal_lf_lines(keys, tmp_path, verifier, token):
    lf = f"x\nAuthorization: Bearer {token}\n{{\"jwt\":\"{token}\"}}\n"
    got = scan_both(keys, tmp_path, lf.replace("\n", "\r\n"))
    assert got == jwtbatch.scan(lf, verifier)
    base = verifier.verify([token])[0]
    assert_records(got, [expect(base, line=2, offset=22, at=AT, at_source="flag"),
                         expect(base, line=3, offset=8, at=AT, at_source="flag")])


@pytest.mark.parametrize("line, kwargs", [
    ("2024-03-01T08:05:00Z GET /x Authorization: Bearer {t}", {}),
    ("2024-03-01T09:05:00+01:00 GET /x Authorization: Bearer {t}", {}),
    ('192.0.2.1 - - [01/Mar/2024:08:05:00 +0000] "GET /x?access_token={t} HTTP/1.1" 200 1',
     {}),
    ("Mar  1 08:05:00 host app[7]: Bearer {t}", dict(syslog_year=2024)),
    ('{{"ts":"2024-03-01T08:05:00Z","jwt":"{t}"}}', {}),
    ('{{"when":1709280300,"time":"2024-03-01T08:09:00Z","jwt":"{t}"}}',
     dict(time_field="when")),
], ids=["rfc3339", "rfc3339-offset", "combined-log", "syslog", "json-ts", "time-field"])
def test_at_source_line_is_the_line_time(keys, tmp_path, verifier, token, line, kwargs):
    text = line.format(t=token) + "\n"
    offset = text.encode().index(token.encode())
    got = scan_both(keys, tmp_path, text, at_log_time=True, **kwargs)
    assert_records(got, [expect(verifier.verify([token], at=LINE_TIME)[0], line=1,
                                offset=offset, at=LINE_TIME, at_source="line")])
    assert type(got[0]["at"]) is int and got[0]["status"] == "ok"
    # Without at_log_time the same line is judged at the Verifier's time.
    assert_records(jwtbatch.scan(text, verifier, **kwargs),
                   [expect(verifier.verify([token])[0], line=1, offset=offset, at=AT,
                           at_source="flag")])


def test_list_items_are_lines_blank_ones_included(keys, tmp_path, token):
    # Each item is one or more lines; an item without a "\n" gets one, so an empty item
    # (a blank line of read_lines) is a line too, as it is in the file.
    got = scan_both(keys, tmp_path, f"a\n\nb\nc\nBearer {token}\n\nBearer {token}\n")
    assert [(r["line"], r["offset"]) for r in got] == [(5, 7), (7, 7)]
    v = jwtbatch.Verifier(jwks=keys, at=AT)
    assert_same(got, jwtbatch.scan(read_lines(tmp_path / "hand.log"), v))
    assert_same(got, jwtbatch.scan(["a", "", "b\nc", f"Bearer {token}", "",
                                    f"Bearer {token}\n"], v))


# 3. Iterables are scanned 4 MiB at a time; line numbers run on across chunks.

def test_line_numbers_across_chunks(keys, tmp_path, token):
    tok_line = b"Authorization: Bearer " + token.encode() + b"\n"
    lines = [FILLER, tok_line] + [FILLER] * (CHUNK // len(FILLER) + 20000) + [tok_line]
    assert sum(map(len, lines[:-1])) > CHUNK + 500_000
    last = len(lines)
    data = b"".join(lines)
    v = jwtbatch.Verifier(jwks=keys, at=AT)
    for shape in (data, lines, (line.rstrip(b"\n") for line in lines),
                  [b"".join(lines[i:i + 999]) for i in range(0, last, 999)],
                  [line.decode() for line in lines]):
        assert [(r["line"], r["offset"], r["status"]) for r in jwtbatch.scan(shape, v)] == [
            (2, 22, "ok"), (last, 22, "ok")]
    assert len(scan_both(keys, tmp_path, data)) == 2


# 4. Configuration and argument errors.

@pytest.mark.parametrize("kwargs, flags, message", [
    (dict(require_log_time=True), ["--require-log-time"],
     "--require-log-time requires --at-log-time"),
    (dict(time_field=""), ["--at-log-time", "--time-field="], "--time-field: empty value"),
    (dict(syslog_year=1969), ["--syslog-year", "1969"],
     '--syslog-year: "1969" is out of range (expected a whole number, 1970..9999)'),
], ids=["require-log-time", "time-field", "syslog-year"])
def test_config_errors_carry_the_cli_message(logs, keys, verifier, kwargs, flags, message):
    with pytest.raises(jwtbatch.ConfigError) as e:
        jwtbatch.scan("x\n", verifier, **kwargs)
    assert isinstance(e.value, ValueError)
    assert str(e.value) == message
    code, _, err = run_cli("scan", "--jwks", keys[0], *flags, logs / "tokens.log",
                           check=False)
    assert (code, err.splitlines()[0]) == (2, "jwtbatch: " + message)


def test_lines_of_the_wrong_type_raise_type_error(verifier, token):
    with pytest.raises(TypeError) as e:
        jwtbatch.scan([f"Bearer {token}", 5], verifier)
    assert str(e.value).startswith("lines[1]: expected str or bytes")
    with pytest.raises(TypeError):
        jwtbatch.scan(5, verifier)


# 5. Hostile input gives records for the tokens in it and never raises.

@pytest.mark.parametrize("data", ["", b"", [], [b""], "\n\n\n", iter([])],
                         ids=["str", "bytes", "list", "empty-item", "blank-lines", "iterator"])
def test_empty_input_gives_no_record(verifier, data):
    assert jwtbatch.scan(data, verifier) == []


def test_hostile_bytes(keys, tmp_path, verifier, token):
    noise = random.Random(5).randbytes(1 << 20).replace(b"\n", b" ")
    assert jwtbatch.scan(noise, verifier) == []
    assert jwtbatch.scan([noise], verifier) == []
    tok = token.encode()
    data = b"".join([noise, b"\n",
                     b"\xff\xfe\xc3( Bearer " + tok + b" \xed\xa0\x80\xc0\xaf\n",
                     b"\x00" * 1000 + b"\n",
                     b"\x00\x01 Bearer " + tok + b" \x00\x7f\n",
                     b"\x80" * 5000 + b"\n"])
    got = scan_both(keys, tmp_path, data)
    assert jwtbatch.scan(data.split(b"\n"), verifier) == got
    base = verifier.verify([token])[0]
    assert_records(got, [expect(base, line=2, offset=12, at=AT, at_source="flag"),
                         expect(base, line=4, offset=10, at=AT, at_source="flag")])
