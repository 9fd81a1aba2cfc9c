#!/usr/bin/python3
"""bench/keys/run.py: what keys that change cost, measured in one run.

  1. tokens/s of `jwtbatch verify` with the keys from --jwks-url (a loopback HTTPS
     server, tests/keys/https_server.py) against the same keys from a --jwks file, runs
     interleaved, medians: the cost of the refresh machinery (a key source followed per
     batch, a refresh thread) on the hot path;
  2. how long a rotation takes to reach a live `jwtbatch scan` reading a pipe: the
     server starts publishing a new key, then a line with a token of that key is
     written, and the time to its record is measured (the unknown kid makes one fetch).

    bash scripts/install-deps.sh && bash scripts/build.sh release
    nice /usr/bin/python3 bench/keys/run.py            # about a minute
    /usr/bin/python3 bench/keys/run.py --runs 1 --tokens 20000

Prints a Markdown table (bench/README.md, "Keys that change") on stdout.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "keys"))
import https_server  # noqa: E402  (tests/keys/https_server.py)

AT = "1709300000"  # the evaluation time; tokens are generated from 600 s before


def run(cmd, stdout=subprocess.PIPE):
    return subprocess.run(cmd, check=True, stdout=stdout, stderr=subprocess.PIPE, text=True)


PRIVATE = ("d", "p", "q", "dp", "dq", "qi", "oth")


def public_set(private_path, public_path):
    """The JWK Set a server publishes: private members dropped (an HMAC secret stays:
    it is its own verification key)."""
    with open(private_path) as f:
        keys = json.load(f)["keys"]
    doc = json.dumps({"keys": [{k: v for k, v in key.items() if k not in PRIVATE} for key in keys]})
    with open(public_path, "w") as f:
        f.write(doc)
    return doc


def rate(jwtbatch, keys_args, tokens, work):
    summary = os.path.join(work, "summary.json")
    r = subprocess.run([jwtbatch, "verify", "-q", "--at", AT, "--summary-json", summary,
                        *keys_args, tokens], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode not in (0, 1):  # 1: some token not ok (below)
        raise SystemExit(f"verify exited {r.returncode}: {r.stderr}")
    with open(summary) as f:
        s = json.load(f)
    # gen spreads the tokens' times over hours: some are not valid yet at AT, the same
    # ones whichever way the keys came; every signature is checked either way.
    return s["records"] / s["seconds"], s["ok"]


def rotation_pickup(jwtbatch, server, ca, work, samples):
    """Seconds from the server publishing a new key to scan's record of its token."""
    times = []
    for i in range(samples):
        old = os.path.join(work, f"old{i}.jwks")
        new = os.path.join(work, f"new{i}.jwks")
        run([jwtbatch, "keygen", "--alg", "ES256", "--kid", f"old{i}", "--out", old, "--force"])
        run([jwtbatch, "keygen", "--alg", "ES256", "--kid", f"new{i}", "--out", new, "--force"])
        with open(old) as f:
            old_keys = json.load(f)["keys"]
        with open(new) as f:
            new_keys = json.load(f)["keys"]
        public = lambda keys: [{k: v for k, v in key.items() if k not in PRIVATE} for key in keys]
        server.route("/rot.json", json.dumps({"keys": public(old_keys)}).encode())
        token = run([jwtbatch, "sign", "--jwks", new, "--kid", f"new{i}", "--exp-in", "1h"]).stdout.strip()
        before = server.count("/rot.json")
        p = subprocess.Popen([jwtbatch, "scan", "--jwks-url", server.url("/rot.json"), "--jwks-ca", ca,
                              "--jwks-cooldown", "1"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, bufsize=1)
        # A rotation comes long after the start: past the cooldown of the first fetch.
        p.stdin.write("started\n")  # no token: no record
        p.stdin.flush()
        deadline = time.monotonic() + 10
        while server.count("/rot.json") == before and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(1.1)
        server.route("/rot.json", json.dumps({"keys": public(old_keys + new_keys)}).encode())
        start = time.monotonic()
        p.stdin.write(f"GET /api Authorization: Bearer {token}\n")
        p.stdin.flush()
        record = json.loads(p.stdout.readline())
        times.append(time.monotonic() - start)
        p.stdin.close()
        p.wait()
        if record["status"] != "ok":
            raise SystemExit(f"rotation not picked up: {record}")
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=200000)
    ap.add_argument("--jwtbatch", default=os.path.join(TOP, "build/release/bin/jwtbatch"))
    args = ap.parse_args()
    j = args.jwtbatch
    with tempfile.TemporaryDirectory() as work:
        pki = https_server.make_pki(os.path.join(work, "pki"))
        server = https_server.JwksServer(pki)
        try:
            rows = []
            for alg, n in (("HS256", args.tokens), ("RS256", args.tokens // 4)):
                priv = os.path.join(work, f"{alg}.jwks")
                run([j, "keygen", "--alg", alg, "--kid", f"{alg}-1", "--out", priv, "--force"])
                tokens = os.path.join(work, f"{alg}.txt")
                with open(tokens, "w") as out:
                    run([j, "gen", "--jwks", priv, "--count", str(n), "--mix", "valid=100",
                         "--base-time", str(int(AT) - 600), "--seed", "1"], stdout=out)
                pub = os.path.join(work, f"{alg}.pub.jwks")
                server.route(f"/{alg}.json", public_set(priv, pub).encode())
                file_args = ["--jwks", pub]
                url_args = ["--jwks-url", server.url(f"/{alg}.json"), "--jwks-ca", pki["ca"]]
                f_rates, u_rates = [], []
                for _ in range(args.runs):
                    (fr, f_ok), (ur, u_ok) = rate(j, file_args, tokens, work), rate(j, url_args, tokens, work)
                    if f_ok != u_ok or f_ok == 0:
                        raise SystemExit(f"{alg}: {f_ok} ok from the file, {u_ok} from the URL")
                    f_rates.append(fr)
                    u_rates.append(ur)
                fm, um = statistics.median(f_rates), statistics.median(u_rates)
                rows.append((alg, n, fm, um))
                print(f"{alg}: file {fm:,.0f}/s, url {um:,.0f}/s", file=sys.stderr)
            pick = rotation_pickup(j, server, pki["ca"], work, args.runs)
        finally:
            server.close()
    print("| corpus | --jwks FILE | --jwks-url (loopback https) | url / file |")
    print("|---|---:|---:|---:|")
    for alg, n, fm, um in rows:
        print(f"| {alg}, {n:,} tokens | {fm:,.0f}/s | {um:,.0f}/s | {um / fm:.3f} |")
    ms = sorted(t * 1000 for t in pick)
    print()
    print(f"Rotation picked up by a live scan (new key published, then its token written; "
          f"median of {len(ms)}): {statistics.median(ms):.1f} ms "
          f"(min {ms[0]:.1f}, max {ms[-1]:.1f})")


if __name__ == "__main__":
    main()
