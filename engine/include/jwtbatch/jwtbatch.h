/* jwtbatch/jwtbatch.h: the C ABI of jwtbatch (libjwtbatch.so.0).
 *
 * A pure C header (C99 and later, and C++): verify JSON Web Tokens in bulk from C or
 * from any language with a C FFI. It wraps the C++ engine (jwtbatch/verifier.hpp...); the
 * status names, classes and verdicts are exactly the C++ ones.
 *
 * The shape of a program:
 *
 *   jwtbatch_error err;
 *   jwtbatch_key_set_builder *b;  jwtbatch_key_set *keys;  jwtbatch_verifier *v;
 *   jwtbatch_key_set_builder_new(&b, &err);
 *   jwtbatch_key_set_builder_add_file(b, "issuer.jwks", NULL, 0, JWTBATCH_ALG_ANY, &err);
 *   jwtbatch_key_set_builder_build(b, &keys, &err);
 *   jwtbatch_policy *p = jwtbatch_policy_new();
 *   jwtbatch_policy_add_issuer(p, "https://issuer.example", JWTBATCH_NTS);
 *   jwtbatch_verifier_new(&v, keys, p, NULL, &err);   (check every return code)
 *   jwtbatch_results *r = jwtbatch_results_new();
 *   jwtbatch_verify_batch(v, r, tokens, token_lens, count);
 *   const jwtbatch_result *t = jwtbatch_results_get(r, 0);
 *   puts(jwtbatch_status_name(t->status));
 *
 * Conventions
 *  - Handles are opaque; every `_new` has a `_free`, and `_free(NULL)` does nothing.
 *  - Functions that can fail return an int code (JWTBATCH_OK or JWTBATCH_ERR_*). Those
 *    with a `jwtbatch_error *err` argument also describe the failure there (err may be
 *    NULL). Output handles are written only on success (NULL otherwise).
 *  - Text arguments are (const char *s, size_t s_len): the bytes need no terminating
 *    NUL and may contain NUL bytes (a kid is an opaque byte string). s_len ==
 *    JWTBATCH_NTS means "s is NUL-terminated, measure it". Raw bytes (an HMAC secret)
 *    are (const uint8_t *x, size_t x_len). Names given as a plain `const char *` (file
 *    paths, message labels) are NUL-terminated.
 *  - Strings handed back are jwtbatch_str: (data, len), not NUL-terminated, owned by
 *    the object they came from (see each function for how long they stay valid).
 *    Names of statuses, classes, algorithms and labels are static NUL-terminated C
 *    strings.
 *  - No C++ exception ever leaves a function of this header. Memory exhaustion in a
 *    function's own work is reported as JWTBATCH_ERR_NO_MEMORY. One limit: the
 *    engine's per-token path is noexcept by design (C++ verifier::verify_at), so an
 *    allocation failure while a token is being verified ends the process
 *    (std::terminate) instead of returning; batches of reused results allocate nothing
 *    there once warm (see jwtbatch_verify_batch).
 *  - Thread-safety is stated per function. In short: the name and version functions,
 *    key sets and verifiers are safe from any number of threads; builders, policies
 *    and results objects are used by one thread at a time.
 *
 * In-process hazard (read "Loading" below): Debian's BoringSSL exports the same symbol
 * names as OpenSSL. jwtbatch checks, once, that its crypto calls really reach BoringSSL
 * and refuses to run (JWTBATCH_ERR_CRYPTO_CLASH) rather than mix two libraries.
 */
#ifndef JWTBATCH_JWTBATCH_H
#define JWTBATCH_JWTBATCH_H

/* C spellings (typedef struct, <stdint.h>, upper-case constants), not C++ style:
 * NOLINTBEGIN(modernize-use-using, modernize-deprecated-headers,
 * readability-identifier-naming) */

#include <stddef.h>
#include <stdint.h>

#if defined(JWTBATCH_BUILDING_C_API)
#define JWTBATCH_API __attribute__((visibility("default")))
#else
#define JWTBATCH_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------- */

/* JWTBATCH_ABI_VERSION is the ABI this header describes; it is the number in the
 * library's SONAME (libjwtbatch.so.0). It changes only when an existing function,
 * constant or struct field changes meaning or layout; new functions, new constants
 * appended to the enums below and new fields appended to jwtbatch_result (which
 * callers only ever reach through a pointer the library gives them) keep it. */
#define JWTBATCH_ABI_VERSION 0

/* jwtbatch_abi_version returns the ABI of the loaded library: compare it with
 * JWTBATCH_ABI_VERSION when loading the library with dlopen. Thread-safe. */
JWTBATCH_API int jwtbatch_abi_version(void);

/* jwtbatch_version returns the library's release ("0.1.0"), a static string.
 * Thread-safe. */
JWTBATCH_API const char* jwtbatch_version(void);

/* ---- Return codes and errors ----------------------------------------------------- */

enum jwtbatch_code {
  JWTBATCH_OK = 0,
  /* A NULL handle or pointer where one is required, a value out of range (unknown
   * algorithm, negative leeway, non-finite time), or a call out of order (adding keys
   * to a builder that was built). Nothing was changed. */
  JWTBATCH_ERR_ARGUMENT = 1,
  /* Configuration refused: a key file that cannot be read or holds no usable key, a
   * weak or malformed key, a key set that mixes HMAC secrets with public keys. The
   * message names the source (file name or label), the key and the reason. */
  JWTBATCH_ERR_CONFIG = 2,
  /* Memory ran out. Nothing was changed. */
  JWTBATCH_ERR_NO_MEMORY = 3,
  /* The crypto functions this libjwtbatch.so calls are not its own BoringSSL's: a broken
   * build (see jwtbatch_crypto_check). Nothing that uses crypto can be created. */
  JWTBATCH_ERR_CRYPTO_CLASH = 4,
  /* A bug: an unexpected internal failure. The message says what. */
  JWTBATCH_ERR_INTERNAL = 5
};

/* jwtbatch_code_name returns "ok", "argument", "config", "no_memory", "crypto_clash",
 * "internal", or "unknown" for any other value. Static storage; thread-safe. */
JWTBATCH_API const char* jwtbatch_code_name(int code);

#define JWTBATCH_ERROR_MESSAGE_SIZE 1024

/* The caller's error record, usually on the stack. A function given one sets `code`
 * to its return value and `message` to a NUL-terminated description: "" on success,
 * otherwise the reason (cut at JWTBATCH_ERROR_MESSAGE_SIZE - 1 bytes, ending in "..."
 * when cut). Secrets and token bytes never appear in messages. */
typedef struct jwtbatch_error {
  int code;
  char message[JWTBATCH_ERROR_MESSAGE_SIZE];
} jwtbatch_error;

/* JWTBATCH_NTS as a length: the string is NUL-terminated. */
#define JWTBATCH_NTS SIZE_MAX

/* A string handed back by the library: `len` bytes at `data`, not NUL-terminated
 * (claims may contain NUL bytes). data is NULL when the value is absent. */
typedef struct jwtbatch_str {
  const char* data;
  size_t len;
} jwtbatch_str;

/* ---- Vocabulary: statuses, classes, algorithms, labels --------------------------- */

/* The verdict of one token. Numbers and names are those of the C++ enum
 * jwtbatch::status (status.hpp): stable, append-only. The first failing check
 * decides; the order is docs/CHECKS.md#order. */
enum jwtbatch_status {
  JWTBATCH_STATUS_OK = 0,
  /* format: the bytes are not a compact JWS jwtbatch will read */
  JWTBATCH_STATUS_TOKEN_TOO_LARGE = 1,
  JWTBATCH_STATUS_BAD_SEGMENTS = 2,
  JWTBATCH_STATUS_UNSUPPORTED_SERIALIZATION = 3,
  JWTBATCH_STATUS_BAD_BASE64 = 4,
  JWTBATCH_STATUS_BAD_JSON = 5,
  JWTBATCH_STATUS_DUPLICATE_MEMBER = 6,
  JWTBATCH_STATUS_JSON_LIMIT_EXCEEDED = 7,
  JWTBATCH_STATUS_BAD_MEMBER_TYPE = 8,
  JWTBATCH_STATUS_BAD_CRIT = 9,
  /* header */
  JWTBATCH_STATUS_ALG_MISSING = 10,
  JWTBATCH_STATUS_ALG_NONE = 11,
  JWTBATCH_STATUS_ALG_UNSUPPORTED = 12,
  JWTBATCH_STATUS_CRIT_UNSUPPORTED = 13,
  JWTBATCH_STATUS_B64_UNSUPPORTED = 14,
  JWTBATCH_STATUS_ZIP_UNSUPPORTED = 15,
  JWTBATCH_STATUS_NESTED_JWT_UNSUPPORTED = 16,
  /* key */
  JWTBATCH_STATUS_KEY_NOT_FOUND = 17,
  JWTBATCH_STATUS_KEY_AMBIGUOUS = 18,
  JWTBATCH_STATUS_ALG_KEY_MISMATCH = 19,
  JWTBATCH_STATUS_KID_MISSING = 20,
  /* signature */
  JWTBATCH_STATUS_BAD_SIGNATURE_LENGTH = 21,
  JWTBATCH_STATUS_BAD_SIGNATURE = 22,
  /* header (checked before the key is chosen) */
  JWTBATCH_STATUS_ALG_NOT_ALLOWED = 23,
  JWTBATCH_STATUS_TYP_MISMATCH = 24,
  JWTBATCH_STATUS_EMBEDDED_KEY_REJECTED = 25,
  /* claims: only ever judged after the signature verified */
  JWTBATCH_STATUS_BAD_CLAIM_TYPE = 26,
  JWTBATCH_STATUS_MISSING_CLAIM = 27,
  JWTBATCH_STATUS_EXPIRED = 28,
  JWTBATCH_STATUS_NOT_YET_VALID = 29,
  JWTBATCH_STATUS_ISSUED_IN_FUTURE = 30,
  JWTBATCH_STATUS_TOO_OLD = 31,
  JWTBATCH_STATUS_ISSUER_MISMATCH = 32,
  JWTBATCH_STATUS_AUDIENCE_MISMATCH = 33,
  JWTBATCH_STATUS_SUBJECT_MISMATCH = 34,
  /* of a record rather than a token (line-oriented inputs) */
  JWTBATCH_STATUS_NO_TOKEN = 35,
  JWTBATCH_STATUS_NO_LOG_TIME = 36,
  JWTBATCH_STATUS_KEY_OUTSIDE_WINDOW = 37
};
#define JWTBATCH_NUM_STATUSES 38

/* The coarse class of a status (jwtbatch::status_class). */
enum jwtbatch_status_class {
  JWTBATCH_CLASS_OK = 0,
  JWTBATCH_CLASS_FORMAT = 1,
  JWTBATCH_CLASS_HEADER = 2,
  JWTBATCH_CLASS_KEY = 3,
  JWTBATCH_CLASS_SIGNATURE = 4,
  JWTBATCH_CLASS_CLAIMS = 5
};
#define JWTBATCH_NUM_CLASSES 6

/* JWS algorithms (jwtbatch::alg). There is no "none". */
enum jwtbatch_alg {
  JWTBATCH_ALG_HS256 = 0,
  JWTBATCH_ALG_HS384 = 1,
  JWTBATCH_ALG_HS512 = 2,
  JWTBATCH_ALG_RS256 = 3,
  JWTBATCH_ALG_RS384 = 4,
  JWTBATCH_ALG_RS512 = 5,
  JWTBATCH_ALG_PS256 = 6,
  JWTBATCH_ALG_PS384 = 7,
  JWTBATCH_ALG_PS512 = 8,
  JWTBATCH_ALG_ES256 = 9,
  JWTBATCH_ALG_ES384 = 10,
  JWTBATCH_ALG_ES512 = 11,
  JWTBATCH_ALG_EDDSA = 12
};
#define JWTBATCH_NUM_ALGS 13
/* As an `alg` argument: no algorithm binding (the key says, or serves all it can). */
#define JWTBATCH_ALG_ANY (-1)
/* A set of algorithms as a bit mask, for jwtbatch_policy_set_allowed_algs. */
#define JWTBATCH_ALG_BIT(alg) (1u << (alg))

/* Known attack shapes a rejected token matched (jwtbatch::attack_label); the status
 * stays the verdict. */
enum jwtbatch_label {
  JWTBATCH_LABEL_NONE = 0,
  JWTBATCH_LABEL_ALG_NONE = 1,
  JWTBATCH_LABEL_KEY_CONFUSION = 2,
  JWTBATCH_LABEL_EMBEDDED_KEY = 3,
  JWTBATCH_LABEL_PSYCHIC_SIGNATURE = 4,
  JWTBATCH_LABEL_SIGNATURE_STRIPPED = 5,
  JWTBATCH_LABEL_KID_INJECTION = 6,
  JWTBATCH_LABEL_NON_CANONICAL_ENCODING = 7,
  JWTBATCH_LABEL_DUPLICATE_MEMBER = 8,
  JWTBATCH_LABEL_CRIT_BYPASS = 9
};
#define JWTBATCH_NUM_LABELS 10

/* The name functions return static NUL-terminated strings, identical to the C++
 * names (status_name, class_name, alg_name, label_name): "bad_base64", "signature",
 * "ES256", "key_confusion". An out-of-range value gives "unknown" (and
 * jwtbatch_label_name(JWTBATCH_LABEL_NONE) gives "", as in C++). Thread-safe. */
JWTBATCH_API const char* jwtbatch_status_name(int status);
JWTBATCH_API const char* jwtbatch_class_name(int status_class);
JWTBATCH_API const char* jwtbatch_alg_name(int alg);
JWTBATCH_API const char* jwtbatch_label_name(int label);

/* jwtbatch_status_class returns the JWTBATCH_CLASS_* of a status
 * (JWTBATCH_CLASS_FORMAT for an out-of-range value, so it never reads as ok).
 * Thread-safe. */
JWTBATCH_API int jwtbatch_status_class(int status);

/* jwtbatch_status_from_name and jwtbatch_alg_from_name map a name back to its value
 * (exact bytes, case-sensitive); -1 for anything else, including "none".
 * Thread-safe. */
JWTBATCH_API int jwtbatch_status_from_name(const char* name, size_t name_len);
JWTBATCH_API int jwtbatch_alg_from_name(const char* name, size_t name_len);

/* ---- Loading: BoringSSL inside, a host's OpenSSL beside it ---------------------- */

/* libjwtbatch.so carries its own BoringSSL, linked in statically with every symbol
 * hidden: it exports nothing but the jwtbatch_* functions of this header. A host that
 * uses OpenSSL 3 (rsyslog with TLS, Python's ssl, libcurl, librdkafka...) shares the
 * process with it safely, from any number of threads, whether it links libjwtbatch.so
 * before or after libcrypto.so.3 or loads either with dlopen (RTLD_LOCAL or
 * RTLD_GLOBAL): neither library can see the other's functions.
 *
 * jwtbatch_crypto_check is a self-check of the build: it confirms, once per process
 * (later calls return the saved verdict; a few microseconds the first time, and no
 * allocation when it passes), that the BoringSSL functions this library calls are the
 * ones inside it. Only a libjwtbatch.so linked with exported crypto symbols (not the
 * project's build) fails it, with JWTBATCH_ERR_CRYPTO_CLASH and a message naming the
 * function and the object it resolved to. jwtbatch_key_set_builder_new and
 * jwtbatch_verifier_new run it first and fail the same way. Thread-safe. */
JWTBATCH_API int jwtbatch_crypto_check(jwtbatch_error* err);

/* ---- Key sets -------------------------------------------------------------------- */

/* Trusted keys come only from a key set: never from a token's jwk, jku, x5u or x5c.
 * Build one with a builder, then share the immutable key set. To reload keys, build a
 * new key set and a new verifier, and free the old ones when no batch uses them. */
typedef struct jwtbatch_key_set_builder jwtbatch_key_set_builder;
typedef struct jwtbatch_key_set jwtbatch_key_set;

/* jwtbatch_key_set_builder_new makes an empty builder in *out. Runs
 * jwtbatch_crypto_check first. Errors: ARGUMENT (out NULL), CRYPTO_CLASH, NO_MEMORY.
 * A builder is used by one thread at a time. */
JWTBATCH_API int jwtbatch_key_set_builder_new(jwtbatch_key_set_builder** out, jwtbatch_error* err);
JWTBATCH_API void jwtbatch_key_set_builder_free(jwtbatch_key_set_builder* b);

/* jwtbatch_key_set_builder_add_file reads `path` (NUL-terminated) and adds it as PEM
 * when it contains "-----BEGIN", else as a JWK or JWK Set document. `kid` (NULL for
 * none) and `alg` (JWTBATCH_ALG_ANY for none) apply to a PEM key only: a JWK carries
 * its own. Errors: ARGUMENT, CONFIG (the message names the file: unreadable, not a key,
 * no usable key), NO_MEMORY. A JWKS with some unusable keys succeeds and reports each
 * skipped key as a warning (jwtbatch_key_set_builder_warning). */
JWTBATCH_API int jwtbatch_key_set_builder_add_file(jwtbatch_key_set_builder* b, const char* path,
                                                   const char* kid, size_t kid_len, int alg,
                                                   jwtbatch_error* err);

/* jwtbatch_key_set_builder_add_jwks adds every usable key of a JWK Set (RFC 7517 §5)
 * or single JWK held in memory. `source` (NUL-terminated, NULL for "memory") names the
 * document in messages. Errors as for add_file. */
JWTBATCH_API int jwtbatch_key_set_builder_add_jwks(jwtbatch_key_set_builder* b, const char* json,
                                                   size_t json_len, const char* source,
                                                   jwtbatch_error* err);

/* jwtbatch_key_set_builder_add_pem adds one key from PEM text: SPKI or PKCS#1 public
 * key, X.509 certificate, or PKCS#8 / PKCS#1 / SEC1 private key. `kid` may be NULL.
 * `alg` binds the key to one algorithm (JWTBATCH_ALG_ANY: an RSA key then serves all
 * six RS and PS algorithms, an EC key the one of its curve). Errors as for add_file. */
JWTBATCH_API int jwtbatch_key_set_builder_add_pem(jwtbatch_key_set_builder* b, const char* pem,
                                                  size_t pem_len, const char* source,
                                                  const char* kid, size_t kid_len, int alg,
                                                  jwtbatch_error* err);

/* jwtbatch_key_set_builder_add_secret adds an HMAC secret (raw bytes, copied) bound to
 * `alg`, which must be HS256, HS384 or HS512; the secret must be at least as long as
 * the hash output (RFC 7518 §3.2). `kid` may be NULL. Errors: ARGUMENT, CONFIG (short
 * secret, non-HMAC alg), NO_MEMORY. */
JWTBATCH_API int jwtbatch_key_set_builder_add_secret(jwtbatch_key_set_builder* b,
                                                     const uint8_t* secret, size_t secret_len,
                                                     const char* kid, size_t kid_len, int alg,
                                                     const char* source, jwtbatch_error* err);

/* jwtbatch_key_set_builder_allow_mixed lets the set hold HMAC secrets and public keys
 * together (refused by default: such a set is where algorithm confusion starts, RFC 8725
 * §2.1; safe here because every key is typed and bound to its algorithms). Errors:
 * ARGUMENT. */
JWTBATCH_API int jwtbatch_key_set_builder_allow_mixed(jwtbatch_key_set_builder* b, int allow);

/* Warnings so far: keys skipped while loading, one message each. The string is owned
 * by the builder and valid until its next add or build call or its free; NULL past
 * the end. */
JWTBATCH_API size_t jwtbatch_key_set_builder_warning_count(const jwtbatch_key_set_builder* b);
JWTBATCH_API const char* jwtbatch_key_set_builder_warning(const jwtbatch_key_set_builder* b,
                                                          size_t index);

/* jwtbatch_key_set_builder_build checks the whole set and returns it in *out. The
 * builder is spent: further add or build calls fail with ARGUMENT; free it. Errors:
 * ARGUMENT, CONFIG (no usable key, all keys ambiguous, mixed key types not allowed;
 * the message lists the warnings), NO_MEMORY. */
JWTBATCH_API int jwtbatch_key_set_builder_build(jwtbatch_key_set_builder* b, jwtbatch_key_set** out,
                                                jwtbatch_error* err);

/* A key set is immutable and thread-safe. A verifier keeps its own reference: the key
 * set may be freed as soon as the verifiers that need it were created. */
JWTBATCH_API void jwtbatch_key_set_free(jwtbatch_key_set* keys);
/* Number of usable keys. */
JWTBATCH_API size_t jwtbatch_key_set_size(const jwtbatch_key_set* keys);
/* Warnings of the whole load (skipped keys, keys refused as ambiguous); owned by the
 * key set, valid until it is freed; NULL past the end. */
JWTBATCH_API size_t jwtbatch_key_set_warning_count(const jwtbatch_key_set* keys);
JWTBATCH_API const char* jwtbatch_key_set_warning(const jwtbatch_key_set* keys, size_t index);

/* ---- Policy ---------------------------------------------------------------------- */

/* What a token must satisfy besides a good signature. A plain mutable value used by
 * one thread at a time; jwtbatch_verifier_new copies it, so it may be changed or freed
 * afterwards without affecting the verifier. Defaults: every algorithm allowed, no
 * leeway, evaluation time "now", nothing expected of iss/aud/sub/typ, tokens up to
 * 64 KiB, fingerprints on.
 *
 * Setters return JWTBATCH_OK, ARGUMENT (NULL policy or string, value out of range:
 * nothing changed) or NO_MEMORY. Strings are copied and compared with the token's
 * claims after unescaping, byte-exact. */
typedef struct jwtbatch_policy jwtbatch_policy;

/* jwtbatch_policy_new returns a policy with the defaults, or NULL when memory ran
 * out. */
JWTBATCH_API jwtbatch_policy* jwtbatch_policy_new(void);
JWTBATCH_API void jwtbatch_policy_free(jwtbatch_policy* p);

/* `iss` must equal one of the issuers added (none added: not checked). */
JWTBATCH_API int jwtbatch_policy_add_issuer(jwtbatch_policy* p, const char* iss, size_t iss_len);
/* `aud` (a string or an array) must contain one of the audiences added. */
JWTBATCH_API int jwtbatch_policy_add_audience(jwtbatch_policy* p, const char* aud, size_t aud_len);
/* `sub` must equal `sub`. */
JWTBATCH_API int jwtbatch_policy_set_subject(jwtbatch_policy* p, const char* sub, size_t sub_len);
/* Accepted `typ` header values (case-insensitive, "application/" optional; none
 * added: any). A token without typ passes unless typ_required is set. */
JWTBATCH_API int jwtbatch_policy_add_typ(jwtbatch_policy* p, const char* typ, size_t typ_len);
JWTBATCH_API int jwtbatch_policy_set_typ_required(jwtbatch_policy* p, int required);
/* A claim (registered or custom) that must be present; at most 64. */
JWTBATCH_API int jwtbatch_policy_add_required_claim(jwtbatch_policy* p, const char* name,
                                                    size_t name_len);
/* A custom claim to return as raw JSON text (jwtbatch_results_custom_claim). */
JWTBATCH_API int jwtbatch_policy_add_returned_claim(jwtbatch_policy* p, const char* name,
                                                    size_t name_len);
/* The allowed algorithms, a mask of JWTBATCH_ALG_BIT(JWTBATCH_ALG_*): a token with any
 * other alg fails alg_not_allowed. ARGUMENT for an empty mask or unknown bits. */
JWTBATCH_API int jwtbatch_policy_set_allowed_algs(jwtbatch_policy* p, uint32_t alg_mask);
/* Clock skew tolerated on exp, nbf, iat and max age: 0..86400 (one day; more would
 * turn expired tokens into valid ones), else ARGUMENT. */
JWTBATCH_API int jwtbatch_policy_set_leeway(jwtbatch_policy* p, int64_t seconds);
/* Maximum age from `iat` (a token without iat then fails missing_claim); ARGUMENT
 * when negative. */
JWTBATCH_API int jwtbatch_policy_set_max_age(jwtbatch_policy* p, int64_t seconds);
/* Evaluate every token at this Unix time (seconds); ARGUMENT when not finite. */
JWTBATCH_API int jwtbatch_policy_set_fixed_time(jwtbatch_policy* p, double unix_seconds);
/* Evaluate each batch at the time its call starts (the default). */
JWTBATCH_API int jwtbatch_policy_use_current_time(jwtbatch_policy* p);
/* Longer tokens fail token_too_large before any work: 1..16777216 (16 MiB), else
 * ARGUMENT. */
JWTBATCH_API int jwtbatch_policy_set_max_token_bytes(jwtbatch_policy* p, size_t max_bytes);
/* A token without kid fails kid_missing instead of using the one key fitting its alg. */
JWTBATCH_API int jwtbatch_policy_set_require_kid(jwtbatch_policy* p, int required);
/* A token carrying jwk, jku, x5u or x5c fails embedded_key_rejected (by default these
 * are ignored: only the key set's keys are ever used). */
JWTBATCH_API int jwtbatch_policy_set_reject_embedded_keys(jwtbatch_policy* p, int reject);
/* Compute each token's fingerprint (on by default; costs about as much as an HMAC). */
JWTBATCH_API int jwtbatch_policy_set_fingerprint(jwtbatch_policy* p, int enabled);

/* ---- Keys that change -------------------------------------------------------------- */

/* A key source: key files and JWK Sets fetched over HTTPS (libcurl), kept fresh, that
 * a verifier follows (jwtbatch_verifier_new_following): every batch is verified with
 * the source's newest keys. A background thread fetches the documents again every
 * refresh_seconds (sooner when the server's Cache-Control max-age says so, never
 * sooner than the cooldown); a token whose kid no key has makes one fetch at most once
 * per cooldown_seconds, waited for at most timeout_seconds, and is verified again when
 * the keys changed; a refresh that fails keeps the last good keys. Fetches are https
 * only (redirects too, at most 5), with a total timeout and a body cap of 1 MiB. */
typedef struct jwtbatch_key_source jwtbatch_key_source;

typedef struct jwtbatch_key_source_options {
  const char* const* jwks_urls; /* https URLs of JWK Sets (NUL-terminated each) */
  size_t jwks_url_count;
  /* OpenID Providers: URL + "/.well-known/openid-configuration" is read for jwks_uri,
   * and its issuer must equal the URL exactly. */
  const char* const* oidc_issuers;
  size_t oidc_issuer_count;
  const char* const* key_files; /* files added as jwtbatch_key_set_builder_add_file does */
  size_t key_file_count;
  const char* ca_file;     /* PEM CA bundle trusted instead of the system's; NULL: system */
  double refresh_seconds;  /* 0 = 300; at most 604800 (a week) */
  double cooldown_seconds; /* 0 = 30; at most 604800 */
  double timeout_seconds;  /* 0 = 10; at most 600, redirects included */
  int allow_mixed;         /* 1: HMAC secrets and public keys in one set */
  int no_background;       /* 1: no refresh thread (fetches only for unknown kids, reloads) */
  /* Called with each event line (a refresh that failed, keys updated), from the
   * refresh thread or a verifying thread; NULL for none. `line` is valid during the call. */
  void (*log)(void* log_context, const char* line, size_t line_len);
  void* log_context;
} jwtbatch_key_source_options;

/* jwtbatch_key_source_new fetches every URL and reads every file once, into *out.
 * Errors: ARGUMENT, CONFIG (the message names the URL or file and the cause: TLS,
 * HTTP status, timeout, size, no usable key...), CRYPTO_CLASH, NO_MEMORY. Free it
 * after every verifier following it. */
JWTBATCH_API int jwtbatch_key_source_new(jwtbatch_key_source** out,
                                         const jwtbatch_key_source_options* options,
                                         jwtbatch_error* err);
JWTBATCH_API void jwtbatch_key_source_free(jwtbatch_key_source* s);
/* jwtbatch_key_source_reload reads every file and URL again and publishes the new set
 * atomically (a SIGHUP's work). On CONFIG the keys in use stay. Thread-safe. */
JWTBATCH_API int jwtbatch_key_source_reload(jwtbatch_key_source* s, jwtbatch_error* err);
/* Keys in the current set; 0 for NULL. */
JWTBATCH_API size_t jwtbatch_key_source_size(const jwtbatch_key_source* s);
/* Counts so far: requests made, of which failed, and new sets published after the first.
 * Any pointer may be NULL. */
JWTBATCH_API void jwtbatch_key_source_stats(const jwtbatch_key_source* s, uint64_t* fetches,
                                            uint64_t* fetch_failures, uint64_t* updates);

/* ---- Verifier -------------------------------------------------------------------- */

typedef struct jwtbatch_verifier jwtbatch_verifier;

typedef struct jwtbatch_verifier_options {
  /* Worker threads of this verifier's batches (its own TBB arena): 0 = one per core,
   * else 1..1024, capped at what TBB lets the process run (by default the number of
   * cores; jwtbatch_verifier_threads says how many run). */
  int threads;
  /* Verified-token cache: logs repeat tokens, and a token seen before is answered
   * without checking its signature again (time claims are judged at every use).
   * 0 entries = no cache, else at most 16777216 (2^24; about 16 bytes per entry are
   * allocated up front); 0 bytes = 64 MiB, else at most 17179869184 (16 GiB). */
  size_t cache_max_entries;
  size_t cache_max_bytes;
} jwtbatch_verifier_options;

/* jwtbatch_verifier_new binds a key set and a copy of a policy (NULL: the defaults)
 * into *out. `options` may be NULL (threads 0, no cache). Runs jwtbatch_crypto_check
 * first. Errors: ARGUMENT (out or keys NULL; an option out of its range above, the
 * message naming it), CONFIG (policy refused, e.g. more than 64 required claims),
 * CRYPTO_CLASH, NO_MEMORY.
 *
 * A verifier is immutable and thread-safe: any number of threads may run batches on
 * it at once, each with its own results object. Free it when no batch is running. */
JWTBATCH_API int jwtbatch_verifier_new(jwtbatch_verifier** out, const jwtbatch_key_set* keys,
                                       const jwtbatch_policy* policy,
                                       const jwtbatch_verifier_options* options,
                                       jwtbatch_error* err);
/* jwtbatch_verifier_new_following: as jwtbatch_verifier_new, but every batch is
 * verified with the newest keys of `keys` (see jwtbatch_key_source_options), which must
 * outlive the verifier. */
JWTBATCH_API int jwtbatch_verifier_new_following(jwtbatch_verifier** out, jwtbatch_key_source* keys,
                                                 const jwtbatch_policy* policy,
                                                 const jwtbatch_verifier_options* options,
                                                 jwtbatch_error* err);
JWTBATCH_API void jwtbatch_verifier_free(jwtbatch_verifier* v);
/* Threads its batches use; 0 for NULL. */
JWTBATCH_API int jwtbatch_verifier_threads(const jwtbatch_verifier* v);

/* ---- Results --------------------------------------------------------------------- */

/* Bits of jwtbatch_result.present: which optional fields hold a value. */
enum jwtbatch_present {
  JWTBATCH_HAS_ALG = 1u << 0,
  JWTBATCH_HAS_KID = 1u << 1,
  JWTBATCH_HAS_ISS = 1u << 2,
  JWTBATCH_HAS_SUB = 1u << 3,
  JWTBATCH_HAS_JTI = 1u << 4,
  JWTBATCH_HAS_AUD = 1u << 5,
  JWTBATCH_HAS_EXP = 1u << 6,
  JWTBATCH_HAS_NBF = 1u << 7,
  JWTBATCH_HAS_IAT = 1u << 8,
  JWTBATCH_HAS_DETAIL = 1u << 9
};

/* The verdict on one token and what was learned about it. Claims (iss, sub, jti, aud,
 * exp, nbf, iat) are filled only when the signature verified, never from a forged
 * token; alg and kid come from the header once it parsed. Future ABI-compatible
 * versions may append fields: reach results only through jwtbatch_results_get. */
typedef struct jwtbatch_result {
  int status;             /* JWTBATCH_STATUS_* */
  int status_class;       /* JWTBATCH_CLASS_* */
  int label;              /* JWTBATCH_LABEL_*: a known attack shape, or NONE */
  int signature_verified; /* 1: genuine as a JWS under a trusted key, whatever the
                             claims then said ("genuine but expired"); else 0 */
  unsigned present;       /* JWTBATCH_HAS_* bits */
  int alg;                /* JWTBATCH_ALG_* when HAS_ALG, else -1 */
  jwtbatch_str kid;       /* unescaped; data NULL when absent */
  jwtbatch_str iss, sub, jti;
  jwtbatch_str aud;     /* the first audience (a string aud is one element) */
  size_t aud_count;     /* all of them: jwtbatch_results_aud; 0 for "aud":[] */
  double exp, nbf, iat; /* NumericDates (Unix seconds); 0 when absent */
  size_t custom_count;  /* returned custom claims present: jwtbatch_results_custom_claim */
  /* First 16 bytes of SHA-256(token), lowercase hex, NUL-terminated: names the token
   * in audit output without carrying it ("000..." when fingerprints are off). */
  char fingerprint[33];
  /* The claim a claims status is about (HAS_DETAIL; data NULL otherwise): for
   * MISSING_CLAIM the first required claim absent, as the policy spells it, else the
   * claim a check needs ("iss", "aud", "sub", or "iat" for a maximum age); for
   * BAD_CLAIM_TYPE the first registered claim of the wrong type. */
  jwtbatch_str detail;
} jwtbatch_result;

/* A results object holds the results of one batch: storage the caller creates once
 * and reuses. It grows to the largest batch and the longest claims it has seen and
 * never shrinks, so batch after batch allocates nothing once warm. Used by one thread
 * at a time. */
typedef struct jwtbatch_results jwtbatch_results;

/* jwtbatch_results_new returns an empty results object, or NULL when memory ran out. */
JWTBATCH_API jwtbatch_results* jwtbatch_results_new(void);
JWTBATCH_API void jwtbatch_results_free(jwtbatch_results* r);

/* Number of results of the last batch (0 before the first, or after a failed call). */
JWTBATCH_API size_t jwtbatch_results_count(const jwtbatch_results* r);

/* jwtbatch_results_get returns token `index`'s result, or NULL when index >= count.
 *
 * Lifetime: the struct and every string it points to are owned by the results object
 * and stay valid, unchanged, until the next jwtbatch_verify_batch* call with this
 * results object, or jwtbatch_results_free. They never point into the caller's token
 * bytes. */
JWTBATCH_API const jwtbatch_result* jwtbatch_results_get(const jwtbatch_results* r, size_t index);

/* jwtbatch_results_aud returns audience `aud_index` of token `index` (valid as for
 * jwtbatch_results_get), or {NULL, 0} when out of range. */
JWTBATCH_API jwtbatch_str jwtbatch_results_aud(const jwtbatch_results* r, size_t index,
                                               size_t aud_index);

/* jwtbatch_results_custom_claim returns the raw JSON text (`"read"`, `42`,
 * `["a","b"]`) of custom claim `claim_index` of token `index`, and its name in
 * *out_name unless out_name is NULL, in the order the policy asked for them (absent
 * claims are left out). {NULL, 0} for both when out of range. Valid as for
 * jwtbatch_results_get. */
JWTBATCH_API jwtbatch_str jwtbatch_results_custom_claim(const jwtbatch_results* r, size_t index,
                                                        size_t claim_index, jwtbatch_str* out_name);

/* ---- Verifying ------------------------------------------------------------------- */

/* jwtbatch_verify_batch verifies `count` tokens on the verifier's threads and puts
 * token i's result at index i of `out` (in order, exactly one result per token,
 * whatever the thread count). Token i is the `token_lens[i]` bytes at tokens[i]
 * (token_lens NULL: each token is NUL-terminated). The token bytes are read during
 * the call only. Every token is evaluated at the policy's fixed time, or at the time
 * the call starts (one "now" for the whole batch).
 *
 * Per-token failures are results (a status), never errors. Errors: ARGUMENT (NULL
 * verifier, results, or tokens with count > 0; a NULL token, unless its length is 0),
 * NO_MEMORY (the results object could not grow). After an error `out` holds no
 * results.
 *
 * Allocation: `out` grows when the batch is larger than any before, or a token's
 * claims are longer than that slot held before; otherwise the call allocates nothing
 * (the engine keeps per-thread scratch). Thread-safe for distinct results objects. */
JWTBATCH_API int jwtbatch_verify_batch(const jwtbatch_verifier* v, jwtbatch_results* out,
                                       const char* const* tokens, const size_t* token_lens,
                                       size_t count);

/* jwtbatch_verify_batch_at is jwtbatch_verify_batch with token i evaluated at times[i]
 * (Unix seconds: e.g. the time of the log line the token came from, to ask "was it
 * valid when it was used?"). ARGUMENT also when times is NULL (count > 0) or a time is
 * not finite. */
JWTBATCH_API int jwtbatch_verify_batch_at(const jwtbatch_verifier* v, jwtbatch_results* out,
                                          const char* const* tokens, const size_t* token_lens,
                                          const double* times, size_t count);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* NOLINTEND(modernize-use-using, modernize-deprecated-headers,
 * readability-identifier-naming) */

#endif /* JWTBATCH_JWTBATCH_H */
