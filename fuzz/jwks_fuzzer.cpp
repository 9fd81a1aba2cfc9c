// jwks_fuzzer: key_set_builder::add_jwks + build (jwk.cpp, key_set.cpp; docs/SECURITY.md S3,
// K1-K3) on arbitrary bytes.
//
// The only exception loading may raise is config_error (key_set.hpp); anything else
// escapes LLVMFuzzerTestOneInput and is reported as a crash. When a key set results:
//  - every key's describe() info is consistent: type one of oct/RSA/EC/OKP, a non-empty
//    list of algorithms all of the type's family (oct: HS*, RSA: RS*/PS*, EC: ES*,
//    OKP: EdDSA), no kid text without has_kid, a non-empty origin;
//  - no garbage token verifies: the fixed "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", and for every
//    algorithm of every key a token with that alg (with and without the key's kid) and
//    a random-looking signature of each length that algorithm can have.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "key_set_checks.hpp"

using fuzz_keys::check_key_infos;
using fuzz_keys::check_no_garbage_verifies;
using fuzz_keys::fail;
using fuzz_keys::g_fuzzer;
using fuzz_keys::g_input;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  g_fuzzer = "jwks_fuzzer";
  g_input = input;
  std::shared_ptr<const jwtbatch::key_set> keys;
  try {
    jwtbatch::key_set_builder b;
    b.add_jwks(input, "fuzz");
    keys = b.build();
  } catch (const jwtbatch::config_error&) {
    return 0;  // the documented way to refuse a document
  }
  if (!keys) fail("build() returned null");
  check_key_infos(*keys);
  check_no_garbage_verifies(keys);
  return 0;
}
