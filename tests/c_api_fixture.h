/* c_api_fixture.h: fixed HS256 and ES256 keys and tokens, and jwtbatch_fixture_run(),
 * which verifies them through the C ABI from start to finish (HMAC, and the P-256
 * assembly of the BoringSSL inside libjwtbatch.so). Shared by the programs that load
 * libjwtbatch.so in unusual ways: the installed-tree consumers (tests/consumer/) and
 * the hosts that also use OpenSSL (tests/coexist/). Compiles as C99 and as C++.
 *
 * A host that reaches the library through dlopen() defines
 * JWTBATCH_FIXTURE_FN(name) to an expression giving the function `name` before
 * including this file; by default the functions are called directly (linked). */
#ifndef JWTBATCH_C_API_FIXTURE_H
#define JWTBATCH_C_API_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <jwtbatch/jwtbatch.h>

#ifndef JWTBATCH_FIXTURE_FN
#define JWTBATCH_FIXTURE_FN(name) name
#endif

/* 32 bytes: the minimum for HS256 (RFC 7518 §3.2). */
static const char jwtbatch_fixture_secret[] = "jwtbatch-c-abi-fixture-secret-32";
static const char jwtbatch_fixture_kid[] = "fixture";
/* {"alg":"HS256","typ":"JWT","kid":"fixture"} .
 * {"iss":"https://issuer.example","sub":"alice","aud":"api.example","iat":1700000000,
 *  "exp":2000000000} */
static const char jwtbatch_fixture_token[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZpeHR1cmUifQ."
    "eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiYWxpY2UiLCJhdWQiOiJhcGkuZXhhbXBsZSIsIm"
    "lhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ."
    "quqxJX9Mf_hD-IQnV28Fwe2F5NoqsSZlMXFOpripsqY";
/* The same token with its last signature character changed. */
static const char jwtbatch_fixture_forged[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZpeHR1cmUifQ."
    "eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiYWxpY2UiLCJhdWQiOiJhcGkuZXhhbXBsZSIsIm"
    "lhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ."
    "quqxJX9Mf_hD-IQnV28Fwe2F5NoqsSZlMXFOpripsqA";

/* A public ES256 key (JWK Set) and a token it signed with the same claims (made with
 * `jwtbatch keygen --alg ES256` and `jwtbatch sign`), and that token with the first
 * character of its signature changed. */
static const char jwtbatch_fixture_es256_jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"AjNA8XzVdrMDyrQYIcE6nlDMnePhnUcXfVWib7YY2YM\","
    "\"y\":\"V8JjME6wh9ZzCMhKUJ_PT3qn1uXD4v-eOQPW0slQv_8\","
    "\"kid\":\"fixture-es256\",\"use\":\"sig\",\"alg\":\"ES256\"}]}";
static const char jwtbatch_fixture_es256_token[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZpeHR1cmUtZXMyNTYifQ."
    "eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiYWxpY2UiLCJhdWQiOiJhcGkuZXhhbXBsZSIsIm"
    "lhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ."
    "giER_9be357OMtMiNskdzqLLC6IrlJxI23MweESAIEode4Jox6lORmScrF0STv-sVpzGPGiu89rBWjsDipR2Hg";
static const char jwtbatch_fixture_es256_forged[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZpeHR1cmUtZXMyNTYifQ."
    "eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwic3ViIjoiYWxpY2UiLCJhdWQiOiJhcGkuZXhhbXBsZSIsIm"
    "lhdCI6MTcwMDAwMDAwMCwiZXhwIjoyMDAwMDAwMDAwfQ."
    "hiER_9be357OMtMiNskdzqLLC6IrlJxI23MweESAIEode4Jox6lORmScrF0STv-sVpzGPGiu89rBWjsDipR2Hg";

/* jwtbatch_fixture_verify loads one fixture key (es256: the ES256 JWK Set, else the
 * HS256 secret), verifies its token and forgery at 1700000100 on two threads, and
 * checks the verdicts (ok with sub "alice", then bad_signature). Returns JWTBATCH_OK,
 * or the failing call's code (-1 for a wrong verdict) with the reason in `why`. */
static int jwtbatch_fixture_verify(int es256, char* why, size_t why_len) {
  jwtbatch_error err;
  jwtbatch_key_set_builder* builder = NULL;
  jwtbatch_key_set* keys = NULL;
  jwtbatch_policy* policy = NULL;
  jwtbatch_verifier* verifier = NULL;
  jwtbatch_results* results = NULL;
  const char* tokens[2];
  const jwtbatch_result* ok;
  const jwtbatch_result* forged;
  jwtbatch_verifier_options options;
  int rc;

  tokens[0] = es256 ? jwtbatch_fixture_es256_token : jwtbatch_fixture_token;
  tokens[1] = es256 ? jwtbatch_fixture_es256_forged : jwtbatch_fixture_forged;
  memset(&options, 0, sizeof options);
  options.threads = 2;
  err.code = 0;
  err.message[0] = '\0';
  rc = JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_new)(&builder, &err);
  if (rc == JWTBATCH_OK && es256) {
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_add_jwks)(
        builder, jwtbatch_fixture_es256_jwks, strlen(jwtbatch_fixture_es256_jwks),
        "fixture ES256 key", &err);
  } else if (rc == JWTBATCH_OK) {
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_add_secret)(
        builder, (const uint8_t*)jwtbatch_fixture_secret, strlen(jwtbatch_fixture_secret),
        jwtbatch_fixture_kid, JWTBATCH_NTS, JWTBATCH_ALG_HS256, "fixture secret", &err);
  }
  if (rc == JWTBATCH_OK)
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_build)(builder, &keys, &err);
  if (rc == JWTBATCH_OK) {
    policy = JWTBATCH_FIXTURE_FN(jwtbatch_policy_new)();
    rc = policy != NULL ? JWTBATCH_OK : JWTBATCH_ERR_NO_MEMORY;
  }
  if (rc == JWTBATCH_OK) {
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_policy_add_issuer)(policy, "https://issuer.example",
                                                         JWTBATCH_NTS);
  }
  if (rc == JWTBATCH_OK)
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_policy_set_fixed_time)(policy, 1700000100);
  if (rc == JWTBATCH_OK) {
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_verifier_new)(&verifier, keys, policy, &options, &err);
  }
  if (rc == JWTBATCH_OK) {
    results = JWTBATCH_FIXTURE_FN(jwtbatch_results_new)();
    rc = results != NULL ? JWTBATCH_OK : JWTBATCH_ERR_NO_MEMORY;
  }
  if (rc == JWTBATCH_OK) {
    rc = JWTBATCH_FIXTURE_FN(jwtbatch_verify_batch)(verifier, results, tokens, NULL, 2);
  }
  if (rc != JWTBATCH_OK) {
    snprintf(why, why_len, "%s: %s", JWTBATCH_FIXTURE_FN(jwtbatch_code_name)(rc), err.message);
  } else {
    ok = JWTBATCH_FIXTURE_FN(jwtbatch_results_get)(results, 0);
    forged = JWTBATCH_FIXTURE_FN(jwtbatch_results_get)(results, 1);
    if (ok->status != JWTBATCH_STATUS_OK || ok->sub.len != 5 ||
        memcmp(ok->sub.data, "alice", 5) != 0 || forged->status != JWTBATCH_STATUS_BAD_SIGNATURE) {
      rc = -1;
      snprintf(why, why_len, "wrong verdicts: %s, %s",
               JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(ok->status),
               JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(forged->status));
    } else {
      snprintf(why, why_len, "%s token: %s (sub alice, fingerprint %s); forgery: %s",
               es256 ? "ES256" : "HS256", JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(ok->status),
               ok->fingerprint, JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(forged->status));
    }
  }
  JWTBATCH_FIXTURE_FN(jwtbatch_results_free)(results);
  JWTBATCH_FIXTURE_FN(jwtbatch_verifier_free)(verifier);
  JWTBATCH_FIXTURE_FN(jwtbatch_policy_free)(policy);
  JWTBATCH_FIXTURE_FN(jwtbatch_key_set_free)(keys);
  JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_free)(builder);
  return rc;
}

/* jwtbatch_fixture_run verifies the HS256 fixture, then the ES256 one; the result and
 * `why` are those of the first that fails, or of the ES256 one. */
static int jwtbatch_fixture_run(char* why, size_t why_len) {
  const int rc = jwtbatch_fixture_verify(0, why, why_len);
  return rc != JWTBATCH_OK ? rc : jwtbatch_fixture_verify(1, why, why_len);
}

#endif /* JWTBATCH_C_API_FIXTURE_H */
