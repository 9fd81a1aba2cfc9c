"""Fixtures of the Python module's tests: the jwtbatch program, keys and corpora it makes.

ctest runs this suite with PYTHONPATH=<build>/python and JWTBATCH_CLI=<build>/bin/jwtbatch
(tests/CMakeLists.txt); by hand:
  PYTHONPATH=build/release/python JWTBATCH_CLI=build/release/bin/jwtbatch \
    /usr/bin/python3 -m pytest -q tests/python
"""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("JWTBATCH_CLI", str(ROOT / "build" / "release" / "bin" / "jwtbatch"))
# gen's first line's time; every comparison evaluates at a fixed time after it.
BASE_TIME = "2024-03-01T08:00:00Z"
AT = 1709280000 + 600  # BASE_TIME + 10 minutes


def run_cli(*args, check=True):
    """Runs the program; returns (exit code, stdout bytes, stderr text)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, timeout=300)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"jwtbatch {' '.join(map(str, args))}: exit {p.returncode}: "
                             f"{p.stderr.decode(errors='replace')}")
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def cli_records(stdout):
    """The NDJSON records of `jwtbatch verify`, without their place in the input."""
    out = []
    for line in stdout.splitlines():
        record = json.loads(line)
        record.pop("line", None)
        record.pop("file", None)
        out.append(record)
    return out


def read_lines(path):
    data = pathlib.Path(path).read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("jwtbatch-python")
    run_cli("keygen", "--alg", "RS256,ES256,EdDSA", "--out", d / "asym-private.jwks",
            "--public-out", d / "asym-public.jwks")
    run_cli("keygen", "--alg", "HS256", "--out", d / "hs-private.jwks")
    run_cli("gen", "--jwks", d / "asym-private.jwks", "--count", 3000, "--repeat", 3,
            "--mix", "valid=70,expired=10,forged=10,malformed=10", "--base-time", BASE_TIME,
            "--seed", 21, "--out", d / "asym.tokens")
    run_cli("gen", "--jwks", d / "asym-private.jwks", "--hostile", "--count", 2000,
            "--base-time", BASE_TIME, "--seed", 22, "--out", d / "hostile.tokens")
    run_cli("gen", "--jwks", d / "hs-private.jwks", "--count", 20000,
            "--mix", "valid=90,expired=5,forged=3,malformed=2", "--base-time", BASE_TIME,
            "--seed", 23, "--out", d / "hs.tokens")
    return d
