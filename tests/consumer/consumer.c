/* consumer.c: a C99 program built against an installed jwtbatch (find_package or
 * pkg-config). Verifies the fixture token and its forgery; exit status 0 when right. */
#include <stdio.h>

#include "c_api_fixture.h"

int main(void) {
  char why[2048];
  const int rc = jwtbatch_fixture_run(why, sizeof why);
  printf("consumer_c: jwtbatch %s (ABI %d): %s\n", jwtbatch_version(), jwtbatch_abi_version(), why);
  return rc == JWTBATCH_OK && jwtbatch_abi_version() == JWTBATCH_ABI_VERSION ? 0 : 1;
}
