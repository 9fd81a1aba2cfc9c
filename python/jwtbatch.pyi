"""Type stubs of the jwtbatch extension module (python/jwtbatch_module.cpp).

Installed beside the module; tests/python/test_stubs.py checks that every public name of
the module is here and nothing else.
"""
import datetime
import os
from typing import Any, Final, Iterable, NotRequired, Sequence, TypedDict, Union

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
# Unix seconds, an RFC 3339 date-time with its zone, or an aware datetime.
Time = Union[int, float, str, datetime.datetime]
Token = Union[str, bytes]

class ConfigError(ValueError):
    """A configuration the jwtbatch CLI would refuse; the message is the CLI's."""

Record = TypedDict(
    "Record",
    {
        "status": str,
        "class": str,
        "detail": NotRequired[str],
        "alg": NotRequired[str],
        "kid": NotRequired[str],
        "iss": NotRequired[str],
        "sub": NotRequired[str],
        "aud": NotRequired[list[str]],
        "exp": NotRequired[Union[int, float]],
        "nbf": NotRequired[Union[int, float]],
        "iat": NotRequired[Union[int, float]],
        "jti": NotRequired[str],
        "claims": NotRequired[dict[str, Any]],
        "fp": str,
        "label": NotRequired[str],
    },
)
# A record of scan(): where its token was and when it was judged (SCAN_KEYS, first in
# the dict), and a Record's keys.
class ScanRecord(Record):
    line: int
    offset: int
    encoding: NotRequired[str]
    at: Union[int, float]
    at_source: str
    cut: NotRequired[bool]

class Verifier:
    """Keys and a policy, ready to verify batches of tokens on every core."""

    def __init__(
        self,
        jwks: Union[StrPath, Iterable[StrPath], None] = None,
        jwks_json: Union[str, bytes, Iterable[Union[str, bytes]], None] = None,
        secret_files: Union[StrPath, Iterable[StrPath], None] = None,
        *,
        kid: str | None = None,
        allow_mixed_keys: bool = False,
        iss: Union[str, Iterable[str], None] = None,
        aud: Union[str, Iterable[str], None] = None,
        algs: Union[str, Iterable[str], None] = None,
        typ: Union[str, Iterable[str], None] = None,
        require: Union[str, Iterable[str], None] = None,
        claims: Union[str, Iterable[str], None] = None,
        leeway: int = 0,
        max_age: int | None = None,
        at: Time | None = None,
        threads: int = 0,
        cache_size: int | None = None,
        max_token_bytes: int | None = None,
        require_kid: bool = False,
        typ_required: bool | None = None,
    ) -> None: ...
    def verify(
        self, tokens: Iterable[Token], at: Union[Time, Sequence[Time], None] = None
    ) -> list[Record]:
        """One record per token, in order (the keys of the CLI's NDJSON records)."""
    def verify_columns(
        self, tokens: Iterable[Token], at: Union[Time, Sequence[Time], None] = None
    ) -> dict[str, list[Any]]:
        """The records as columns: every key of RECORD_KEYS, None where a record has none."""
    @property
    def threads(self) -> int: ...
    @property
    def warnings(self) -> list[str]: ...

def scan(
    lines: Union[str, bytes, bytearray, memoryview, Iterable[Union[str, bytes]]],
    verifier: Verifier,
    *,
    at_log_time: bool = False,
    require_log_time: bool = False,
    time_field: str | None = None,
    syslog_year: int | None = None,
) -> list[ScanRecord]:
    """The tokens of log lines as `jwtbatch scan` finds and judges them: one record per
    token, in order (SCAN_KEYS, then the keys of verify()'s records)."""

STATUSES: Final[tuple[str, ...]]
CLASSES: Final[tuple[str, ...]]
CLASS_OF: Final[dict[str, str]]
RECORD_KEYS: Final[tuple[str, ...]]
SCAN_KEYS: Final[tuple[str, ...]]

# The status vocabulary (engine/include/jwtbatch/status.hpp), append-only.
OK: Final[str]  # "ok", class ok
TOKEN_TOO_LARGE: Final[str]  # "token_too_large", class format
BAD_SEGMENTS: Final[str]  # "bad_segments", class format
UNSUPPORTED_SERIALIZATION: Final[str]  # "unsupported_serialization", class format
BAD_BASE64: Final[str]  # "bad_base64", class format
BAD_JSON: Final[str]  # "bad_json", class format
DUPLICATE_MEMBER: Final[str]  # "duplicate_member", class format
JSON_LIMIT_EXCEEDED: Final[str]  # "json_limit_exceeded", class format
BAD_MEMBER_TYPE: Final[str]  # "bad_member_type", class format
BAD_CRIT: Final[str]  # "bad_crit", class format
ALG_MISSING: Final[str]  # "alg_missing", class header
ALG_NONE: Final[str]  # "alg_none", class header
ALG_UNSUPPORTED: Final[str]  # "alg_unsupported", class header
CRIT_UNSUPPORTED: Final[str]  # "crit_unsupported", class header
B64_UNSUPPORTED: Final[str]  # "b64_unsupported", class header
ZIP_UNSUPPORTED: Final[str]  # "zip_unsupported", class header
NESTED_JWT_UNSUPPORTED: Final[str]  # "nested_jwt_unsupported", class header
KEY_NOT_FOUND: Final[str]  # "key_not_found", class key
KEY_AMBIGUOUS: Final[str]  # "key_ambiguous", class key
ALG_KEY_MISMATCH: Final[str]  # "alg_key_mismatch", class key
KID_MISSING: Final[str]  # "kid_missing", class key
BAD_SIGNATURE_LENGTH: Final[str]  # "bad_signature_length", class signature
BAD_SIGNATURE: Final[str]  # "bad_signature", class signature
ALG_NOT_ALLOWED: Final[str]  # "alg_not_allowed", class header
TYP_MISMATCH: Final[str]  # "typ_mismatch", class header
EMBEDDED_KEY_REJECTED: Final[str]  # "embedded_key_rejected", class header
BAD_CLAIM_TYPE: Final[str]  # "bad_claim_type", class claims
MISSING_CLAIM: Final[str]  # "missing_claim", class claims
EXPIRED: Final[str]  # "expired", class claims
NOT_YET_VALID: Final[str]  # "not_yet_valid", class claims
ISSUED_IN_FUTURE: Final[str]  # "issued_in_future", class claims
TOO_OLD: Final[str]  # "too_old", class claims
ISSUER_MISMATCH: Final[str]  # "issuer_mismatch", class claims
AUDIENCE_MISMATCH: Final[str]  # "audience_mismatch", class claims
SUBJECT_MISMATCH: Final[str]  # "subject_mismatch", class claims
NO_TOKEN: Final[str]  # "no_token", class format
NO_LOG_TIME: Final[str]  # "no_log_time", class claims
KEY_OUTSIDE_WINDOW: Final[str]  # "key_outside_window", class key
