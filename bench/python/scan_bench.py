#!/usr/bin/python3
"""scan_bench.py: jwtbatch.scan against `jwtbatch scan` on the same access log, one run.

  PYTHONPATH=build/release/python /usr/bin/python3 bench/python/scan_bench.py \\
      [--jwtbatch build/release/bin/jwtbatch] [--lines 200000] [--repeat 5]

Makes an HS256 key and an access log of --lines lines (one token each, `jwtbatch gen`,
90% valid) in a temporary directory, then times, with the verified-token cache off and
one fixed evaluation time: the CLI scanning the file (its NDJSON records to /dev/null),
jwtbatch.scan of an mmap of the file, and jwtbatch.scan of the open file (Python's line
iteration). Prints the median of --repeat runs of each and their ratios to the CLI.
"""
import argparse
import mmap
import pathlib
import subprocess
import tempfile

import jwtbatch
from timing import median_of

AT = "2026-12-01T12:00:00Z"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jwtbatch", default="build/release/bin/jwtbatch")
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        keys, log = pathlib.Path(d) / "hs.jwks", pathlib.Path(d) / "access.log"
        subprocess.run([args.jwtbatch, "keygen", "--alg", "HS256", "--out", keys], check=True,
                       capture_output=True)
        subprocess.run([args.jwtbatch, "gen", "--jwks", keys, "--count", str(args.lines),
                        "--format", "access-log", "--seed", "9", "--base-time",
                        "2026-12-01T00:00:00Z", "--out", log], check=True, capture_output=True)
        v = jwtbatch.Verifier(jwks=[keys], at=AT, cache_size=0)

        def cli():
            subprocess.run([args.jwtbatch, "scan", "-q", "--jwks", keys, "--at", AT,
                            "--cache-size", "0", log], stdout=subprocess.DEVNULL, check=False)

        def mapped():
            with open(log, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                return jwtbatch.scan(m, v)

        def lines():
            with open(log, "rb") as f:
                return jwtbatch.scan(f, v)

        records = len(mapped())
        t_cli = median_of(args.repeat, cli)
        t_mapped = median_of(args.repeat, mapped)
        t_lines = median_of(args.repeat, lines)
        size = log.stat().st_size / 1e6
    print(f"{args.lines} lines ({size:.0f} MB), {records} records, {v.threads} threads")
    for name, t in (("jwtbatch scan (CLI, NDJSON to /dev/null)", t_cli),
                    ("jwtbatch.scan(mmap of the file)", t_mapped),
                    ("jwtbatch.scan(open file)", t_lines)):
        print(f"  {name:42} {t:7.3f} s  {t / t_cli:5.2f}x the CLI's time")


if __name__ == "__main__":
    main()
