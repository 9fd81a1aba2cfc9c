// pem_fuzzer: key_set_builder::add_pem + build (pem.cpp, key_set.cpp; SECURITY.md S3,
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
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base64url.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"

namespace {

namespace d = jwtbatch::detail;
using jwtbatch::alg;
using jwtbatch::status;

std::string_view g_input;

[[noreturn]] void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "pem_fuzzer: invariant violated: %s\n", what);
  if (!detail.empty()) {
    std::fprintf(stderr, "detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

bool alg_fits_type(alg a, std::string_view type) {
  switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512:
      return type == "oct";
    case alg::rs256:
    case alg::rs384:
    case alg::rs512:
    case alg::ps256:
    case alg::ps384:
    case alg::ps512:
      return type == "RSA";
    case alg::es256:
    case alg::es384:
    case alg::es512:
      return type == "EC";
    case alg::eddsa:
      return type == "OKP";
  }
  return false;
}

// The signature lengths a valid signature of `a` can have (RSA: common modulus sizes
// plus the odd ones keys may have).
std::vector<std::size_t> signature_lengths(alg a) {
  switch (a) {
    case alg::hs256:
      return {32};
    case alg::hs384:
      return {48};
    case alg::hs512:
      return {64};
    case alg::es256:
      return {64};
    case alg::es384:
      return {96};
    case alg::es512:
      return {132};
    case alg::eddsa:
      return {64};
    default:
      return {128, 256, 384, 512};
  }
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// Random-looking bytes (a fixed xorshift stream, so runs are reproducible).
std::string noise(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x1234567ull;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

void check_no_garbage_verifies(const std::shared_ptr<const jwtbatch::key_set>& keys) {
  jwtbatch::policy p;
  p.fixed_time = 1700000000.0;
  const jwtbatch::verifier v(keys, p);
  const auto check = [&](const std::string& token) {
    const status st = v.verify_one(token);
    if (jwtbatch::status_name(st) == "unknown") fail("status outside the enum", token);
    if (st == status::ok) fail("garbage token verified", token);
  };
  check("eyJhbGciOiJIUzI1NiJ9.e30.AAAA");

  const std::vector<jwtbatch::key_info> infos = keys->describe();
  std::size_t checked = 0;
  for (const jwtbatch::key_info& k : infos) {
    if (++checked > 8) break;  // enough: keep the fuzzer fast
    for (const alg a : k.algs) {
      const std::string name(jwtbatch::alg_name(a));
      std::vector<std::string> headers = {"{\"alg\":\"" + name + "\"}"};
      if (k.has_kid) {
        headers.push_back("{\"alg\":\"" + name + "\",\"kid\":\"" + json_escape(k.kid) + "\"}");
      }
      for (const std::string& h : headers) {
        const std::string signing_input = d::base64url_encode(h) + ".e30";
        for (const std::size_t n : signature_lengths(a)) {
          check(signing_input + "." + d::base64url_encode(noise(n, n + checked)));
        }
      }
    }
  }
}

void check_key_infos(const jwtbatch::key_set& keys) {
  const std::vector<jwtbatch::key_info> infos = keys.describe();
  if (infos.size() != keys.size()) fail("describe() size differs from size()");
  if (infos.empty()) fail("build() returned an empty key set");
  for (const jwtbatch::key_info& k : infos) {
    if (k.type != "oct" && k.type != "RSA" && k.type != "EC" && k.type != "OKP") {
      fail("key type outside oct/RSA/EC/OKP", k.type);
    }
    if (k.algs.empty()) fail("key bound to no algorithm", k.kid);
    for (const alg a : k.algs) {
      if (jwtbatch::alg_name(a) == "unknown") fail("key bound to an algorithm outside the enum");
      if (!alg_fits_type(a, k.type)) fail("key bound to an algorithm of another family", k.type);
    }
    if (!k.has_kid && !k.kid.empty()) fail("kid text without has_kid", k.kid);
    if (k.origin.empty()) fail("key without an origin");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
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
