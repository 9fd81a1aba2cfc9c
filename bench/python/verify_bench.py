#!/usr/bin/python3
"""verify_bench.py: 100,000 tokens through jwtbatch.Verifier.verify, against PyJWT's
jwt.decode and against the C++ batch API (batch_verifier::verify_batch), in one run.

  PYTHONPATH=build/release/python /usr/bin/python3 bench/python/verify_bench.py \\
      [--count 100000] [--repeat 5] [--alg HS256|RS256|ES256|EdDSA]

The tokens are made here with PyJWT's jwt.encode (--alg, HS256 by default; a kid; all
distinct, valid for the next hour: iss, sub, aud, exp, nbf, iat, jti and a custom claim)
and verified by all three with the same key and the same checks (signature, exp, nbf,
iat, issuer, audience). Verifier runs on every core with the verified-token cache off: every call
here verifies the same tokens again, which a cache would answer from memory.
Prints the median tokens/s of each (of --repeat calls; PyJWT once) and the ratios the
issue sets: Verifier.verify >= 20x PyJWT, and within 1.5x of the C++ batch API. A call's
time includes dropping its result, as a loop over batches would. Needs python3-jwt
(Debian's PyJWT) and, for the other algorithms, python3-cryptography.
"""
import argparse
import base64
import json
import os
import statistics
import time

import jwt  # PyJWT

import jwtbatch
from timing import median_of


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--alg", choices=["HS256", "RS256", "ES256", "EdDSA"], default="HS256",
                    help="the tokens' algorithm (RS256: signing 100,000 takes a minute)")
    ap.add_argument("--pyjwt-count", type=int, default=0,
                    help="tokens PyJWT decodes (default: all of them)")
    args = ap.parse_args()

    alg = args.alg
    if alg == "HS256":
        signing = verifying = os.urandom(32)
        jwk = {"kty": "oct", "k": base64.urlsafe_b64encode(signing).rstrip(b"=").decode()}
    else:
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
        signing, algorithm = {
            "RS256": (lambda: rsa.generate_private_key(65537, 2048), jwt.algorithms.RSAAlgorithm),
            "ES256": (lambda: ec.generate_private_key(ec.SECP256R1()), jwt.algorithms.ECAlgorithm),
            "EdDSA": (ed25519.Ed25519PrivateKey.generate, jwt.algorithms.OKPAlgorithm),
        }[alg]
        signing = signing()
        verifying = signing.public_key()
        jwk = json.loads(algorithm.to_jwk(verifying))
    kid = f"{alg.lower()}-1"
    now = int(time.time())
    tokens = [
        jwt.encode({"iss": "https://issuer.example", "sub": f"user-{i % 5000:05d}",
                    "aud": "api.example", "exp": now + 3600, "nbf": now - 60, "iat": now - 60,
                    "jti": f"{i:012d}", "scope": "read write"},
                   signing, algorithm=alg, headers={"kid": kid})
        for i in range(args.count)
    ]
    jwks = json.dumps({"keys": [{**jwk, "kid": kid, "alg": alg}]})

    v = jwtbatch.Verifier(jwks_json=jwks, iss="https://issuer.example", aud="api.example",
                          algs=alg, cache_size=0)
    records = v.verify(tokens)
    assert all(r["status"] == "ok" for r in records), "every token must verify"
    t_verify = median_of(args.repeat, lambda: v.verify(tokens))
    t_columns = median_of(args.repeat, lambda: v.verify_columns(tokens))
    t_engine = statistics.median(v._engine_seconds(tokens, args.repeat))

    sample = tokens[:args.pyjwt_count] if args.pyjwt_count else tokens

    def pyjwt():
        for tok in sample:
            jwt.decode(tok, verifying, algorithms=[alg], audience="api.example",
                       issuer="https://issuer.example")

    t_pyjwt = median_of(1, pyjwt) * len(tokens) / len(sample)

    n = len(tokens)
    print(f"{n} {alg} tokens, {v.threads} threads, PyJWT {jwt.__version__}")
    for name, t in (("jwtbatch.Verifier.verify", t_verify),
                    ("jwtbatch.Verifier.verify_columns", t_columns),
                    ("C++ batch_verifier::verify_batch", t_engine),
                    ("PyJWT jwt.decode (one thread)", t_pyjwt)):
        print(f"  {name:34} {t:8.3f} s  {n / t:12,.0f} tokens/s")
    goal = alg == "HS256"  # the goals are for HS256, where the engine is fastest
    print(f"verify vs PyJWT:          {t_pyjwt / t_verify:6.1f}x faster"
          + (" (goal >= 20x)" if goal else ""))
    print(f"verify vs C++ batch API:  {t_verify / t_engine:6.2f}x the time"
          + (" (goal <= 1.5x)" if goal else ""))
    print(f"verify_columns vs C++:    {t_columns / t_engine:6.2f}x the time")


if __name__ == "__main__":
    main()
