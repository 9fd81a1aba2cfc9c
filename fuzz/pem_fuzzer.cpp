// pem_fuzzer: key_set_builder::add_pem + build (pem.cpp, key_set.cpp; docs/SECURITY.md S3,
// K1-K3) on arbitrary bytes.
//
// The first byte picks `bind` (byte % 4: none, RS256, ES256, EdDSA); the rest is the PEM
// text, added as source "fuzz", kid "k". The only exception loading may raise is
// config_error (key_set.hpp); anything else escapes LLVMFuzzerTestOneInput and is
// reported as a crash. When a key set results, the same invariants as jwks_fuzzer:
//  - every key's describe() info is consistent: type one of oct/RSA/EC/OKP, a non-empty
//    list of algorithms all of the type's family, no kid text without has_kid, a
//    non-empty origin; plus here: exactly one key, kid "k", and with a bind exactly
//    that one algorithm;
//  - no garbage token verifies: the fixed "eyJhbGciOiJIUzI1NiJ9.e30.AAAA", and for every
//    algorithm of the key a token with that alg (with and without kid "k") and a
//    random-looking signature of each length that algorithm can have.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
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
using jwtbatch::alg;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  g_fuzzer = "pem_fuzzer";
  g_input = input;
  if (input.empty()) return 0;
  std::optional<alg> bind;
  switch (static_cast<unsigned char>(input[0]) % 4) {
    case 1:
      bind = alg::rs256;
      break;
    case 2:
      bind = alg::es256;
      break;
    case 3:
      bind = alg::eddsa;
      break;
    default:
      break;
  }
  const std::string_view pem = input.substr(1);
  std::shared_ptr<const jwtbatch::key_set> keys;
  try {
    jwtbatch::key_set_builder b;
    b.add_pem(pem, "fuzz", "k", bind);
    keys = b.build();
  } catch (const jwtbatch::config_error&) {
    return 0;  // the documented way to refuse a key
  }
  if (!keys) fail("build() returned null");
  check_key_infos(*keys);
  const std::vector<jwtbatch::key_info> infos = keys->describe();
  if (infos.size() != 1) fail("one PEM document gave other than one key");
  if (!infos[0].has_kid || infos[0].kid != "k") fail("PEM key lost its kid", infos[0].kid);
  if (bind && (infos[0].algs.size() != 1 || infos[0].algs[0] != *bind)) {
    fail("PEM key not bound to exactly the requested algorithm", infos[0].type);
  }
  check_no_garbage_verifies(keys);
  return 0;
}
