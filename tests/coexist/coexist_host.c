/* coexist_host.c: a host process that uses OpenSSL 3 and libjwtbatch.so at the same
 * time, from several threads, as rsyslog with TLS, Python's ssl, libcurl or librdkafka
 * would. libjwtbatch.so carries its own BoringSSL with every symbol hidden, so both
 * libraries must give right answers however the host puts them together. Built one
 * way per executable (tests/c_api.cmake):
 *
 *   (no define)        linked with libjwtbatch.so and OpenSSL's libcrypto.so.3, in the
 *                      order the first argument names (checked in the loader's list);
 *   COEXIST_DLOPEN     linked with OpenSSL, which it uses first; then loads
 *                      libjwtbatch.so with dlopen (argv: path, local|global|deepbind);
 *   COEXIST_LATE       linked with libjwtbatch.so only, which it uses first; then loads
 *                      libcrypto.so.3 with dlopen (argv: local|global);
 *   COEXIST_NO_OPENSSL no OpenSSL at all; libjwtbatch.so linked, or with
 *                      COEXIST_DLOPEN loaded.
 *
 * Usage: coexist_host openssl-first|jwtbatch-first           (linked)
 *        coexist_host LIBRARY local|global|deepbind          (COEXIST_DLOPEN)
 *        coexist_host local|global                           (COEXIST_LATE)
 *
 * What must hold, all at once: k_ossl_threads threads run OpenSSL known-answer tests
 * (SHA-256 and HMAC-SHA256 from FIPS 180-2 and RFC 4231, and a P-256 ECDSA sign and
 * verify round trip with a forgery rejected, all through names BoringSSL also defines)
 * while k_jwt_threads threads verify the C ABI fixture's token and its forgery (each
 * batch on two TBB workers). Every answer must be right, no BoringSSL name may be
 * reachable in libjwtbatch.so, and the host's OpenSSL functions must live in
 * libcrypto.so.3. Exit status 0 when all of that holds. */
#define _GNU_SOURCE 1 /* RTLD_DEEPBIND, dl_iterate_phdr, dladdr */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef COEXIST_DLOPEN
static void* jwtbatch_library;

/* Looks `name` up in the loaded library; a missing symbol ends the test. */
static void* jwtbatch_sym(const char* name) {
  void* f = dlsym(jwtbatch_library, name);
  if (f == NULL) {
    fprintf(stderr, "coexist_host: %s not found: %s\n", name, dlerror());
    exit(2);
  }
  return f;
}
/* typeof of the header's declaration gives the pointer type: no signature is
 * written twice. */
#define JWTBATCH_FIXTURE_FN(name) ((__typeof__(&name))jwtbatch_sym(#name))
#endif

#include "c_api_fixture.h"

enum { k_ossl_threads = 4, k_jwt_threads = 2, k_ossl_rounds = 3000, k_jwt_rounds = 40 };
#ifdef COEXIST_NO_OPENSSL
enum { k_threads = k_jwt_threads };
#else
enum { k_threads = k_jwt_threads + k_ossl_threads };
#endif

/* Every thread waits here until all have started, so the two libraries really run at
 * the same time. */
static pthread_barrier_t start_line;

static int fail(const char* what) {
  fprintf(stderr, "coexist_host: FAIL: %s\n", what);
  return 1;
}

/* Path of the object that holds `address`, or "?". */
static const char* home_of(const void* address) {
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return "?";
  return info.dli_fname;
}

#ifndef COEXIST_NO_OPENSSL
#define OPENSSL_API_COMPAT 0x10100000L /* EC_KEY and ECDSA_sign: names BoringSSL shares */
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>

/* The OpenSSL functions the host calls, linked or fetched with dlsym. */
static struct {
  __typeof__(&OpenSSL_version) OpenSSL_version;
  __typeof__(&EVP_sha256) EVP_sha256;
  __typeof__(&EVP_Digest) EVP_Digest;
  __typeof__(&HMAC) HMAC;
  __typeof__(&EC_KEY_new_by_curve_name) EC_KEY_new_by_curve_name;
  __typeof__(&EC_KEY_generate_key) EC_KEY_generate_key;
  __typeof__(&EC_KEY_free) EC_KEY_free;
  __typeof__(&ECDSA_size) ECDSA_size;
  __typeof__(&ECDSA_sign) ECDSA_sign;
  __typeof__(&ECDSA_verify) ECDSA_verify;
} ossl;

#ifdef COEXIST_LATE
static void* openssl_library;
#define OSSL_BIND(name) \
  (ossl.name = (__typeof__(ossl.name))dlsym(openssl_library, #name), ossl.name != NULL)
#else
#define OSSL_BIND(name) (ossl.name = &name, 1)
#endif

static int bind_openssl(void) {
  return OSSL_BIND(OpenSSL_version) && OSSL_BIND(EVP_sha256) && OSSL_BIND(EVP_Digest) &&
         OSSL_BIND(HMAC) && OSSL_BIND(EC_KEY_new_by_curve_name) && OSSL_BIND(EC_KEY_generate_key) &&
         OSSL_BIND(EC_KEY_free) && OSSL_BIND(ECDSA_size) && OSSL_BIND(ECDSA_sign) &&
         OSSL_BIND(ECDSA_verify);
}

/* SHA-256("abc") (FIPS 180-2 B.1) and HMAC-SHA256 of RFC 4231 test case 2. */
static const unsigned char k_sha256_abc[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
static const unsigned char k_hmac_jefe[32] = {
    0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
    0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};

/* One round of the host's own crypto; 1 when every answer is right. */
static int openssl_round(int with_ecdsa) {
  static const char data[] = "what do ya want for nothing?";
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (ossl.EVP_Digest("abc", 3, out, &len, ossl.EVP_sha256(), NULL) != 1 || len != 32 ||
      memcmp(out, k_sha256_abc, 32) != 0)
    return 0;
  len = 0;
  if (ossl.HMAC(ossl.EVP_sha256(), "Jefe", 4, (const unsigned char*)data, sizeof data - 1, out,
                &len) == NULL ||
      len != 32 || memcmp(out, k_hmac_jefe, 32) != 0)
    return 0;
  if (with_ecdsa) {
    unsigned char sig[256];
    unsigned int sig_len = 0;
    int right;
    EC_KEY* key = ossl.EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    if (key == NULL || ossl.EC_KEY_generate_key(key) != 1 || ossl.ECDSA_size(key) > 256 ||
        ossl.ECDSA_sign(0, k_sha256_abc, 32, sig, &sig_len, key) != 1) {
      ossl.EC_KEY_free(key);
      return 0;
    }
    right = ossl.ECDSA_verify(0, k_sha256_abc, 32, sig, (int)sig_len, key) == 1 &&
            ossl.ECDSA_verify(0, k_hmac_jefe, 32, sig, (int)sig_len, key) != 1;
    ossl.EC_KEY_free(key);
    if (!right) return 0;
  }
  return 1;
}

static void* openssl_thread(void* arg) {
  int i;
  (void)arg;
  pthread_barrier_wait(&start_line);
  for (i = 0; i < k_ossl_rounds; ++i) {
    if (!openssl_round(i % 50 == 0)) return (void*)"OpenSSL gave a wrong answer";
  }
  return NULL;
}
#endif /* !COEXIST_NO_OPENSSL */

static void* jwtbatch_thread(void* arg) {
  char why[1024];
  int i;
  (void)arg;
  pthread_barrier_wait(&start_line);
  for (i = 0; i < k_jwt_rounds; ++i) {
    if (jwtbatch_fixture_run(why, sizeof why) != JWTBATCH_OK) {
      fprintf(stderr, "coexist_host: jwtbatch: %s\n", why);
      return (void*)"jwtbatch gave a wrong verdict";
    }
  }
  return NULL;
}

/* Runs the jwtbatch threads and, with OpenSSL, the OpenSSL threads together, all
 * released at once. */
static int run_together(void) {
  pthread_t threads[k_threads];
  int i, ok = 1;
  pthread_barrier_init(&start_line, NULL, k_threads);
  for (i = 0; i < k_threads; ++i) {
#ifndef COEXIST_NO_OPENSSL
    void* (*body)(void*) = i < k_jwt_threads ? jwtbatch_thread : openssl_thread;
#else
    void* (*body)(void*) = jwtbatch_thread;
#endif
    /* A thread that cannot start would leave the others at the barrier forever. */
    if (pthread_create(&threads[i], NULL, body, NULL) != 0) exit(fail("pthread_create"));
  }
  for (i = 0; i < k_threads; ++i) {
    void* result = NULL;
    pthread_join(threads[i], &result);
    if (result != NULL) ok = fail((const char*)result);
  }
  pthread_barrier_destroy(&start_line);
  return ok;
}

#if !defined(COEXIST_DLOPEN) && !defined(COEXIST_LATE) && !defined(COEXIST_NO_OPENSSL)
/* Position of the first loaded object whose path contains `name`, or -1. */
struct find_object {
  const char* name;
  int index, seen;
};
static int find_object_cb(struct dl_phdr_info* info, size_t size, void* data) {
  struct find_object* f = (struct find_object*)data;
  (void)size;
  if (f->index < 0 && info->dlpi_name != NULL && strstr(info->dlpi_name, f->name) != NULL)
    f->index = f->seen;
  ++f->seen;
  return 0;
}
static int load_position(const char* name) {
  struct find_object f;
  f.name = name;
  f.index = -1;
  f.seen = 0;
  dl_iterate_phdr(find_object_cb, &f);
  return f.index;
}
#endif

#if defined(COEXIST_DLOPEN) || defined(COEXIST_LATE)
/* dlopen flags for a mode argument: "local", "global" or, where allowed, "deepbind";
 * -1 for anything else. */
static int dlopen_flags(const char* mode, int deepbind_allowed) {
  if (strcmp(mode, "local") == 0) return RTLD_NOW | RTLD_LOCAL;
  if (strcmp(mode, "global") == 0) return RTLD_NOW | RTLD_GLOBAL;
  if (deepbind_allowed && strcmp(mode, "deepbind") == 0)
    return RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
  return -1;
}
#endif

/* No BoringSSL name looked up through `handle` (libjwtbatch.so's own, or the global
 * scope) may resolve into libjwtbatch.so, whichever way it was loaded. */
static int nothing_of_boringssl_visible(void* handle) {
  static const char* const names[] = {"EVP_sha256",     "HMAC",       "ECDSA_verify",
                                      "ED25519_verify", "RSA_verify", "CRYPTO_memcmp",
                                      "OPENSSL_free"};
  size_t i;
  for (i = 0; i < sizeof names / sizeof names[0]; ++i) {
    const void* found = dlsym(handle, names[i]);
    if (found != NULL && strstr(home_of(found), "libjwtbatch.so") != NULL) {
      fprintf(stderr, "coexist_host: libjwtbatch.so makes %s visible\n", names[i]);
      return 0;
    }
  }
  return 1;
}

int main(int argc, char** argv) {
  char why[1024];
  int rc;
#ifdef COEXIST_DLOPEN
  const int flags = argc == 3 ? dlopen_flags(argv[2], 1) : -1;
  if (flags < 0) return fail("usage: coexist_host LIBRARY local|global|deepbind");
#elif defined(COEXIST_LATE)
  const int flags = argc == 2 ? dlopen_flags(argv[1], 0) : -1;
  if (flags < 0) return fail("usage: coexist_host local|global");
#elif !defined(COEXIST_NO_OPENSSL)
  int want_openssl_first, crypto_at, jwtbatch_at;
  if (argc != 2 ||
      (strcmp(argv[1], "openssl-first") != 0 && strcmp(argv[1], "jwtbatch-first") != 0))
    return fail("usage: coexist_host openssl-first|jwtbatch-first");
  want_openssl_first = strcmp(argv[1], "openssl-first") == 0;
  crypto_at = load_position("libcrypto.so.3");
  jwtbatch_at = load_position("libjwtbatch.so");
  if (crypto_at < 0 || jwtbatch_at < 0) return fail("both libraries must be linked");
  if ((crypto_at < jwtbatch_at) != want_openssl_first)
    return fail("the libraries are not loaded in the order this build promises");
  printf("linked: libcrypto.so.3 at %d, libjwtbatch.so at %d in the loader's list\n", crypto_at,
         jwtbatch_at);
#else
  (void)argc;
  (void)argv;
#endif

#if !defined(COEXIST_NO_OPENSSL) && !defined(COEXIST_LATE)
  /* The host uses its OpenSSL before jwtbatch appears (dlopen) or beside it (linked). */
  if (!bind_openssl() || !openssl_round(1)) return fail("OpenSSL before jwtbatch");
  printf("host crypto: %s\n", ossl.OpenSSL_version(OPENSSL_VERSION));
#endif

#ifdef COEXIST_DLOPEN
  jwtbatch_library = dlopen(argv[1], flags);
  if (jwtbatch_library == NULL) {
    fprintf(stderr, "coexist_host: dlopen: %s\n", dlerror());
    return 2;
  }
  printf("loaded %s (%s)\n", argv[1], argv[2]);
  if (!nothing_of_boringssl_visible(jwtbatch_library)) return 1;
#else
  if (!nothing_of_boringssl_visible(RTLD_DEFAULT)) return 1;
#endif

  rc = jwtbatch_fixture_run(why, sizeof why);
  printf("jwtbatch: %s\n", why);
  if (rc != JWTBATCH_OK) return fail("the fixture must verify");

#ifdef COEXIST_LATE
  openssl_library = dlopen("libcrypto.so.3", flags);
  if (openssl_library == NULL || !bind_openssl()) {
    fprintf(stderr, "coexist_host: cannot load OpenSSL: %s\n", dlerror());
    return 2;
  }
  printf("host loaded %s after jwtbatch (%s)\n", ossl.OpenSSL_version(OPENSSL_VERSION), argv[1]);
#endif

#ifndef COEXIST_NO_OPENSSL
  if (strstr(home_of((const void*)ossl.EVP_sha256), "libcrypto.so.3") == NULL ||
      strstr(home_of((const void*)ossl.ECDSA_verify), "libcrypto.so.3") == NULL)
    return fail("the host's OpenSSL functions must be libcrypto.so.3's");
  printf("%d OpenSSL threads x %d rounds beside the jwtbatch threads\n", k_ossl_threads,
         k_ossl_rounds);
#endif
  if (!run_together()) return 1;
  printf("%d jwtbatch threads x %d batches: all right\n", k_jwt_threads, k_jwt_rounds);
  printf("coexist_host: PASS\n");
  return 0;
}
