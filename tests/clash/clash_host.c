/* clash_host.c: a host process for libjwtbatch.so, built several ways (tests/c_api.cmake):
 *
 *   CLASH_OPENSSL   the host uses OpenSSL's libcrypto.so.3 (as rsyslog with TLS,
 *                   Python's ssl or libcurl do) before it touches jwtbatch;
 *   CLASH_OPENSSL_LATE  the host is linked with libjwtbatch.so and loads OpenSSL's
 *                   libcrypto.so.3 later with dlopen(RTLD_LOCAL) (a TLS plug-in): BoringSSL
 *                   is then ahead in the global scope and captures OpenSSL's own calls;
 *   CLASH_DLOPEN    the host loads libjwtbatch.so with dlopen() (path in argv[2], flags
 *                   "local" = RTLD_NOW | RTLD_LOCAL, "deepbind" = that | RTLD_DEEPBIND);
 *                   without it the library is linked (DT_NEEDED).
 *
 * Usage: clash_host refuse|work [library-path local|deepbind]
 *   refuse: jwtbatch must refuse with JWTBATCH_ERR_CRYPTO_CLASH, and its message must
 *           name OpenSSL's libcrypto.so.3 and the out-of-process alternative;
 *   work:   the fixture token must verify (jwtbatch_fixture_run).
 * With CLASH_OPENSSL the host's own OpenSSL must still compute SHA-256 correctly
 * afterwards. (With CLASH_OPENSSL_LATE it cannot be trusted to: its calls were bound
 * to BoringSSL, which is what jwtbatch reports.)
 * Exit status 0 when all of that holds. */
#define _GNU_SOURCE 1 /* RTLD_DEEPBIND */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(CLASH_DLOPEN) || defined(CLASH_OPENSSL_LATE)
#include <dlfcn.h>
#endif

#ifdef CLASH_DLOPEN

static void* jwtbatch_library;

/* Looks `name` up in the loaded library; a missing symbol ends the test. */
static void* clash_sym(const char* name) {
  void* f = dlsym(jwtbatch_library, name);
  if (f == NULL) {
    fprintf(stderr, "clash_host: %s not found: %s\n", name, dlerror());
    exit(2);
  }
  return f;
}
/* typeof of the header's declaration gives the pointer type: no signature is
 * written twice. */
#define JWTBATCH_FIXTURE_FN(name) ((__typeof__(&name))clash_sym(#name))
#endif

#include "c_api_fixture.h"

#ifdef CLASH_OPENSSL
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* The host's own crypto: SHA-256("abc") through OpenSSL's EVP interface, compared
 * with FIPS 180-2's answer. Returns 1 when right. */
static int host_sha256_works(void) {
  static const unsigned char expected[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                             0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                             0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                             0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest("abc", 3, digest, &len, EVP_sha256(), NULL) != 1) return 0;
  return len == 32 && memcmp(digest, expected, 32) == 0;
}
#endif

int main(int argc, char** argv) {
  char why[2048];
  int rc;
  int want_refusal;
  if (argc < 2 || (strcmp(argv[1], "refuse") != 0 && strcmp(argv[1], "work") != 0)) {
    fprintf(stderr, "usage: clash_host refuse|work [library local|deepbind]\n");
    return 2;
  }
  want_refusal = strcmp(argv[1], "refuse") == 0;

#ifdef CLASH_OPENSSL
  printf("host crypto: %s; SHA-256 %s\n", OpenSSL_version(OPENSSL_VERSION),
         host_sha256_works() ? "right" : "WRONG");
#endif

#ifdef CLASH_OPENSSL_LATE
  {
    void* openssl = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    const char* (*version)(int) = NULL;
    if (openssl != NULL) *(void**)&version = dlsym(openssl, "OpenSSL_version");
    if (version == NULL) {
      fprintf(stderr, "clash_host: cannot load OpenSSL: %s\n", dlerror());
      return 2;
    }
    printf("host loaded %s after jwtbatch\n", version(0));
  }
#endif

#ifdef CLASH_DLOPEN
  {
    int flags = RTLD_NOW | RTLD_LOCAL;
    if (argc < 4) {
      fprintf(stderr, "clash_host: this build needs the library path and local|deepbind\n");
      return 2;
    }
    if (strcmp(argv[3], "deepbind") == 0) flags |= RTLD_DEEPBIND;
    jwtbatch_library = dlopen(argv[2], flags);
    if (jwtbatch_library == NULL) {
      fprintf(stderr, "clash_host: dlopen: %s\n", dlerror());
      return 2;
    }
    printf("loaded %s (%s)\n", argv[2], argv[3]);
  }
#endif

  rc = jwtbatch_fixture_run(why, sizeof why);
  printf("jwtbatch: %s\n", why);

#ifdef CLASH_OPENSSL
  {
    const int sha_ok = host_sha256_works();
    printf("host crypto afterwards: %s; SHA-256 %s\n", OpenSSL_version(OPENSSL_VERSION),
           sha_ok ? "right" : "WRONG");
    if (!sha_ok) return 1;
  }
#endif

  if (want_refusal) {
    if (rc != JWTBATCH_ERR_CRYPTO_CLASH) {
      fprintf(stderr, "clash_host: FAIL: expected a crypto_clash refusal\n");
      return 1;
    }
    if (strstr(why, "libcrypto.so.3") == NULL || strstr(why, "out of process") == NULL) {
      fprintf(stderr,
              "clash_host: FAIL: the message must name libcrypto.so.3 and the "
              "out-of-process alternative\n");
      return 1;
    }
  } else if (rc != JWTBATCH_OK) {
    fprintf(stderr, "clash_host: FAIL: expected the fixture to verify\n");
    return 1;
  }
  printf("clash_host: PASS (%s)\n", want_refusal ? "refused" : "worked");
  return 0;
}
