"""A configuration the CLI refuses raises ConfigError with the CLI's own message."""
import pytest

import jwtbatch
from conftest import run_cli

AT = 1709280600


def cli_message(work, *flags):
    """The message `jwtbatch verify FLAGS` refuses the configuration with."""
    empty = work / "empty.tokens"
    empty.write_bytes(b"")
    code, _, err = run_cli("verify", *flags, empty, check=False)
    assert code == 2, err
    line = err.strip().splitlines()[0]
    for prefix in ("jwtbatch verify: ", "jwtbatch: "):
        if line.startswith(prefix):
            return line[len(prefix):]
    return line


CASES = [
    # (CLI flags, Verifier keyword arguments); "{w}" is the work directory.
    (["--jwks", "{w}/missing.jwks"], dict(jwks=["{w}/missing.jwks"])),
    (["--jwks", "{w}/asym-public.jwks", "--alg", "XS256"],
     dict(jwks="{w}/asym-public.jwks", algs=["XS256"])),
    (["--jwks", "{w}/asym-public.jwks", "--alg", "none"],
     dict(jwks="{w}/asym-public.jwks", algs="none")),
    (["--jwks", "{w}/asym-public.jwks", "--jwks", "{w}/hs-private.jwks"],
     dict(jwks=["{w}/asym-public.jwks", "{w}/hs-private.jwks"])),
    (["--jwks", "{w}/asym-public.jwks", "--leeway", "86401"],
     dict(jwks="{w}/asym-public.jwks", leeway=86401)),
    (["--jwks", "{w}/asym-public.jwks", "--leeway", "-1"],
     dict(jwks="{w}/asym-public.jwks", leeway=-1)),
    (["--jwks", "{w}/asym-public.jwks", "--threads", "5000"],
     dict(jwks="{w}/asym-public.jwks", threads=5000)),
    (["--jwks", "{w}/asym-public.jwks", "--max-age", "-3"],
     dict(jwks="{w}/asym-public.jwks", max_age=-3)),
    (["--jwks", "{w}/asym-public.jwks", "--at", "2024-03-01T08:00:00"],
     dict(jwks="{w}/asym-public.jwks", at="2024-03-01T08:00:00")),
    (["--jwks", "{w}/asym-public.jwks", "--at", "yesterday"],
     dict(jwks="{w}/asym-public.jwks", at="yesterday")),
    (["--jwks", "{w}/asym-public.jwks", "--at", "99999999999999"],
     dict(jwks="{w}/asym-public.jwks", at=99999999999999)),
    (["--secret-file", "{w}/asym-public.jwks"], dict(secret_files="{w}/asym-public.jwks")),
    (["--jwks", "{w}/empty.tokens"], dict(jwks="{w}/empty.tokens")),
]


@pytest.mark.parametrize("flags,kwargs", CASES, ids=lambda c: " ".join(c) if isinstance(c, list) else None)
def test_message_is_the_clis(work, flags, kwargs):
    (work / "empty.tokens").write_bytes(b"")
    w = str(work)

    def fill(v):
        if isinstance(v, str):
            return v.replace("{w}", w)
        if isinstance(v, list):
            return [fill(x) for x in v]
        return v

    expected = cli_message(work, *[fill(f) for f in flags])
    with pytest.raises(jwtbatch.ConfigError) as e:
        jwtbatch.Verifier(**{k: fill(v) for k, v in kwargs.items()})
    assert str(e.value) == expected


def test_no_keys_message_is_the_clis(work):
    expected = cli_message(work)
    with pytest.raises(jwtbatch.ConfigError) as e:
        jwtbatch.Verifier()
    assert str(e.value) == expected


def test_mixed_keys_allowed_when_asked(work):
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks", work / "hs-private.jwks"],
                          allow_mixed_keys=True, at=AT)
    assert v.verify(["a.b"])[0]["status"] == "bad_segments"


def test_type_errors_are_not_config_errors(work):
    with pytest.raises(TypeError):
        jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], iss=[1])
    with pytest.raises(TypeError):
        jwtbatch.Verifier(jwks=42)
    with pytest.raises(TypeError, match="^--leeway: expected an int, not str$"):
        jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], leeway="5")
    with pytest.raises(TypeError, match="^--syslog-year: expected an int, not str$"):
        jwtbatch.scan([], jwtbatch.Verifier(jwks=[work / "asym-public.jwks"]), syslog_year="2024")


def test_per_token_failures_are_results(work):
    v = jwtbatch.Verifier(jwks=[work / "asym-public.jwks"], at=AT)
    records = v.verify(["", "a.b.c", "x" * 100000, "\u00e9.\u00e9.\u00e9", b"\xff\xfe.a.b"])
    assert [r["status"] for r in records] == [
        "bad_segments", "bad_base64", "token_too_large", "bad_base64", "bad_base64"]
    assert all(len(r["fp"]) == 32 for r in records)
