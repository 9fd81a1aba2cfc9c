/* c_api_fixture.h: one fixed HS256 key and token, and jwtbatch_fixture_run(), which
 * verifies them through the C ABI from start to finish. Shared by the programs that
 * load libjwtbatch.so in unusual ways: the installed-tree consumers (tests/consumer/)
 * and the library-clash hosts (tests/clash/). Compiles as C99 and as C++.
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

/* jwtbatch_fixture_run loads the secret, verifies the token and its forgery at
 * 1700000100 on two threads, and checks the verdicts (ok with sub "alice", then
 * bad_signature). Returns JWTBATCH_OK, or the failing call's code (-1 for a wrong
 * verdict) with the reason in `why`. */
static int jwtbatch_fixture_run(char* why, size_t why_len) {
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

  tokens[0] = jwtbatch_fixture_token;
  tokens[1] = jwtbatch_fixture_forged;
  memset(&options, 0, sizeof options);
  options.threads = 2;
  err.code = 0;
  err.message[0] = '\0';
  rc = JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_new)(&builder, &err);
  if (rc == JWTBATCH_OK) {
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
      snprintf(why, why_len, "token: %s (sub alice, fingerprint %s); forgery: %s",
               JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(ok->status), ok->fingerprint,
               JWTBATCH_FIXTURE_FN(jwtbatch_status_name)(forged->status));
    }
  }
  JWTBATCH_FIXTURE_FN(jwtbatch_results_free)(results);
  JWTBATCH_FIXTURE_FN(jwtbatch_verifier_free)(verifier);
  JWTBATCH_FIXTURE_FN(jwtbatch_policy_free)(policy);
  JWTBATCH_FIXTURE_FN(jwtbatch_key_set_free)(keys);
  JWTBATCH_FIXTURE_FN(jwtbatch_key_set_builder_free)(builder);
  return rc;
}

#endif /* JWTBATCH_C_API_FIXTURE_H */
