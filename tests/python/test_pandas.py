"""The module's results as pandas DataFrames (Debian's python3-pandas), as the README's
notebook example makes them."""
import collections

import pandas

import jwtbatch
from conftest import AT, read_lines


def test_columns_make_a_frame_one_row_per_token(work):
    tokens = read_lines(work / "asym.tokens")
    v = jwtbatch.Verifier(jwks=work / "asym-public.jwks", at=AT, claims=["scope"])
    df = pandas.DataFrame(v.verify_columns(tokens))
    records = v.verify(tokens)
    assert df.shape == (len(tokens), len(jwtbatch.RECORD_KEYS))
    assert list(df.columns) == list(jwtbatch.RECORD_KEYS)
    assert df.groupby("status").size().to_dict() == dict(
        collections.Counter(r["status"] for r in records))
    by_kid = df[df.status == jwtbatch.OK].groupby("kid").size().to_dict()
    assert by_kid == dict(collections.Counter(r["kid"] for r in records if r["status"] == "ok"))
    assert df["fp"].tolist() == [r["fp"] for r in records]
    # A number column: pandas reads a missing exp (None) as NaN.
    assert df["exp"].dropna().tolist() == [r["exp"] for r in records if "exp" in r]
    assert df["exp"].isna().sum() == sum("exp" not in r for r in records) > 0


def test_scan_records_make_a_frame_with_every_column(work, tmp_path):
    tokens = read_lines(work / "asym.tokens")[:200]
    log = tmp_path / "app.log"
    log.write_bytes(b"".join(b"GET /api?x=1 HTTP/1.1 Authorization: Bearer " + t + b"\n" +
                             b"GET /health HTTP/1.1\n" for t in tokens))
    v = jwtbatch.Verifier(jwks=work / "asym-public.jwks", at=AT)
    with open(log, "rb") as f:
        records = jwtbatch.scan(f, v)
    df = pandas.DataFrame(records, columns=[*jwtbatch.SCAN_KEYS, *jwtbatch.RECORD_KEYS])
    assert df.shape == (200, len(jwtbatch.SCAN_KEYS) + len(jwtbatch.RECORD_KEYS))
    assert df["line"].tolist() == list(range(1, 400, 2))
    assert set(df["at_source"]) == {"flag"}
    assert df["status"].tolist() == [r["status"] for r in v.verify(tokens)]
