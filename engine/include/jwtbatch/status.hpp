// jwtbatch/status.hpp: the one error taxonomy of jwtbatch.
//
// Every token that goes through the engine ends with exactly one `status`. Each
// status has a stable lowercase name (status_name) and belongs to exactly one coarse
// class (class_of / class_name): ok, format, header, key, signature or claims. The
// names are the product's public vocabulary: the CLI's NDJSON, the C ABI and the tests
// use them verbatim, so a name never changes once released.
//
// The enum is append-only: new values go at the end of JWTBATCH_STATUS_LIST with the
// next free number, existing numbers never move. All functions here are constexpr-free
// table look-ups, noexcept, thread-safe, and return views of static storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace jwtbatch {

// The coarse class of a status. Order and names are stable.
enum class status_class : std::uint8_t { ok, format, header, key, signature, claims };

// X(name, class): one line per status, in numeric order. The checks that produce each
// value run in the order of docs/CHECKS.md#order; the first failure decides.
#define JWTBATCH_STATUS_LIST(X)                                                       \
  /* The token passed every check that ran. */                                        \
  X(ok, ok)                                                                           \
  /* format: the bytes are not a compact JWS we will read. */                         \
  /* Token longer than the configured maximum; checked before any other work. */      \
  X(token_too_large, format)                                                          \
  /* Not exactly three '.'-separated segments (and not a JWE either). */              \
  X(bad_segments, format)                                                             \
  /* JWE compact (five segments) or JWS JSON serialization: never interpreted. */     \
  X(unsupported_serialization, format)                                                \
  /* A segment is not strict base64url (RFC 7515 §2): padding, '+', '/',         */  \
  /* whitespace, other bytes, length = 1 mod 4, or non-zero trailing bits. Any   */   \
  /* segment, decided right after the split: before the header and the key are  */    \
  /* acted on and before any signature work.                                     */   \
  X(bad_base64, format)                                                               \
  /* Not JSON, not a JSON object where one is required, invalid UTF-8 or escape, */   \
  /* a byte-order mark, or content after the object. A number is JSON when RFC   */   \
  /* 8259 §6's grammar says so (01 is not), whatever its magnitude (1e400 is).   */  \
  X(bad_json, format)                                                                 \
  /* A JSON object has the same member name twice (compared after unescaping). */     \
  X(duplicate_member, format)                                                         \
  /* JSON nesting depth, member count, array length or string length too large. */    \
  X(json_limit_exceeded, format)                                                      \
  /* A header member of the wrong JSON type (alg not a string, b64 not a bool...). */ \
  X(bad_member_type, format)                                                          \
  /* `crit` is empty or names a parameter defined by RFC 7515/7518 (§4.1.11). */     \
  X(bad_crit, format)                                                                 \
  /* header: the header asks for something we do not accept. */                       \
  /* No `alg` member. */                                                              \
  X(alg_missing, header)                                                              \
  /* `alg` is "none" in any letter case: unsecured JWS is never accepted. */          \
  X(alg_none, header)                                                                 \
  /* `alg` is not one of the JWS algorithms jwtbatch implements (exact match). */     \
  X(alg_unsupported, header)                                                          \
  /* `crit` lists an extension jwtbatch does not understand (RFC 7515 §4.1.11). */   \
  X(crit_unsupported, header)                                                         \
  /* `b64` (RFC 7797 unencoded payload) is present. */                                \
  X(b64_unsupported, header)                                                          \
  /* `zip` is present: compression is JWE-only and a decompression-bomb risk. */      \
  X(zip_unsupported, header)                                                          \
  /* `cty` says JWT: nested tokens are not unwrapped (RFC 7519 §5.2). */             \
  X(nested_jwt_unsupported, header)                                                   \
  /* key: no trusted key may check this token. */                                     \
  /* The token has a `kid` no configured key has (exact bytes), or has no `kid` */    \
  /* and no configured key can verify its `alg`.                                 */   \
  X(key_not_found, key)                                                               \
  /* No `kid`, and several configured keys could verify the `alg`: never guessed. */  \
  X(key_ambiguous, key)                                                               \
  /* The key chosen by `kid` is not bound to the token's `alg` (HS256 with an RSA */  \
  /* key, PS256 on a key bound to RS256, ES384 on a P-256 key...).                */  \
  X(alg_key_mismatch, key)                                                            \
  /* The verifier requires a `kid` and the token has none. */                         \
  X(kid_missing, key)                                                                 \
  /* signature: the signature does not check out. */                                  \
  /* Decoded signature length is not the algorithm's exact length (HS: hash size, */  \
  /* RS/PS: modulus size, ES: 64/96/132, EdDSA: 64); DER-encoded ECDSA lands here. */ \
  X(bad_signature_length, signature)                                                  \
  /* The signature is not valid for the header and payload under the chosen key. */   \
  X(bad_signature, signature)                                                         \
  /* More header checks, run after the ones above and before key selection.        */ \
  /* `alg` is implemented but not in the policy's allow-list. */                      \
  X(alg_not_allowed, header)                                                          \
  /* `typ` is not one the policy accepts (case-insensitive, "application/"        */  \
  /* optional, RFC 7515 §4.1.9), or is absent where the policy requires one.     */  \
  X(typ_mismatch, header)                                                             \
  /* `jwk`, `jku`, `x5u` or `x5c` present and the policy rejects such headers. */     \
  X(embedded_key_rejected, header)                                                    \
  /* claims: checked only after the signature verified and the payload parsed. */     \
  /* A registered claim has the wrong JSON type, or a NumericDate that is not a   */  \
  /* finite number within +-2^53 (RFC 7519 §2, §4.1).                            */ \
  X(bad_claim_type, claims)                                                           \
  /* A claim the policy requires (or a check needs: iss, aud, sub, iat for age) */    \
  /* is absent.                                                                  */   \
  X(missing_claim, claims)                                                            \
  /* now >= exp + leeway (RFC 7519 §4.1.4). */                                       \
  X(expired, claims)                                                                  \
  /* now < nbf - leeway (RFC 7519 §4.1.5). */                                        \
  X(not_yet_valid, claims)                                                            \
  /* iat > now + leeway: issued in the future. */                                     \
  X(issued_in_future, claims)                                                         \
  /* now - iat > max age + leeway. */                                                 \
  X(too_old, claims)                                                                  \
  /* `iss` is none of the expected issuers (exact, after unescaping). */              \
  X(issuer_mismatch, claims)                                                          \
  /* No `aud` value (string or array element) is an expected audience. */             \
  X(audience_mismatch, claims)                                                        \
  /* `sub` is not the expected subject. */                                            \
  X(subject_mismatch, claims)                                                         \
  /* Statuses of a record rather than of a token (line-oriented inputs).         */   \
  /* The record holds no token to verify: `verify --field` on a line whose      */    \
  /* member is missing or not a string, or a line that is not one JSON object.  */    \
  X(no_token, format)                                                                 \
  /* The token was found on a log line without a time of its own, and the run   */    \
  /* requires one (scan --require-log-time): it is not judged at another time.  */    \
  X(no_log_time, claims)                                                              \
  /* Judged with a key history: the token's `kid` names a key the history knows,  */  \
  /* but no key of that kid was published at the time the token is judged at     */   \
  /* (not yet, or no longer): "this key was not valid then".                      */  \
  X(key_outside_window, key)

enum class status : std::uint8_t {
#define JWTBATCH_STATUS_ENUM(name, cls) name,
  JWTBATCH_STATUS_LIST(JWTBATCH_STATUS_ENUM)
#undef JWTBATCH_STATUS_ENUM
};

// Number of status values.
inline constexpr std::size_t status_count = 0
#define JWTBATCH_STATUS_COUNT(name, cls) +1  // NOLINT(bugprone-macro-parentheses)
    JWTBATCH_STATUS_LIST(JWTBATCH_STATUS_COUNT)
#undef JWTBATCH_STATUS_COUNT
    ;

// status_name returns the stable lowercase name of `s` ("bad_base64"), or "unknown"
// for a value outside the enum. The view points to static storage.
[[nodiscard]] std::string_view status_name(status s) noexcept;

// class_of returns the coarse class of `s` (status_class::format for an out-of-range
// value, so a corrupted value can never read as ok).
[[nodiscard]] status_class class_of(status s) noexcept;

// class_name returns "ok", "format", "header", "key", "signature" or "claims".
[[nodiscard]] std::string_view class_name(status_class c) noexcept;
[[nodiscard]] inline std::string_view class_name(status s) noexcept {
  return class_name(class_of(s));
}

// status_from_name is the inverse of status_name; nullopt for an unknown name.
[[nodiscard]] std::optional<status> status_from_name(std::string_view name) noexcept;

// all_statuses lists every status value in numeric order (static storage).
[[nodiscard]] std::span<const status> all_statuses() noexcept;

}  // namespace jwtbatch
