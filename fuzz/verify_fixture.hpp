// verify_fixture.hpp: what the fuzzers of the whole verify path share (verify_fuzzer,
// structured_verify_fuzzer, batch_fuzzer): one fixed key set of every key type, its
// verifiers, the invariants every single result must satisfy, and the differential
// oracle that checks a signature the engine accepted by calling BoringSSL directly.
//
// The key set: an HS256 key from a fixed 32-byte secret (so checked-in seeds carry
// valid signatures, and structured_verify_fuzzer can re-sign what it mutates), and
// generated RSA-2048 (RS256), P-256 (ES256) and Ed25519 (EdDSA) keys, mixed key types
// allowed. The policy returns the custom claim "scope", allows 60 s of leeway and fixes
// the evaluation time at k_now (verify_at with an explicit time overrides it).
#pragma once

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/access.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"
#include "keys/store.hpp"
#include "result_facts.hpp"

namespace fuzz_verify {

namespace d = jwtbatch::detail;
using jwtbatch::alg;
using jwtbatch::status;

// Set by each fuzzer: its name (for messages) and the current input.
inline const char* g_fuzzer = "";
inline std::string_view g_input;

[[noreturn]] inline void fail(const char* what, status got) {
  const std::string_view name = jwtbatch::status_name(got);
  std::fprintf(stderr, "%s: invariant violated: %s\nengine status: %.*s\n", g_fuzzer, what,
               static_cast<int>(name.size()), name.data());
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

inline void check(bool cond, const char* what, status got) {
  if (!cond) fail(what, got);
}

// The fixed HS256 secret; scripts/make-fuzz-corpus.py signs the seeds with it too.
inline constexpr std::string_view k_hs256_secret = "jwtbatch-fuzz-hs256-secret-32byt";
inline constexpr std::string_view k_hs256_kid = "hs";
inline constexpr double k_now = 1700000000.0;

struct fixture {
  std::shared_ptr<const jwtbatch::key_set> keys;
  std::shared_ptr<const jwtbatch::verifier> verifier;
  std::shared_ptr<const jwtbatch::verifier> cached;  // same keys and policy, with a cache
  // Raw handles for the oracle (owned by the key set, which outlives every call).
  RSA* rsa = nullptr;  // RSA_verify takes a non-const RSA*
  const EC_KEY* ec = nullptr;
  std::array<std::uint8_t, 32> ed_public{};
};

inline fixture make_fixture() {
  fixture f;
  jwtbatch::key_set_builder b;
  b.allow_mixed_key_types();
  const auto* secret = reinterpret_cast<const std::uint8_t*>(k_hs256_secret.data());
  b.add_secret(std::span(secret, k_hs256_secret.size()), "fuzz-hs", k_hs256_kid, alg::hs256);
  b.add_jwks(jwtbatch::generate_key(alg::rs256, "rsa").private_jwk, "fuzz-rsa");
  b.add_jwks(jwtbatch::generate_key(alg::es256, "ec").private_jwk, "fuzz-ec");
  b.add_jwks(jwtbatch::generate_key(alg::eddsa, "ed").private_jwk, "fuzz-ed");
  f.keys = b.build();
  if (f.keys->size() != 4) std::abort();
  for (const d::key& k : d::access::key_store_of(*f.keys).keys()) {
    if (const auto* r = std::get_if<d::rsa_material>(&k.material)) f.rsa = r->rsa.get();
    if (const auto* e = std::get_if<d::ec_material>(&k.material)) f.ec = e->ec.get();
    if (const auto* e = std::get_if<d::ed25519_material>(&k.material)) f.ed_public = e->public_key;
  }
  if (f.rsa == nullptr || f.ec == nullptr) std::abort();
  jwtbatch::policy p;
  p.leeway_seconds = 60;
  p.returned_claims = {"scope"};
  p.fixed_time = k_now;
  f.verifier = std::make_shared<const jwtbatch::verifier>(f.keys, p);
  jwtbatch::cache_options o;
  o.max_entries = 256;
  o.keep_forgeries = true;
  f.cached = std::make_shared<const jwtbatch::verifier>(f.keys, p,
                                                        std::make_shared<jwtbatch::token_cache>(o));
  return f;
}

// The one fixture of the process (key generation takes a while: built on first use).
inline const fixture& the_fixture() {
  static const fixture f = make_fixture();
  return f;
}

// An independent base64url decoder (RFC 4648 §5, no padding). Lenient about the
// unused low bits: the oracle must never be stricter than the spec in the engine's
// favour, only reject what is not base64url at all.
inline std::optional<std::vector<std::uint8_t>> b64url_decode(std::string_view s) {
  if (s.size() % 4 == 1) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(s.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : s) {
    int v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
      acc &= (1U << bits) - 1U;
    }
  }
  return out;
}

// HMAC-SHA256 of `input` with the fixed secret, by BoringSSL directly.
inline std::array<std::uint8_t, 32> hs256_mac(std::string_view input) {
  std::array<std::uint8_t, 32> mac{};
  unsigned mac_len = 0;
  if (HMAC(EVP_sha256(), k_hs256_secret.data(), k_hs256_secret.size(),
           reinterpret_cast<const std::uint8_t*>(input.data()), input.size(), mac.data(),
           &mac_len) == nullptr ||
      mac_len != mac.size()) {
    std::abort();
  }
  return mac;
}

// The oracle: does `sig` verify over `input` with the fixture's key for `a`?
inline bool oracle_verify(const fixture& f, alg a, std::string_view input,
                          const std::vector<std::uint8_t>& sig) {
  const auto* in = reinterpret_cast<const std::uint8_t*>(input.data());
  switch (a) {
    case alg::hs256: {
      const auto mac = hs256_mac(input);
      return sig.size() == mac.size() && CRYPTO_memcmp(mac.data(), sig.data(), mac.size()) == 0;
    }
    case alg::rs256: {
      std::uint8_t digest[32];
      if (EVP_Digest(in, input.size(), digest, nullptr, EVP_sha256(), nullptr) != 1) return false;
      if (sig.size() != RSA_size(f.rsa)) return false;
      return RSA_verify(NID_sha256, digest, sizeof digest, sig.data(), sig.size(), f.rsa) == 1;
    }
    case alg::es256: {
      if (sig.size() != 64) return false;
      std::uint8_t digest[32];
      if (EVP_Digest(in, input.size(), digest, nullptr, EVP_sha256(), nullptr) != 1) return false;
      bssl::UniquePtr<ECDSA_SIG> s(ECDSA_SIG_new());
      if (!s || BN_bin2bn(sig.data(), 32, s->r) == nullptr ||
          BN_bin2bn(sig.data() + 32, 32, s->s) == nullptr) {
        return false;
      }
      return ECDSA_do_verify(digest, sizeof digest, s.get(), f.ec) == 1;
    }
    case alg::eddsa:
      return sig.size() == 64 &&
             ED25519_verify(in, input.size(), sig.data(), f.ed_public.data()) == 1;
    default:
      return false;  // no key in the set serves any other algorithm
  }
}

using fuzz_facts::facts;
using fuzz_facts::facts_of;

inline bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// The invariants of one result `out` for `token` (docs/SECURITY.md §0, S1-S6):
//  - exactly one status, from the enum (status_name round-trips, not "unknown");
//  - the fingerprint is lowercase hex;
//  - ok implies signature_verified, and signature_verified implies a status of class
//    ok, format (the payload's encoding or JSON) or claims;
//  - no claim is set unless the signature verified;
//  - a token of three segments (within the default 64 KiB, not starting with '{') of
//    which any segment is not strict base64url (the reference decoder above) is
//    bad_base64, whatever its header says: decided before any signature work;
//  - whenever the signature verified, the differential oracle agrees: the token is
//    split at its dots here, the signature decoded with the decoder above (not the
//    engine's), and the signature over "header.payload" checked by calling BoringSSL
//    directly for the algorithm the engine reported. If it fails, the engine accepted
//    a forgery.
inline void check_result(const fixture& f, std::string_view token, const jwtbatch::result& out) {
  const status st = out.code;
  const std::string_view name = jwtbatch::status_name(st);
  check(!name.empty() && name != "unknown", "status outside the enum", st);
  check(jwtbatch::status_from_name(name) == st, "status name does not round-trip", st);
  check((jwtbatch::class_of(st) == jwtbatch::status_class::ok) == (st == status::ok),
        "class ok iff status ok", st);
  for (const char c : out.fingerprint) {
    check(is_lower_hex(c), "fingerprint is not lowercase hex", st);
  }
  if (st == status::ok) check(out.signature_verified, "ok without a verified signature", st);
  if (const std::size_t d1 = token.find('.'), d2 = token.rfind('.');
      token.size() <= std::size_t{64} * 1024 && !token.empty() && token.front() != '{' &&
      d1 != std::string_view::npos && d1 != d2 && token.find('.', d1 + 1) == d2) {
    const bool canonical = b64url_decode(token.substr(0, d1)).has_value() &&
                           b64url_decode(token.substr(d1 + 1, d2 - d1 - 1)).has_value() &&
                           b64url_decode(token.substr(d2 + 1)).has_value();
    check(canonical || st == status::bad_base64,
          "a segment is not strict base64url but the status is not bad_base64", st);
  }
  if (!out.signature_verified) {
    check(!out.iss && !out.sub && !out.jti && out.aud.empty() && !out.has_aud && !out.exp &&
              !out.nbf && !out.iat && out.custom_claims.empty(),
          "claims filled from a token whose signature did not verify", st);
    return;
  }
  const jwtbatch::status_class cls = jwtbatch::class_of(st);
  // After the signature only the payload checks remain: its base64url/JSON (format
  // class) and the claims.
  check(cls == jwtbatch::status_class::ok || cls == jwtbatch::status_class::format ||
            cls == jwtbatch::status_class::claims,
        "signature verified but a header/key/signature status", st);
  check(out.algorithm.has_value(), "verified without an algorithm", st);
  const std::size_t first = token.find('.');
  const std::size_t last = token.rfind('.');
  check(first != std::string_view::npos && first != last && token.find('.', first + 1) == last,
        "verified a token that is not three segments", st);
  const auto sig = b64url_decode(token.substr(last + 1));
  check(sig.has_value(), "verified a signature that is not base64url", st);
  check(b64url_decode(token.substr(0, first)).has_value() &&
            b64url_decode(token.substr(first + 1, last - first - 1)).has_value(),
        "verified a token whose header or payload is not base64url", st);
  check(oracle_verify(f, *out.algorithm, token.substr(0, last), *sig),
        "engine verified a signature the direct BoringSSL check rejects", st);
}

// verify_checked: the fuzzer entry shared by the whole-path targets: records the
// fuzzer and input for messages, verifies `token` at k_now with the fixture's
// uncached verifier and checks the result's invariants.
inline jwtbatch::result verify_checked(const char* fuzzer, std::string_view token) {
  g_fuzzer = fuzzer;
  g_input = token;
  const fixture& f = the_fixture();
  jwtbatch::result out;
  f.verifier->verify_at(token, k_now, out);
  check_result(f, token, out);
  return out;
}

}  // namespace fuzz_verify
