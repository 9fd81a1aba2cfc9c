"""The shared attack and RFC vectors (../shared/vectors, read in place) through Python.

The same policies and expectations as tests/vectors_test.cpp, checked on the records
Verifier.verify returns.
"""
import base64
import json
import os
import pathlib

import pytest

import jwtbatch
from conftest import ROOT

VECTORS = pathlib.Path(os.environ.get("JWTBATCH_VECTORS_DIR", ROOT.parent / "shared" / "vectors"))

B64_SEVENS = base64.urlsafe_b64encode(b"\x07" * 32).rstrip(b"=").decode()

# vectors README, "Mapping to jwtbatch's classes".
CLASS_MEMBERS = {
    "format": {"MALFORMED", "LIMIT_EXCEEDED", "UNSUPPORTED_SERIALIZATION"},
    "header": {"ALG_NOT_ALLOWED", "CRIT_UNSUPPORTED", "HEADER_UNSUPPORTED", "TYP_MISMATCH"},
    "key": {"KEY_NOT_FOUND", "ALG_KEY_MISMATCH"},
    "signature": {"BAD_SIGNATURE"},
    "claims": {"CLAIM_INVALID", "MISSING_CLAIM", "EXPIRED", "NOT_YET_VALID", "AUD_MISMATCH",
               "ISS_MISMATCH"},
}


def load(name):
    path = VECTORS / name
    if not path.exists():
        pytest.fail(f"{path}: missing (JWTBATCH_VECTORS_DIR names the shared vectors)")
    return json.loads(path.read_text())


def test_attack_vectors():
    root = load("attack_vectors.json")
    policy = root["policy"]
    # Each key with its kid, bound to its one algorithm (tests/vector_sets.hpp).
    jwks = json.dumps({"keys": [dict(k["jwk"], kid=kid, alg=k["alg"])
                                for kid, k in policy["keys"].items()]})
    v = jwtbatch.Verifier(jwks_json=jwks, allow_mixed_keys=True, at=policy["now"],
                          algs=policy["allowed_algs"], iss=policy["expected_iss"],
                          aud=policy["expected_aud"], require=policy["require_claims"],
                          typ="JWT", typ_required=False, require_kid=True,
                          max_token_bytes=policy["max_token_bytes"])
    vectors = root["vectors"]
    records = v.verify([e["token"] for e in vectors])
    assert len(vectors) == 171
    for e, r in zip(vectors, records):
        if e["expect"] == "valid":
            assert r["status"] == jwtbatch.OK, e["id"]
        elif e["expect"] == "invalid":
            assert r["status"] != jwtbatch.OK, e["id"]
            allowed = set(e.get("error_classes", []))
            assert CLASS_MEMBERS[r["class"]] & allowed, (e["id"], r)
            # Nothing a forged or refused token says is shown as a claim.
            if r["status"] in ("bad_signature", "alg_none", "key_not_found"):
                assert not {"iss", "sub", "aud", "exp", "claims"} & set(r), e["id"]
        assert r["class"] == jwtbatch.CLASS_OF[r["status"]]


def test_rfc_vectors_with_their_keys():
    root = load("rfc_vectors.json")
    expected = {
        "rfc7515-A.1": "ok", "rfc7515-A.2": "ok", "rfc7515-A.3": "ok",
        "rfc7515-A.4": "bad_json", "rfc7515-A.5": "alg_none", "rfc8037-A.4": "bad_json",
        "rfc7520-4.1": "bad_json", "rfc7520-4.2": "bad_json", "rfc7520-4.3": "bad_json",
        "rfc7520-4.4": "bad_json", "rfc7520-4.5": "bad_signature", "rfc7797-4.1": "bad_json",
        "rfc7797-4.2": "crit_unsupported",
    }
    checked = 0
    for e in root["vectors"]:
        if e["serialization"] != "compact":
            continue
        checked += 1
        if e.get("key"):
            keys = dict(jwks_json=json.dumps(root["keys"][e["key"]]["public_jwk"]))
        else:  # A.5 (alg none) names no key: any key set refuses it
            keys = dict(jwks_json=json.dumps({"kty": "oct", "k": B64_SEVENS, "kid": "unused",
                                              "alg": "HS256"}))
        # A.1-A.3 carry exp = 1300819380 (2011): evaluated just before.
        r = jwtbatch.Verifier(**keys, at=1300819300).verify([e["token"]])[0]
        assert r["status"] == expected[e["id"]], e["id"]
    assert checked == len(expected)
