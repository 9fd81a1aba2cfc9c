// libjwt_verify: the "against the peers" verifier built on Debian's libjwt 1.10 (C,
// OpenSSL). It verifies every line of a token file the way a program written on that
// library would: jwt_decode() with the key bytes checks the signature, then this
// program does the checks libjwt 1.10 leaves to its caller (its claims validation API,
// jwt_valid_*, only came in 1.12): the pinned algorithm, exp and nbf at a fixed
// evaluation time (RFC 7519 §4.1.4-5, as jwtbatch judges them), iss and aud.
//
//   usage: libjwt_verify ALG KEYFILE ISS AUD AT TOKENFILE
//   ALG      HS256, RS256 or ES256 (libjwt 1.10 has no EdDSA)
//   KEYFILE  raw HMAC secret bytes (HS*), or a PEM public key
//   AT       evaluation time, Unix seconds
//
// Prints "verified=N rejected=M loop_s=S" on stdout (S: the verify loop alone, without
// start-up). Exit 0 when the counts are printed, 2 on a usage or file error.
//
// Built by bench/peers/Makefile as its own executable, never linked with jwtbatch:
// libjwt links OpenSSL, which must not share a process with BoringSSL.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Reads a whole file (the key) into a malloc'd buffer; NULL on error.
static unsigned char* read_file(const char* path, size_t* out_len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  unsigned char* buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      unsigned char* grown = realloc(buf, cap);
      if (grown == NULL) break;
      buf = grown;
    }
    const size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0) break;
    len += n;
  }
  const int failed = ferror(f) || len == 0;
  fclose(f);
  if (failed) {
    free(buf);
    return NULL;
  }
  *out_len = len;
  return buf;
}

// aud is a string or an array of strings (RFC 7519 §4.1.3). libjwt returns only
// string grants from jwt_get_grant(); an array comes back as JSON text.
static int audience_matches(jwt_t* jwt, const char* aud) {
  const char* one = jwt_get_grant(jwt, "aud");
  if (one != NULL) return strcmp(one, aud) == 0;
  char* text = jwt_get_grants_json(jwt, "aud");
  if (text == NULL) return 0;
  int found = 0;
  json_t* list = json_loads(text, JSON_DECODE_ANY, NULL);
  if (json_is_array(list)) {
    size_t i;
    json_t* v;
    json_array_foreach(list, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), aud) == 0) found = 1;
    }
  }
  json_decref(list);
  free(text);
  return found;
}

// One token: 1 when it verifies and passes every check, else 0.
static int verify_one(const char* token, jwt_alg_t alg, const unsigned char* key, size_t key_len,
                      const char* iss, const char* aud, long at) {
  jwt_t* jwt = NULL;
  // jwt_decode() verifies the signature with the algorithm the header names; pinning
  // happens right after, so a token naming another algorithm (say HS256 keyed with
  // the RSA public key's PEM) is rejected whatever jwt_decode() made of it.
  if (jwt_decode(&jwt, token, key, (int)key_len) != 0) return 0;
  int ok = jwt_get_alg(jwt) == alg;
  if (ok) {
    errno = 0;
    const long exp = jwt_get_grant_int(jwt, "exp");
    if (errno == 0 && !(at < exp)) ok = 0;  // expired at or after exp
  }
  if (ok) {
    errno = 0;
    const long nbf = jwt_get_grant_int(jwt, "nbf");
    if (errno == 0 && at < nbf) ok = 0;  // not yet valid
  }
  if (ok) {
    const char* got = jwt_get_grant(jwt, "iss");
    ok = got != NULL && strcmp(got, iss) == 0;
  }
  if (ok) ok = audience_matches(jwt, aud);
  jwt_free(jwt);
  return ok;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: libjwt_verify ALG KEYFILE ISS AUD AT TOKENFILE\n");
    return 2;
  }
  const jwt_alg_t alg = jwt_str_alg(argv[1]);
  if (alg == JWT_ALG_NONE || alg == JWT_ALG_INVAL) {
    fprintf(stderr, "libjwt_verify: libjwt has no algorithm %s\n", argv[1]);
    return 2;
  }
  size_t key_len = 0;
  unsigned char* key = read_file(argv[2], &key_len);
  if (key == NULL) {
    fprintf(stderr, "libjwt_verify: cannot read key file %s\n", argv[2]);
    return 2;
  }
  char* end = NULL;
  const long at = strtol(argv[5], &end, 10);
  if (*argv[5] == '\0' || *end != '\0') {
    fprintf(stderr, "libjwt_verify: AT must be Unix seconds, not %s\n", argv[5]);
    return 2;
  }
  FILE* in = fopen(argv[6], "r");
  if (in == NULL) {
    fprintf(stderr, "libjwt_verify: cannot open %s: %s\n", argv[6], strerror(errno));
    return 2;
  }

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned long verified = 0, rejected = 0;
  char* line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in)) >= 0) {
    if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
    if (verify_one(line, alg, key, key_len, argv[3], argv[4], at)) {
      ++verified;
    } else {
      ++rejected;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const int read_error = ferror(in);
  fclose(in);
  free(line);
  free(key);
  if (read_error) {
    fprintf(stderr, "libjwt_verify: read error on %s\n", argv[6]);
    return 2;
  }
  const double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("verified=%lu rejected=%lu loop_s=%.6f\n", verified, rejected, secs);
  return 0;
}
