"""Records of Verifier.verify equal the CLI's NDJSON records, token for token."""
import copy
import gc
import json

import pytest

import jwtbatch
from conftest import AT, cli_records, read_lines, run_cli


def both(work, corpus, cli_flags, **kwargs):
    """(records of `jwtbatch verify`, records of Verifier.verify) for one corpus."""
    _, out, _ = run_cli("verify", *cli_flags, work / corpus)
    expected = cli_records(out)
    tokens = read_lines(work / corpus)
    got = jwtbatch.Verifier(**kwargs).verify(tokens)
    assert len(got) == len(expected) == len(tokens)
    return expected, got


def assert_same(expected, got):
    for i, (e, g) in enumerate(zip(expected, got)):
        if e.pop("cut", False):
            # A line longer than the token limit is never read whole by the CLI: its
            # record says "cut" and has no fingerprint. A token handed to verify() is
            # whole in memory, so its record has its fingerprint.
            assert e["status"] == g["status"] == "token_too_large", f"token {i}"
            assert e.pop("fp") == "0" * 32 and len(g.pop("fp")) == 32, f"token {i}"
        assert g == e, f"token {i}"


def test_mixed_corpus_with_policy_equals_cli(work):
    expected, got = both(
        work, "asym.tokens",
        ["--jwks", work / "asym-public.jwks", "--at", AT, "--iss", "https://issuer.example",
         "--aud", "api.example", "--claims", "scope,roles,email_verified,amr,missing"],
        jwks=[str(work / "asym-public.jwks")], at=AT, iss="https://issuer.example",
        aud=["api.example"], claims=["scope", "roles", "email_verified", "amr", "missing"])
    assert_same(expected, got)
    statuses = {r["status"] for r in got}
    assert {"ok", "expired", "bad_signature"} <= statuses
    assert any("claims" in r and "iss" in r and "aud" in r for r in got)


def test_hostile_corpus_equals_cli(work):
    expected, got = both(work, "hostile.tokens",
                         ["--jwks", work / "asym-public.jwks", "--at", AT],
                         jwks=work / "asym-public.jwks", at=AT)
    assert_same(expected, got)
    assert any("label" in r for r in got)
    assert len({r["status"] for r in got}) > 5


def test_hmac_corpus_with_limits_equals_cli(work):
    expected, got = both(
        work, "hs.tokens",
        ["--jwks", work / "hs-private.jwks", "--at", AT, "--alg", "HS256", "--require", "jti",
         "--max-age", 300, "--leeway", 30, "--threads", 2, "--cache-size", 0],
        jwks=[work / "hs-private.jwks"], at=AT, algs="HS256", require=["jti"], max_age=300,
        leeway=30, threads=2, cache_size=0)
    assert_same(expected, got)
    assert {"ok", "too_old"} & {r["status"] for r in got}


def test_rfc3339_at_and_per_call_at(work):
    tokens = read_lines(work / "asym.tokens")[:500]
    fixed = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at="2024-03-01T08:10:00Z")
    plain = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"])
    assert fixed.verify(tokens) == plain.verify(tokens, at=AT)
    assert plain.verify(tokens, at=[AT] * len(tokens)) == plain.verify(tokens, at=float(AT))
    # One time per token: a far-future time expires every genuine token.
    times = [AT if i % 2 else 4102444800 for i in range(len(tokens))]
    mixed = plain.verify(tokens, at=times)
    for i, r in enumerate(mixed):
        if i % 2 == 0 and r.get("status") not in ("bad_signature",) and "exp" in r:
            assert r["status"] == "expired"
    with pytest.raises(ValueError, match="times for"):
        plain.verify(tokens, at=[AT])


def test_columns_are_the_records(work):
    tokens = read_lines(work / "hostile.tokens")[:800]
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT, claims=["scope"])
    records = v.verify(tokens)
    columns = v.verify_columns(tokens)
    assert list(columns) == list(jwtbatch.RECORD_KEYS)
    for key, column in columns.items():
        assert len(column) == len(tokens)
        assert column == [r.get(key) for r in records], key


def test_str_and_bytes_tokens_agree(work):
    tokens = read_lines(work / "asym.tokens")[:300]
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT)
    assert v.verify(tokens) == v.verify([t.decode() for t in tokens])
    assert v.verify([]) == []
    assert v.verify(t for t in tokens) == v.verify(tokens)
    with pytest.raises(TypeError):
        v.verify("one.token.only")
    with pytest.raises(TypeError):
        v.verify([1, 2])


def test_status_vocabulary():
    assert jwtbatch.OK == "ok"
    assert jwtbatch.BAD_SIGNATURE == "bad_signature"
    assert jwtbatch.KEY_OUTSIDE_WINDOW == "key_outside_window"
    assert jwtbatch.STATUSES[0] == "ok" and len(set(jwtbatch.STATUSES)) == len(jwtbatch.STATUSES)
    for name in jwtbatch.STATUSES:
        assert getattr(jwtbatch, name.upper()) == name
        assert jwtbatch.CLASS_OF[name] in jwtbatch.CLASSES
    assert jwtbatch.CLASS_OF["expired"] == "claims"
    assert issubclass(jwtbatch.ConfigError, ValueError)


def test_secret_file_and_jwks_json(work, tmp_path):
    import base64
    import json
    secret = b"s" * 32
    path = tmp_path / "secret.bin"
    path.write_bytes(secret)
    import hashlib
    import hmac

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "a", "exp": 2000000000}).encode())
    sig = b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
    token = f"{head}.{body}.{sig}"
    r = jwtbatch.Verifier(secret_files=str(path), at=AT).verify([token])[0]
    assert r["status"] == "ok" and r["sub"] == "a" and r["alg"] == "HS256"
    jwks = json.dumps({"keys": [{"kty": "oct", "k": b64(secret), "alg": "HS256"}]})
    assert jwtbatch.Verifier(jwks_json=jwks, at=AT).verify([token])[0]["status"] == "ok"
    assert jwtbatch.Verifier(jwks_json=jwks, at=AT, typ="at+jwt").verify([token])[0][
        "status"] == "typ_mismatch"


def test_calls_longer_than_a_chunk(work):
    # 20,000 tokens: more than one chunk of the module (16,384), one time per token.
    tokens = read_lines(work / "hs.tokens")
    v = jwtbatch.Verifier(jwks=[work / "hs-private.jwks"], cache_size=0)
    one = v.verify(tokens, at=AT)
    assert len(one) == len(tokens) == 20000
    assert v.verify(tokens, at=[AT] * len(tokens)) == one
    assert v.verify_columns(tokens, at=AT)["fp"] == [r["fp"] for r in one]
    with pytest.raises(TypeError, match=r"tokens\[19999\]"):
        v.verify(tokens[:-1] + [None])


def test_records_are_plain_dicts_a_caller_may_change(work):
    # Records share one table of keys (record_shapes in the module) and stay out of the
    # collector's rounds; to the caller they are dicts like any other.
    tokens = read_lines(work / "asym.tokens")[:300]
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT)
    records = v.verify(tokens)
    ok = next(r for r in records if r["status"] == "ok")
    with_claims = next(r for r in jwtbatch.Verifier(
        jwks=[work / "asym-public.jwks"], at=AT, claims=["scope"]).verify(tokens) if "claims" in r)
    assert type(ok) is dict and not gc.is_tracked(ok) and not gc.is_tracked(ok["aud"])
    assert gc.is_tracked(with_claims)
    before = copy.deepcopy(ok)
    ok["note"] = "seen"  # a key of another name
    ok["status"] = "reviewed"
    del ok["fp"]
    ok["aud"].append("other")
    assert list(ok) == [k for k in before if k != "fp"] + ["note"]
    assert ok["status"] == "reviewed" and ok["aud"] == before["aud"] + ["other"]
    assert json.loads(json.dumps(ok)) == ok
    # No other record changed, and the next call's are made as before.
    again = v.verify(tokens)
    changed = records.index(ok)
    assert again[changed] == before
    assert [r for i, r in enumerate(records) if i != changed] == [
        r for i, r in enumerate(again) if i != changed]
