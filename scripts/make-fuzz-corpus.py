#!/usr/bin/env python3
"""make-fuzz-corpus.py: write the seed corpora of the fuzz targets (fuzz/corpus/<target>/).

Seeds come from the shared vectors (every token of attack_vectors.json and
rfc_vectors.json) plus hand-written edge cases:
  compact/    whole tokens (JSON-serialization vectors as their JSON text)
  header/     the decoded header JSON of each token (protected header for JSON ones)
  base64url/  each base64url segment of each token
  structured_verify/  HS256 tokens signed with the fuzz fixture's secret (see
              fuzz/verify_fixture.hpp) over payloads at the claims checks' edges
  batch/      several of those and of the vector tokens per file, one per line
Generated files are named av-<id>..., rfc-<id>... and edge-<name>; files with other
names (crash reproducers, minimised finds) are left alone. Seeds of 4 KiB or more are
skipped (libFuzzer runs with -max_len=4096); identical contents are written once.

usage: scripts/make-fuzz-corpus.py [VECTORS_DIR]   (default: ../shared/vectors)
Standard library only.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "fuzz", "corpus")
TARGETS = ("base64url", "compact", "header", "structured_verify", "batch")
GENERATED = re.compile(r"^(av|rfc|edge)-")
MAX_SEED = 4096  # bytes, exclusive


def lenient_b64url(segment):
    """Decodes a possibly non-canonical segment (padding, '+', '/'); None if hopeless."""
    s = segment.strip().rstrip("=").replace("+", "-").replace("/", "_")
    if len(s) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError):
        return None


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


class Writer:
    def __init__(self, target):
        self.dir = os.path.join(CORPUS, target)
        self.seen = set()
        self.count = 0
        self.bytes = 0

    def add(self, name, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        if len(data) >= MAX_SEED or data in self.seen:
            return
        self.seen.add(data)
        with open(os.path.join(self.dir, safe_name(name)), "wb") as f:
            f.write(data)
        self.count += 1
        self.bytes += len(data)


def token_seeds(vectors_dir):
    """Yields (name, token) where token is a str (compact) or a dict (JSON serialization)."""
    attack = json.load(open(os.path.join(vectors_dir, "attack_vectors.json"), encoding="utf-8"))
    for v in attack["vectors"]:
        yield "av-" + v["id"], v["token"]
    rfc = json.load(open(os.path.join(vectors_dir, "rfc_vectors.json"), encoding="utf-8"))
    for v in rfc["vectors"]:
        yield "rfc-" + v["id"], v["token"]


def json_segments(token):
    """(protected, payload, signature) triples of a JWS JSON serialization."""
    sigs = token.get("signatures", [token])
    for s in sigs:
        yield s.get("protected", ""), token.get("payload", ""), s.get("signature", "")


# ---------------------------------------------------------------------------------------
# Hand-written edge cases (docs/SECURITY.md P1, P2, J1-J4, H1-H5).

B64_EDGES = {
    "empty": b"",
    "len1": b"A",
    "len2-ok": b"AQ",
    "len2-trailing-bits": b"AB",
    "len3-ok": b"AQE",
    "len3-trailing-bits": b"AQF",
    "padding": b"AQ==",
    "padding-one": b"AQE=",
    "plus-slash": b"a+/b",
    "space": b"ab c",
    "newline": b"abcd\n",
    "dash-underscore": b"-_-_",
    "nul": b"ab\x00d",
    "high-byte": b"ab\xc3\xa9",
    "block32-ok": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
    "block32-pad-at-31": b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcde=",
    "block64-high-byte-at-40": b"A" * 40 + b"\x80" + b"A" * 23,
    "block64-dot-at-0": b"." + b"A" * 63,
    "block32-len33": b"A" * 33,
    "block32-tail-trailing-bits": b"A" * 32 + b"AB",
    "block32-tail-ok": b"-_" * 16 + b"AQE",
    "header-hs256": b"eyJhbGciOiJIUzI1NiJ9",
}

COMPACT_EDGES = {
    "empty": b"",
    "dot1": b".",
    "dot2": b"..",
    "dot3": b"...",
    "dot4": b"....",
    "dot5": b".....",
    "dot6": b"......",
    "dots-100": b"." * 100,
    "three-ok": b"a.b.c",
    "empty-payload": b"a..c",
    "empty-signature": b"a.b.",
    "empty-header": b".b.c",
    "four-segments": b"a.b.c.d",
    "jwe-five": b"a.b.c.d.e",
    "six-segments": b"a.b.c.d.e.f",
    "json-serialization": b'{"payload":"e30","signature":"AA","protected":"e30"}',
    "brace-three-segments": b"{a.b.c",
    "trailing-newline": b"a.b.c\n",
    "leading-space": b" a.b.c",
    "nul-inside": b"a.b\x00.c",
}


def header_edges():
    e = {
        "minimal": '{"alg":"HS256"}',
        "dup-alg": '{"alg":"HS256","alg":"none"}',
        "dup-alg-same": '{"alg":"HS256","alg":"HS256"}',
        "dup-alg-escaped": '{"alg":"HS256","\\u0061lg":"none"}',
        "escaped-name": '{"\\u0061\\u006cg":"HS256"}',
        "escaped-value": '{"alg":"HS\\u0032\\u00356"}',
        "bom": "\ufeff" + '{"alg":"HS256"}',
        "alg-none": '{"alg":"none"}',
        "alg-none-case": '{"alg":"nOnE"}',
        "alg-none-escaped": '{"alg":"\\u006eone"}',
        "alg-nul": '{"alg":"HS256\\u0000"}',
        "alg-lower": '{"alg":"hs256"}',
        "alg-null": '{"alg":null}',
        "alg-number": '{"alg":256}',
        "alg-missing": '{"kid":"k"}',
        "empty-object": "{}",
        "empty": "",
        "whitespace": " \t\r\n",
        "crit-empty": '{"alg":"HS256","crit":[]}',
        "crit-ext": '{"alg":"HS256","crit":["exp"],"exp":1}',
        "crit-registered": '{"alg":"HS256","crit":["alg"]}',
        "crit-string": '{"alg":"HS256","crit":"exp"}',
        "crit-number": '{"alg":"HS256","crit":["exp",1]}',
        "b64-crit": '{"alg":"HS256","b64":false,"crit":["b64"]}',
        "b64-no-crit": '{"alg":"HS256","b64":false}',
        "b64-string": '{"alg":"HS256","b64":"false"}',
        "zip": '{"alg":"HS256","zip":"DEF"}',
        "cty-jwt": '{"alg":"HS256","cty":"JWT"}',
        "cty-app-jwt": '{"alg":"HS256","cty":"Application/jwt"}',
        "cty-app-only": '{"alg":"HS256","cty":"application/"}',
        "x5c-empty": '{"alg":"RS256","x5c":[]}',
        "x5c-number": '{"alg":"RS256","x5c":["MIIB",1]}',
        "jwk-dup": '{"alg":"ES256","jwk":{"kty":"EC","kty":"oct"}}',
        "jwk-array": '{"alg":"ES256","jwk":[]}',
        "all-members": '{"alg":"RS256","kid":"a\\/b\\u00e9","typ":"JWT","cty":"text/plain",'
        '"jku":"https://x","x5u":"https://y","x5t":"z","x5t#S256":"w","x5c":["MIIB"],'
        '"jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}',
        "trailing-space": '{"alg":"HS256"} ',
        "trailing-garbage": '{"alg":"HS256"}x',
        "two-objects": '{"alg":"HS256"}{}',
        "extra-brace": '{"alg":"HS256"}}',
        "array-root": '[{"alg":"HS256"}]',
        "string-root": '"alg"',
        "bignum": '{"alg":"HS256","x":100000000000000000000}',
        "bignum-dup": '{"alg":"HS256","x":-100000000000000000000,"alg":"HS256"}',
        "huge-exponent": '{"alg":"HS256","x":1e400}',
        "leading-zero": '{"alg":"HS256","x":01}',
        "zero-huge-exponent": '{"alg":"HS256","x":[-0.0e+18446744073709551615]}',
        "zero-long-exponent": '{"alg":"HS256","x":[0e00000000000000000000]}',
        "number-forms": '{"alg":"HS256","x":[-0.0e+1,1E-400,18446744073709551615]}',
        "bad-literal": '{"alg":"HS256","x":tru}',
        "scopes": '{"alg":"HS256","a":{"b":1},"b":{"a":1}}',
        "nested-dup-escaped": '{"alg":"HS256","o":[{"k":1,"\\u006b":2}]}',
        "lone-surrogate": '{"alg":"HS256","s":"\\ud800"}',
        "surrogate-pair": '{"alg":"HS256","s":"\\ud83d\\ude00"}',
        "kid-nul": '{"alg":"HS256","kid":"k\\u0000../x"}',
        "depth-8": '{"alg":"HS256","x":' + "[" * 7 + "]" * 7 + "}",
        "depth-9": '{"alg":"HS256","x":' + "[" * 8 + "]" * 8 + "}",
        "depth-600": '{"alg":"HS256","x":' + '{"a":' * 600 + "1" + "}" * 601,
        "members-64": "{" + ",".join(['"alg":"HS256"'] + ['"m%d":0' % i for i in range(63)]) + "}",
        "members-65": "{" + ",".join(['"alg":"HS256"'] + ['"m%d":0' % i for i in range(64)]) + "}",
        "hashed-dup": "{" + ",".join(['"alg":"HS256"'] + ['"m%d":0' % i for i in range(20)] +
                                     ['"\\u006d3":1']) + "}",
        "elements-65": '{"alg":"HS256","x":[' + ",".join(["0"] * 65) + "]}",
    }
    for name in ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
                 "PS512", "ES256", "ES384", "ES512", "EdDSA"):
        e["alg-" + name] = '{"alg":"%s"}' % name
    out = {k: v.encode("utf-8") for k, v in e.items()}
    out["invalid-utf8"] = b'{"alg":"HS256","s":"\xff"}'
    out["overlong-utf8"] = b'{"alg":"HS256","s":"\xc0\xaf"}'
    out["raw-control"] = b'{"alg":"HS256","s":"a\x01b"}'
    out["nul-after"] = b'{"alg":"HS256"}\x00'
    return out


# The fuzz fixture's HMAC key (fuzz/verify_fixture.hpp: k_hs256_secret, k_hs256_kid)
# and evaluation time (k_now; the policy allows 60 s of leeway).
FUZZ_SECRET = b"jwtbatch-fuzz-hs256-secret-32byt"
FUZZ_KID = "hs"
FUZZ_NOW = 1700000000


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hs256_token(header, payload):
    signing_input = b64url(header.encode()) + "." + b64url(payload.encode())
    mac = hmac.new(FUZZ_SECRET, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(mac)


def signed_edges():
    """HS256 tokens the fixture verifies, or rejects only at the claims."""
    h = '{"alg":"HS256","typ":"JWT","kid":"%s"}' % FUZZ_KID
    n = FUZZ_NOW
    payloads = {
        "valid": '{"iss":"https://issuer.example","sub":"u1","aud":"api","iat":%d,'
                 '"nbf":%d,"exp":%d,"jti":"j1","scope":"read write"}' % (n - 10, n - 10, n + 3600),
        "aud-array": '{"sub":"u","aud":["a","b","c"],"exp":%d}' % (n + 60),
        "exp-leeway-edge": '{"sub":"u","exp":%d}' % (n - 60),
        "exp-past": '{"sub":"u","exp":%d}' % (n - 61),
        "nbf-future": '{"sub":"u","nbf":%d}' % (n + 61),
        "iat-future": '{"sub":"u","iat":%d}' % (n + 3600),
        "exp-fraction": '{"exp":%d.5}' % (n - 60),
        "exp-string": '{"exp":"%d"}' % (n + 60),
        "scope-object": '{"sub":"u","scope":{"a":[1,2,{"b":null}]}}',
        "escaped-iss": '{"iss":"https:\\/\\/issuer.example\\u00e9","sub":"\\ud83d\\ude00"}',
        "dup-exp": '{"exp":%d,"exp":%d}' % (n + 60, n - 600),
        "empty": "{}",
        "not-object": "[]",
    }
    headers = {
        "": h,
        "-nokid": '{"alg":"HS256"}',
        "-crit": '{"alg":"HS256","kid":"%s","crit":["exp"],"exp":1}' % FUZZ_KID,
    }
    out = {}
    for pname, payload in payloads.items():
        out[pname] = hs256_token(h, payload)
    for hname, header in headers.items():
        if hname:
            out["valid" + hname] = hs256_token(header, payloads["valid"])
    return out


def main():
    vectors_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared",
                                                                     "vectors")
    writers = {}
    for t in TARGETS:
        d = os.path.join(CORPUS, t)
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            if GENERATED.match(f):
                os.remove(os.path.join(d, f))
        writers[t] = Writer(t)

    for name, token in token_seeds(vectors_dir):
        if isinstance(token, dict):
            writers["compact"].add(name, json.dumps(token, separators=(",", ":")))
            triples = list(json_segments(token))
        else:
            writers["compact"].add(name, token)
            parts = token.split(".")
            triples = [tuple(parts[:3]) + ("",) * (3 - len(parts[:3]))]
        for i, (h, p, s) in enumerate(triples):
            suffix = "" if i == 0 else "-%d" % i
            header = lenient_b64url(h)
            if header is not None:
                writers["header"].add(name + suffix, header)
            for tag, seg in (("h", h), ("p", p), ("s", s)):
                if seg:
                    writers["base64url"].add("%s%s-%s" % (name, suffix, tag), seg)

    for name, data in B64_EDGES.items():
        writers["base64url"].add("edge-" + name, data)
    for name, data in COMPACT_EDGES.items():
        writers["compact"].add("edge-" + name, data)
    for name, data in header_edges().items():
        writers["header"].add("edge-" + name, data)

    signed = signed_edges()
    for name, token in signed.items():
        writers["structured_verify"].add("edge-" + name, token)
    vector_tokens = [t for _, t in token_seeds(vectors_dir) if isinstance(t, str)]
    lines = list(signed.values())
    writers["batch"].add("edge-signed", "\n".join(lines) + "\n")
    writers["batch"].add("edge-signed-crlf-no-final-newline", "\r\n".join(lines))
    writers["batch"].add("edge-repeats", "\n".join([lines[0], lines[1]] * 8 + [lines[0]]))
    writers["batch"].add("edge-empty-lines", "\n\n" + lines[0] + "\n\r\n\n")
    writers["batch"].add("edge-lone-cr", lines[0] + "\r" + lines[1] + "\r")
    for i in range(0, len(vector_tokens), 12):
        writers["batch"].add("av-lines-%02d" % (i // 12),
                             "\n".join(vector_tokens[i:i + 12] + lines[i % len(lines):][:2]))

    for t, w in writers.items():
        print("%-18s %4d seeds %7d bytes -> %s" % (t, w.count, w.bytes, w.dir))


if __name__ == "__main__":
    main()
