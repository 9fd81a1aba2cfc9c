/* c_api_test.c: the C ABI end to end, from a program written and compiled in C (C11;
 * c_api_c99.c compiles the header as strict C99 in the same program).
 *
 * Keys: an HMAC secret (tokens signed here with BoringSSL's HMAC, so every claim can
 * be chosen), and the P-256 key of RFC 7515 Appendix A.3 as a JWKS in memory, as a
 * JWKS file and as PEM, with the RFC's own ES256 token (an independent signer).
 * Usage: c_api_test <scratch directory>. Exit status 0 when every check passed. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwtbatch/jwtbatch.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

/* Defined in c_api_c99.c: the header's declarations used from C99. */
int c99_names_agree(void);

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)
#define CHECK_CODE(expr, code)                                                           \
  do {                                                                                   \
    const int got_ = (expr);                                                             \
    if (got_ != (code)) {                                                                \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #expr, \
              jwtbatch_code_name(got_), jwtbatch_code_name(code));                       \
      ++failures;                                                                        \
    }                                                                                    \
  } while (0)

/* str_is: a returned string equals the C string `want` (exact bytes and length). */
static int str_is(jwtbatch_str s, const char* want) {
  return s.data != NULL && s.len == strlen(want) && memcmp(s.data, want, s.len) == 0;
}

/* ---- Keys and tokens ------------------------------------------------------------- */

static const uint8_t k_secret[32] = "0123456789abcdef0123456789abcdef";
static const char k_ec_jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";
static const char k_ec_pem[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";
/* RFC 7515 A.3: {"alg":"ES256"} . {"iss":"joe",\r\n "exp":1300819380,\r\n
 * "http://example.com/is_root":true} */
static const char k_rfc_es256[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
    "fQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
static const double k_rfc_exp = 1300819380;
static const double k_now = 1700000000;

static size_t b64url(const uint8_t* in, size_t n, char* out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t o = 0;
  size_t i;
  for (i = 0; i + 2 < n; i += 3) {
    const uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = abc[v >> 18];
    out[o++] = abc[(v >> 12) & 63];
    out[o++] = abc[(v >> 6) & 63];
    out[o++] = abc[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = abc[v >> 18];
    out[o++] = abc[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    out[o++] = abc[v >> 18];
    out[o++] = abc[(v >> 12) & 63];
    out[o++] = abc[(v >> 6) & 63];
  }
  out[o] = '\0';
  return o;
}

/* hs256: the compact JWS of header.payload signed with k_secret, in `out` (big
 * enough: 1024 bytes for the claims used here). */
static const char* hs256(char* out, const char* header, const char* payload) {
  uint8_t mac[32];
  unsigned mac_len = 0;
  size_t n = b64url((const uint8_t*)header, strlen(header), out);
  out[n++] = '.';
  n += b64url((const uint8_t*)payload, strlen(payload), out + n);
  HMAC(EVP_sha256(), k_secret, sizeof k_secret, (const uint8_t*)out, n, mac, &mac_len);
  out[n++] = '.';
  b64url(mac, mac_len, out + n);
  return out;
}

/* fingerprint_of: what jwtbatch must report, the first 16 bytes of SHA-256 in hex. */
static void fingerprint_of(const char* token, char hex[33]) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  int i;
  SHA256((const uint8_t*)token, strlen(token), digest);
  for (i = 0; i < 16; ++i) sprintf(hex + 2 * i, "%02x", digest[i]);
}

/* ---- Tests ----------------------------------------------------------------------- */

static void test_versions_and_names(void) {
  CHECK(jwtbatch_abi_version() == JWTBATCH_ABI_VERSION);
  CHECK(strcmp(jwtbatch_version(), JWTBATCH_EXPECTED_VERSION) == 0);
  CHECK(strcmp(jwtbatch_status_name(JWTBATCH_STATUS_OK), "ok") == 0);
  CHECK(strcmp(jwtbatch_status_name(JWTBATCH_STATUS_EXPIRED), "expired") == 0);
  CHECK(strcmp(jwtbatch_status_name(JWTBATCH_STATUS_SUBJECT_MISMATCH), "subject_mismatch") == 0);
  CHECK(strcmp(jwtbatch_status_name(JWTBATCH_STATUS_NO_LOG_TIME), "no_log_time") == 0);
  CHECK(strcmp(jwtbatch_status_name(JWTBATCH_NUM_STATUSES), "unknown") == 0);
  CHECK(strcmp(jwtbatch_status_name(-1), "unknown") == 0);
  CHECK(jwtbatch_status_class(JWTBATCH_STATUS_BAD_SIGNATURE) == JWTBATCH_CLASS_SIGNATURE);
  CHECK(jwtbatch_status_class(999) == JWTBATCH_CLASS_FORMAT);
  CHECK(strcmp(jwtbatch_class_name(JWTBATCH_CLASS_CLAIMS), "claims") == 0);
  CHECK(strcmp(jwtbatch_alg_name(JWTBATCH_ALG_EDDSA), "EdDSA") == 0);
  CHECK(strcmp(jwtbatch_label_name(JWTBATCH_LABEL_NONE), "") == 0);
  CHECK(strcmp(jwtbatch_label_name(JWTBATCH_LABEL_ALG_NONE), "alg_none") == 0);
  CHECK(strcmp(jwtbatch_code_name(JWTBATCH_ERR_CRYPTO_CLASH), "crypto_clash") == 0);
  CHECK(strcmp(jwtbatch_code_name(42), "unknown") == 0);
  CHECK(jwtbatch_status_from_name("too_old", JWTBATCH_NTS) == JWTBATCH_STATUS_TOO_OLD);
  CHECK(jwtbatch_status_from_name("too_old_", 7) == JWTBATCH_STATUS_TOO_OLD);
  CHECK(jwtbatch_status_from_name("Too_old", JWTBATCH_NTS) == -1);
  CHECK(jwtbatch_alg_from_name("ES384", JWTBATCH_NTS) == JWTBATCH_ALG_ES384);
  CHECK(jwtbatch_alg_from_name("none", JWTBATCH_NTS) == -1);
  CHECK(jwtbatch_alg_from_name(NULL, 0) == -1);
  CHECK(c99_names_agree());
}

static void test_crypto_check(void) {
  jwtbatch_error err;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  CHECK_CODE(jwtbatch_crypto_check(&err), JWTBATCH_OK);
  clock_gettime(CLOCK_MONOTONIC, &b);
  CHECK(err.code == JWTBATCH_OK && err.message[0] == '\0');
  printf("crypto self-check, first call: %.0f us\n",
         (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3);
  CHECK_CODE(jwtbatch_crypto_check(NULL), JWTBATCH_OK);
}

static void write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f == NULL) return;
  CHECK(fwrite(text, 1, strlen(text), f) == strlen(text));
  fclose(f);
}

/* The mixed set: the HMAC secret (kid "hs", HS256) and the EC key from memory
 * (kid "ec"). */
static jwtbatch_key_set* mixed_keys(void) {
  jwtbatch_error err;
  jwtbatch_key_set_builder* b = NULL;
  jwtbatch_key_set* keys = NULL;
  CHECK_CODE(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_add_secret(b, k_secret, sizeof k_secret, "hs", 2,
                                                 JWTBATCH_ALG_HS256, NULL, &err),
             JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_add_jwks(b, k_ec_jwks, JWTBATCH_NTS, "ec.jwks", &err),
             JWTBATCH_OK);
  /* Secrets and public keys in one set: refused unless allowed (docs/SECURITY.md K3). */
  CHECK_CODE(jwtbatch_key_set_builder_allow_mixed(b, 1), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_OK);
  CHECK(keys != NULL && jwtbatch_key_set_size(keys) == 2);
  CHECK(jwtbatch_key_set_warning_count(keys) == 0 && jwtbatch_key_set_warning(keys, 0) == NULL);
  /* A built builder is spent. */
  CHECK_CODE(jwtbatch_key_set_builder_add_jwks(b, k_ec_jwks, JWTBATCH_NTS, NULL, &err),
             JWTBATCH_ERR_ARGUMENT);
  CHECK(strstr(err.message, "already built") != NULL);
  jwtbatch_key_set_builder_free(b);
  return keys;
}

static void test_key_loading_errors(const char* dir) {
  jwtbatch_error err;
  jwtbatch_key_set_builder* b = NULL;
  jwtbatch_key_set* keys = NULL;
  char path[4096];
  char long_path[2100];

  CHECK_CODE(jwtbatch_key_set_builder_new(NULL, &err), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);

  /* A missing file, a file that is no key, a short secret, bad PEM: CONFIG, with
   * messages naming the source. Nothing was added by any of them. */
  snprintf(path, sizeof path, "%s/no-such-dir/keys.jwks", dir);
  CHECK_CODE(jwtbatch_key_set_builder_add_file(b, path, NULL, 0, JWTBATCH_ALG_ANY, &err),
             JWTBATCH_ERR_CONFIG);
  CHECK(err.code == JWTBATCH_ERR_CONFIG && strstr(err.message, path) != NULL);
  snprintf(path, sizeof path, "%s/garbage.jwks", dir);
  write_file(path, "this is not a key\n");
  CHECK_CODE(jwtbatch_key_set_builder_add_file(b, path, NULL, 0, JWTBATCH_ALG_ANY, &err),
             JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, path) != NULL);
  printf("bad key file: %s\n", err.message);
  CHECK_CODE(jwtbatch_key_set_builder_add_secret(b, k_secret, 16, "short", JWTBATCH_NTS,
                                                 JWTBATCH_ALG_HS256, "short secret", &err),
             JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, "short secret") != NULL);
  /* Public-key material is never an HMAC secret (RFC 8725 §2.1): a PEM public key and a
   * JWK's text are refused, naming the source, as --secret-file refuses them. */
  CHECK_CODE(
      jwtbatch_key_set_builder_add_secret(b, (const uint8_t*)k_ec_pem, strlen(k_ec_pem), "pem",
                                          JWTBATCH_NTS, JWTBATCH_ALG_HS256, "public pem", &err),
      JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, "public pem") != NULL);
  printf("public key as secret: %s\n", err.message);
  CHECK_CODE(
      jwtbatch_key_set_builder_add_secret(b, (const uint8_t*)k_ec_jwks, strlen(k_ec_jwks), "jwk",
                                          JWTBATCH_NTS, JWTBATCH_ALG_HS256, "public jwk", &err),
      JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, "public jwk") != NULL);
  CHECK_CODE(jwtbatch_key_set_builder_add_pem(b, "-----BEGIN PUBLIC KEY-----\nAAAA\n", JWTBATCH_NTS,
                                              "broken.pem", NULL, 0, JWTBATCH_ALG_ANY, &err),
             JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, "broken.pem") != NULL);

  /* Misuse: ARGUMENT, nothing changed. */
  CHECK_CODE(jwtbatch_key_set_builder_add_file(b, NULL, NULL, 0, JWTBATCH_ALG_ANY, &err),
             JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_key_set_builder_add_pem(b, k_ec_pem, JWTBATCH_NTS, NULL, NULL, 0, 99, &err),
             JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_key_set_builder_add_secret(b, k_secret, sizeof k_secret, NULL, 0,
                                                 JWTBATCH_ALG_ANY, NULL, &err),
             JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_key_set_builder_add_jwks(NULL, k_ec_jwks, JWTBATCH_NTS, NULL, &err),
             JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_key_set_builder_build(b, NULL, &err), JWTBATCH_ERR_ARGUMENT);

  /* A message longer than the record is cut, and says so. */
  memset(long_path, 'x', sizeof long_path - 1);
  long_path[0] = '/';
  long_path[sizeof long_path - 1] = '\0';
  CHECK_CODE(jwtbatch_key_set_builder_add_file(b, long_path, NULL, 0, JWTBATCH_ALG_ANY, &err),
             JWTBATCH_ERR_CONFIG);
  CHECK(strlen(err.message) == JWTBATCH_ERROR_MESSAGE_SIZE - 1);
  CHECK(strcmp(err.message + JWTBATCH_ERROR_MESSAGE_SIZE - 4, "...") == 0);

  /* Nothing usable was added: build refuses. */
  CHECK_CODE(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_ERR_CONFIG);
  CHECK(keys == NULL && strstr(err.message, "no usable key") != NULL);
  jwtbatch_key_set_builder_free(b);

  /* Mixing secrets and public keys without allowing it. */
  CHECK_CODE(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_add_secret(b, k_secret, sizeof k_secret, "hs", 2,
                                                 JWTBATCH_ALG_HS256, NULL, &err),
             JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_add_pem(b, k_ec_pem, JWTBATCH_NTS, "ec.pem", "ec", 2,
                                              JWTBATCH_ALG_ES256, &err),
             JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_ERR_CONFIG);
  CHECK(strstr(err.message, "mixes") != NULL);
  jwtbatch_key_set_builder_free(b);

  /* A JWKS with one bad key: the good one loads, the bad one is a warning. */
  CHECK_CODE(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_key_set_builder_add_jwks(
                 b,
                 "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"bad\",\"x\":\"AA\","
                 "\"y\":\"AA\"},{\"kty\":\"oct\",\"kid\":\"good\",\"alg\":\"HS256\",\"k\":"
                 "\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}]}",
                 JWTBATCH_NTS, "half.jwks", &err),
             JWTBATCH_OK);
  CHECK(jwtbatch_key_set_builder_warning_count(b) == 1);
  CHECK(jwtbatch_key_set_builder_warning(b, 0) != NULL &&
        strstr(jwtbatch_key_set_builder_warning(b, 0), "half.jwks") != NULL);
  CHECK(jwtbatch_key_set_builder_warning(b, 1) == NULL);
  CHECK_CODE(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_OK);
  CHECK(jwtbatch_key_set_size(keys) == 1 && jwtbatch_key_set_warning_count(keys) == 1);
  jwtbatch_key_set_free(keys);
  jwtbatch_key_set_builder_free(b);
}

static void test_policy_arguments(void) {
  jwtbatch_policy* p = jwtbatch_policy_new();
  CHECK(p != NULL);
  CHECK_CODE(jwtbatch_policy_set_leeway(p, -1), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_max_age(p, -5), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, NAN), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, INFINITY), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_allowed_algs(p, 0), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_allowed_algs(p, JWTBATCH_ALG_BIT(JWTBATCH_NUM_ALGS)),
             JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_max_token_bytes(p, 0), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_add_issuer(p, NULL, 0), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_add_issuer(NULL, "x", 1), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_leeway(p, 30), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_use_current_time(p), JWTBATCH_OK);
  jwtbatch_policy_free(p);
}

/* The main batch: HMAC tokens with every claim, expired, forged, malformed, alg none,
 * the RFC's ES256 token, over the mixed key set; checked field by field. */
static void test_batch(void) {
  enum { k_count = 7 };
  jwtbatch_error err;
  jwtbatch_key_set* keys = mixed_keys();
  jwtbatch_policy* p = jwtbatch_policy_new();
  jwtbatch_verifier* v = NULL;
  jwtbatch_results* r = jwtbatch_results_new();
  jwtbatch_verifier_options opt;
  static char ok[1024], expired[1024], forged[1024], none[1024];
  const char* tokens[k_count];
  size_t lens[k_count];
  const jwtbatch_result* t;
  char fp[33];
  jwtbatch_str name, json;
  size_t i;

  hs256(ok, "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"hs\"}",
        "{\"iss\":\"https://issuer.example\",\"sub\":\"alice\",\"jti\":\"id-1\","
        "\"aud\":[\"api.example\",\"other\"],\"iat\":1699999000,\"nbf\":1699999000,"
        "\"exp\":1700003600,\"scope\":\"read\"}");
  hs256(expired, "{\"alg\":\"HS256\",\"kid\":\"hs\"}",
        "{\"iss\":\"https://issuer.example\",\"sub\":\"bob\",\"exp\":1699999999}");
  strcpy(forged, ok);
  forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'Q' : 'A';
  snprintf(none, sizeof none, "%s", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UifQ.");
  tokens[0] = ok;
  tokens[1] = expired;
  tokens[2] = forged;
  tokens[3] = "abc"; /* malformed: one segment */
  tokens[4] = none;
  tokens[5] = k_rfc_es256; /* genuine, but its exp is in 2011 */
  tokens[6] = ok;          /* lens[6] cuts it short: a different token */
  for (i = 0; i < k_count; ++i) lens[i] = strlen(tokens[i]);
  lens[6] = strlen(ok) - 1;

  CHECK(p != NULL && r != NULL);
  CHECK_CODE(jwtbatch_policy_add_issuer(p, "https://issuer.example", JWTBATCH_NTS), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_add_issuer(p, "joe", 3), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, k_now), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_add_returned_claim(p, "scope", JWTBATCH_NTS), JWTBATCH_OK);
  memset(&opt, 0, sizeof opt);
  opt.threads = 2;
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_OK);
  /* The verifier holds what it needs: key set and policy may go now. */
  jwtbatch_key_set_free(keys);
  jwtbatch_policy_free(p);
  CHECK(jwtbatch_verifier_threads(v) == 2);

  CHECK(jwtbatch_results_count(r) == 0 && jwtbatch_results_get(r, 0) == NULL);
  CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, lens, k_count), JWTBATCH_OK);
  CHECK(jwtbatch_results_count(r) == k_count);
  CHECK(jwtbatch_results_get(r, k_count) == NULL);

  t = jwtbatch_results_get(r, 0);
  CHECK(t->status == JWTBATCH_STATUS_OK && t->status_class == JWTBATCH_CLASS_OK);
  CHECK(t->signature_verified == 1 && t->label == JWTBATCH_LABEL_NONE);
  CHECK(t->alg == JWTBATCH_ALG_HS256);
  CHECK(t->present == (JWTBATCH_HAS_ALG | JWTBATCH_HAS_KID | JWTBATCH_HAS_ISS | JWTBATCH_HAS_SUB |
                       JWTBATCH_HAS_JTI | JWTBATCH_HAS_AUD | JWTBATCH_HAS_EXP | JWTBATCH_HAS_NBF |
                       JWTBATCH_HAS_IAT));
  CHECK(str_is(t->kid, "hs") && str_is(t->iss, "https://issuer.example"));
  CHECK(str_is(t->sub, "alice") && str_is(t->jti, "id-1"));
  CHECK(t->aud_count == 2 && str_is(t->aud, "api.example"));
  CHECK(str_is(jwtbatch_results_aud(r, 0, 1), "other"));
  CHECK(jwtbatch_results_aud(r, 0, 2).data == NULL && jwtbatch_results_aud(r, 99, 0).data == NULL);
  CHECK(t->exp == 1700003600 && t->nbf == 1699999000 && t->iat == 1699999000);
  CHECK(t->custom_count == 1);
  json = jwtbatch_results_custom_claim(r, 0, 0, &name);
  CHECK(str_is(name, "scope") && str_is(json, "\"read\""));
  json = jwtbatch_results_custom_claim(r, 0, 1, &name);
  CHECK(json.data == NULL && name.data == NULL);
  fingerprint_of(ok, fp);
  CHECK(strcmp(t->fingerprint, fp) == 0);

  /* Genuine but expired: the signature verified and the claims are reported. */
  t = jwtbatch_results_get(r, 1);
  CHECK(t->status == JWTBATCH_STATUS_EXPIRED && t->status_class == JWTBATCH_CLASS_CLAIMS);
  CHECK(t->signature_verified == 1 && str_is(t->sub, "bob") && t->exp == 1699999999);
  CHECK((t->present & JWTBATCH_HAS_AUD) == 0 && t->aud_count == 0 && t->aud.data == NULL);
  CHECK(strcmp(jwtbatch_status_name(t->status), "expired") == 0);

  /* Forged: never any claim from it. */
  t = jwtbatch_results_get(r, 2);
  CHECK(t->status == JWTBATCH_STATUS_BAD_SIGNATURE && t->status_class == JWTBATCH_CLASS_SIGNATURE);
  CHECK(t->signature_verified == 0 && t->present == (JWTBATCH_HAS_ALG | JWTBATCH_HAS_KID));
  CHECK(t->iss.data == NULL && t->sub.data == NULL && t->exp == 0);
  fingerprint_of(forged, fp);
  CHECK(strcmp(t->fingerprint, fp) == 0);

  t = jwtbatch_results_get(r, 3);
  CHECK(t->status == JWTBATCH_STATUS_BAD_SEGMENTS && t->status_class == JWTBATCH_CLASS_FORMAT);
  CHECK(t->present == 0 && t->alg == -1 && t->kid.data == NULL);

  t = jwtbatch_results_get(r, 4);
  CHECK(t->status == JWTBATCH_STATUS_ALG_NONE && t->label == JWTBATCH_LABEL_ALG_NONE);
  CHECK(strcmp(jwtbatch_label_name(t->label), "alg_none") == 0);

  t = jwtbatch_results_get(r, 5);
  CHECK(t->status == JWTBATCH_STATUS_EXPIRED && t->signature_verified == 1);
  CHECK(t->alg == JWTBATCH_ALG_ES256 && (t->present & JWTBATCH_HAS_KID) == 0);
  CHECK(str_is(t->iss, "joe") && t->exp == k_rfc_exp);

  /* The length, not the NUL, ends a token: one byte short, the signature is broken. */
  t = jwtbatch_results_get(r, 6);
  CHECK(t->status != JWTBATCH_STATUS_OK && t->signature_verified == 0);
  CHECK(t->status_class == JWTBATCH_CLASS_FORMAT || t->status_class == JWTBATCH_CLASS_SIGNATURE);

  /* Per-token times: the RFC token was valid the second before its exp. */
  {
    const double times[2] = {k_rfc_exp - 1, k_rfc_exp};
    const char* rfc[2] = {k_rfc_es256, k_rfc_es256};
    double bad_times[2] = {0, 0};
    CHECK_CODE(jwtbatch_verify_batch_at(v, r, rfc, NULL, times, 2), JWTBATCH_OK);
    CHECK(jwtbatch_results_count(r) == 2);
    CHECK(jwtbatch_results_get(r, 0)->status == JWTBATCH_STATUS_OK);
    CHECK(jwtbatch_results_get(r, 1)->status == JWTBATCH_STATUS_EXPIRED);
    bad_times[1] = NAN;
    CHECK_CODE(jwtbatch_verify_batch_at(v, r, rfc, NULL, bad_times, 2), JWTBATCH_ERR_ARGUMENT);
    CHECK(jwtbatch_results_count(r) == 0);
    CHECK_CODE(jwtbatch_verify_batch_at(v, r, rfc, NULL, NULL, 2), JWTBATCH_ERR_ARGUMENT);
  }

  /* Misuse, empty batches and NULL tokens. */
  {
    const char* null_token[1] = {NULL};
    const size_t zero[1] = {0};
    const size_t one[1] = {1};
    CHECK_CODE(jwtbatch_verify_batch(NULL, r, tokens, lens, 1), JWTBATCH_ERR_ARGUMENT);
    CHECK_CODE(jwtbatch_verify_batch(v, NULL, tokens, lens, 1), JWTBATCH_ERR_ARGUMENT);
    CHECK_CODE(jwtbatch_verify_batch(v, r, NULL, NULL, 1), JWTBATCH_ERR_ARGUMENT);
    CHECK_CODE(jwtbatch_verify_batch(v, r, NULL, NULL, 0), JWTBATCH_OK);
    CHECK(jwtbatch_results_count(r) == 0);
    CHECK_CODE(jwtbatch_verify_batch(v, r, null_token, one, 1), JWTBATCH_ERR_ARGUMENT);
    CHECK_CODE(jwtbatch_verify_batch(v, r, null_token, NULL, 1), JWTBATCH_ERR_ARGUMENT);
    CHECK_CODE(jwtbatch_verify_batch(v, r, null_token, zero, 1), JWTBATCH_OK);
    CHECK(jwtbatch_results_get(r, 0)->status == JWTBATCH_STATUS_BAD_SEGMENTS);
  }
  jwtbatch_results_free(r);
  jwtbatch_verifier_free(v);
}

/* The same EC key from a JWKS file and from PEM; the RFC token verifies with each. */
static void test_file_and_pem_keys(const char* dir) {
  const char* kinds[2] = {"file", "pem"};
  int k;
  for (k = 0; k < 2; ++k) {
    jwtbatch_error err;
    jwtbatch_key_set_builder* b = NULL;
    jwtbatch_key_set* keys = NULL;
    jwtbatch_policy* p = jwtbatch_policy_new();
    jwtbatch_verifier* v = NULL;
    jwtbatch_results* r = jwtbatch_results_new();
    const char* tokens[1] = {k_rfc_es256};
    char path[4096];
    CHECK_CODE(jwtbatch_key_set_builder_new(&b, &err), JWTBATCH_OK);
    if (k == 0) {
      snprintf(path, sizeof path, "%s/ec.jwks", dir);
      write_file(path, k_ec_jwks);
      CHECK_CODE(jwtbatch_key_set_builder_add_file(b, path, NULL, 0, JWTBATCH_ALG_ANY, &err),
                 JWTBATCH_OK);
    } else {
      CHECK_CODE(jwtbatch_key_set_builder_add_pem(b, k_ec_pem, sizeof k_ec_pem - 1, "ec.pem",
                                                  "ec-pem", JWTBATCH_NTS, JWTBATCH_ALG_ES256, &err),
                 JWTBATCH_OK);
    }
    CHECK_CODE(jwtbatch_key_set_builder_build(b, &keys, &err), JWTBATCH_OK);
    CHECK_CODE(jwtbatch_policy_set_fixed_time(p, k_rfc_exp - 60), JWTBATCH_OK);
    CHECK_CODE(jwtbatch_policy_set_allowed_algs(p, JWTBATCH_ALG_BIT(JWTBATCH_ALG_ES256)),
               JWTBATCH_OK);
    CHECK_CODE(jwtbatch_policy_add_issuer(p, "joe", JWTBATCH_NTS), JWTBATCH_OK);
    CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, NULL, &err), JWTBATCH_OK);
    CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, NULL, 1), JWTBATCH_OK);
    if (jwtbatch_results_get(r, 0)->status != JWTBATCH_STATUS_OK) {
      fprintf(stderr, "%s key: %s\n", kinds[k],
              jwtbatch_status_name(jwtbatch_results_get(r, 0)->status));
      ++failures;
    }
    jwtbatch_results_free(r);
    jwtbatch_verifier_free(v);
    jwtbatch_policy_free(p);
    jwtbatch_key_set_free(keys);
    jwtbatch_key_set_builder_free(b);
  }
}

/* 1 and 2 threads, with and without the cache, twice over the same results object:
 * the same verdicts for the same 300 tokens. */
static void test_threads_cache_and_reuse(void) {
  enum { k_n = 300 };
  jwtbatch_error err;
  jwtbatch_key_set* keys = mixed_keys();
  jwtbatch_policy* p = jwtbatch_policy_new();
  static char storage[k_n][256];
  const char* tokens[k_n];
  int expect[k_n];
  int config;
  size_t i;
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, k_now), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_set_max_token_bytes(p, 200), JWTBATCH_OK);
  for (i = 0; i < k_n; ++i) {
    char payload[128];
    snprintf(payload, sizeof payload, "{\"sub\":\"user-%u\",\"exp\":%u}", (unsigned)i,
             1700000000u - 149u + (unsigned)i); /* i < 150: exp <= now */
    hs256(storage[i], "{\"alg\":\"HS256\",\"kid\":\"hs\"}", payload);
    expect[i] = i < 150 ? JWTBATCH_STATUS_EXPIRED : JWTBATCH_STATUS_OK;
    if (i % 7 == 0) { /* padded past the limit */
      memset(storage[i] + strlen(storage[i]), 'A', 210 - strlen(storage[i]));
      storage[i][210] = '\0';
      expect[i] = JWTBATCH_STATUS_TOKEN_TOO_LARGE;
    }
    tokens[i] = storage[i];
  }
  for (config = 0; config < 4; ++config) {
    jwtbatch_verifier_options opt;
    jwtbatch_verifier* v = NULL;
    jwtbatch_results* r = jwtbatch_results_new();
    int round;
    memset(&opt, 0, sizeof opt);
    opt.threads = 1 + config % 2;
    opt.cache_max_entries = config < 2 ? 0 : 64;
    CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_OK);
    for (round = 0; round < 2; ++round) {
      /* A smaller batch first on the second round: the object shrinks and grows. */
      if (round == 1) CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, NULL, 3), JWTBATCH_OK);
      CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, NULL, k_n), JWTBATCH_OK);
      CHECK(jwtbatch_results_count(r) == k_n);
      for (i = 0; i < k_n; ++i) {
        const jwtbatch_result* t = jwtbatch_results_get(r, i);
        if (t->status != expect[i]) {
          fprintf(stderr, "threads %d cache %u round %d token %u: %s\n", opt.threads,
                  (unsigned)opt.cache_max_entries, round, (unsigned)i,
                  jwtbatch_status_name(t->status));
          ++failures;
          break;
        }
      }
    }
    jwtbatch_results_free(r);
    jwtbatch_verifier_free(v);
  }
  jwtbatch_policy_free(p);
  jwtbatch_key_set_free(keys);
}

/* missing_claim names its claim (jwtbatch_result.detail), the policy's spelling of a
 * required claim, or the claim a check needs; the string lives in the results object
 * and outlives the policy and the verifier. Any other status has no detail. */
static void test_missing_claim_detail(void) {
  jwtbatch_error err;
  jwtbatch_key_set* keys = mixed_keys();
  jwtbatch_policy* p = jwtbatch_policy_new();
  jwtbatch_verifier* v = NULL;
  jwtbatch_results* r = jwtbatch_results_new();
  static char no_tenant[512], no_iss[512], mistyped[512], fine[512];
  const char* tokens[4];
  const jwtbatch_result* t;
  hs256(no_tenant, "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"iss\":\"i\",\"sub\":\"a\"}");
  hs256(no_iss, "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"sub\":\"a\",\"tenant\":1}");
  hs256(mistyped, "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"iss\":\"i\",\"nbf\":\"0\"}");
  hs256(fine, "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"iss\":\"i\",\"sub\":\"a\",\"tenant\":1}");
  tokens[0] = no_tenant;
  tokens[1] = no_iss;
  tokens[2] = mistyped;
  tokens[3] = fine;
  CHECK(p != NULL && r != NULL);
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, k_now), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_add_issuer(p, "i", 1), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_add_required_claim(p, "tenant", JWTBATCH_NTS), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, NULL, &err), JWTBATCH_OK);
  jwtbatch_policy_free(p);
  CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, NULL, 4), JWTBATCH_OK);
  jwtbatch_verifier_free(v);
  jwtbatch_key_set_free(keys);
  t = jwtbatch_results_get(r, 0);
  CHECK(t->status == JWTBATCH_STATUS_MISSING_CLAIM && str_is(t->detail, "tenant"));
  CHECK((t->present & JWTBATCH_HAS_DETAIL) != 0);
  t = jwtbatch_results_get(r, 1);
  CHECK(t->status == JWTBATCH_STATUS_MISSING_CLAIM && str_is(t->detail, "iss"));
  t = jwtbatch_results_get(r, 2);
  CHECK(t->status == JWTBATCH_STATUS_BAD_CLAIM_TYPE && str_is(t->detail, "nbf"));
  t = jwtbatch_results_get(r, 3);
  CHECK(t->status == JWTBATCH_STATUS_OK && t->detail.data == NULL && t->detail.len == 0);
  CHECK((t->present & JWTBATCH_HAS_DETAIL) == 0);
  jwtbatch_results_free(r);
}

/* Bounds: threads 0..1024, cache_max_entries up to 2^24, cache_max_bytes up to 16 GiB,
 * leeway 0..86400, max_token_bytes 1..16 MiB. Out of range: ARGUMENT and a message
 * naming the field, never a crash (INT_MAX threads crashed inside TBB) or a huge
 * allocation. The largest accepted values work. */
static void test_bounds(void) {
  jwtbatch_error err;
  jwtbatch_key_set* keys = mixed_keys();
  jwtbatch_policy* p = jwtbatch_policy_new();
  jwtbatch_results* r = jwtbatch_results_new();
  jwtbatch_verifier* v = NULL;
  jwtbatch_verifier_options opt;
  static char ok[512];
  const char* tokens[1];
  const int bad_threads[4] = {-1, 1025, 10000000, INT_MAX};
  size_t i;
  hs256(ok, "{\"alg\":\"HS256\",\"kid\":\"hs\"}", "{\"sub\":\"a\",\"exp\":1800000000}");
  tokens[0] = ok;
  CHECK(p != NULL && r != NULL);
  CHECK_CODE(jwtbatch_policy_set_fixed_time(p, k_now), JWTBATCH_OK);

  for (i = 0; i < 4; ++i) {
    memset(&opt, 0, sizeof opt);
    opt.threads = bad_threads[i];
    v = (jwtbatch_verifier*)&err;
    CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_ERR_ARGUMENT);
    CHECK(v == NULL && strstr(err.message, "threads") != NULL);
    CHECK(strstr(err.message, "1024") != NULL);
  }
  memset(&opt, 0, sizeof opt);
  opt.cache_max_entries = ((size_t)1 << 24) + 1;
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_ERR_ARGUMENT);
  CHECK(v == NULL && strstr(err.message, "cache_max_entries") != NULL);
  opt.cache_max_entries = SIZE_MAX;
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_ERR_ARGUMENT);
  CHECK(strstr(err.message, "cache_max_entries") != NULL);
  opt.cache_max_entries = 16;
  opt.cache_max_bytes = ((size_t)16 << 30) + 1;
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_ERR_ARGUMENT);
  CHECK(v == NULL && strstr(err.message, "cache_max_bytes") != NULL);

  CHECK_CODE(jwtbatch_policy_set_leeway(p, 86401), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_leeway(p, INT64_MAX), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_max_token_bytes(p, ((size_t)16 << 20) + 1), JWTBATCH_ERR_ARGUMENT);
  CHECK_CODE(jwtbatch_policy_set_max_token_bytes(p, SIZE_MAX), JWTBATCH_ERR_ARGUMENT);

  /* The largest accepted values. */
  CHECK_CODE(jwtbatch_policy_set_leeway(p, 86400), JWTBATCH_OK);
  CHECK_CODE(jwtbatch_policy_set_max_token_bytes(p, (size_t)16 << 20), JWTBATCH_OK);
  opt.threads = 1024;
  opt.cache_max_entries = 1024;
  opt.cache_max_bytes = (size_t)16 << 30;
  CHECK_CODE(jwtbatch_verifier_new(&v, keys, p, &opt, &err), JWTBATCH_OK);
  CHECK(jwtbatch_verifier_threads(v) >= 1 && jwtbatch_verifier_threads(v) <= 1024);
  CHECK_CODE(jwtbatch_verify_batch(v, r, tokens, NULL, 1), JWTBATCH_OK);
  CHECK(jwtbatch_results_get(r, 0)->status == JWTBATCH_STATUS_OK);
  jwtbatch_verifier_free(v);
  jwtbatch_results_free(r);
  jwtbatch_policy_free(p);
  jwtbatch_key_set_free(keys);
}

static void test_null_handles(void) {
  jwtbatch_error err;
  jwtbatch_verifier* v = (jwtbatch_verifier*)&err; /* must be reset to NULL on failure */
  jwtbatch_key_set_builder_free(NULL);
  jwtbatch_key_set_free(NULL);
  jwtbatch_policy_free(NULL);
  jwtbatch_verifier_free(NULL);
  jwtbatch_results_free(NULL);
  CHECK(jwtbatch_key_set_size(NULL) == 0 && jwtbatch_verifier_threads(NULL) == 0);
  CHECK(jwtbatch_results_count(NULL) == 0 && jwtbatch_results_get(NULL, 0) == NULL);
  CHECK_CODE(jwtbatch_verifier_new(&v, NULL, NULL, NULL, &err), JWTBATCH_ERR_ARGUMENT);
  CHECK(v == NULL && strstr(err.message, "key set") != NULL);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: c_api_test <scratch directory>\n");
    return 2;
  }
  test_crypto_check(); /* first: it times the check itself */
  test_versions_and_names();
  test_key_loading_errors(argv[1]);
  test_policy_arguments();
  test_batch();
  test_file_and_pem_keys(argv[1]);
  test_threads_cache_and_reuse();
  test_missing_claim_detail();
  test_bounds();
  test_null_handles();
  if (failures != 0) {
    fprintf(stderr, "c_api_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("c_api_test: all checks passed\n");
  return 0;
}
