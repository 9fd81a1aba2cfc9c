/* c_api_c99.c: jwtbatch.h compiled as strict C99 (-std=c99 -pedantic-errors, set in
 * tests/c_api.cmake), linked into c_api_test, which calls c99_names_agree(). */
#include <string.h>

#include <jwtbatch/jwtbatch.h>

int c99_names_agree(void);

int c99_names_agree(void) {
  jwtbatch_error err;
  jwtbatch_str none = {NULL, 0};
  err.code = jwtbatch_crypto_check(&err);
  return err.code == JWTBATCH_OK && none.len == 0 &&
         strcmp(jwtbatch_status_name(JWTBATCH_STATUS_KEY_NOT_FOUND), "key_not_found") == 0 &&
         jwtbatch_alg_from_name("PS512", JWTBATCH_NTS) == JWTBATCH_ALG_PS512 &&
         sizeof(jwtbatch_result) >= sizeof(jwtbatch_str) * 6;
}
