// key_set_checks.hpp: the invariants jwks_fuzzer and pem_fuzzer check on every key set
// the loaders accept: consistent key descriptions, and no garbage token verifying.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/base64url.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"

namespace fuzz_keys {

namespace d = jwtbatch::detail;
using jwtbatch::alg;
using jwtbatch::status;

// Set by each fuzzer: its name (for messages) and the current input.
inline const char* g_fuzzer = "";
inline std::string_view g_input;

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "%s: invariant violated: %s\n", g_fuzzer, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

inline bool alg_fits_type(alg a, std::string_view type) {
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
inline std::vector<std::size_t> signature_lengths(alg a) {
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

inline std::string json_escape(std::string_view s) {
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
inline std::string noise(std::size_t n, std::uint64_t seed) {
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

inline void check_no_garbage_verifies(const std::shared_ptr<const jwtbatch::key_set>& keys) {
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

inline void check_key_infos(const jwtbatch::key_set& keys) {
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

}  // namespace fuzz_keys
