// result_facts.hpp: a result's observable facts as owned values, for fuzzers that
// compare two results (a copy with its original, the cache with a fresh verification,
// a batch with verify_at): every field, strings compared by their text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace fuzz_facts {

// The observable facts of a result, owned, for comparing two results.
struct facts {
  jwtbatch::status code = jwtbatch::status::ok;
  bool verified = false;
  std::optional<jwtbatch::alg> algorithm;
  std::optional<std::string> kid, iss, sub, jti;
  std::vector<std::string> aud;
  bool has_aud = false;
  std::optional<double> exp, nbf, iat;
  std::vector<std::pair<std::string, std::string>> custom;
  std::optional<std::string> detail;
  std::string fingerprint;
  bool operator==(const facts&) const = default;
};

inline std::optional<std::string> own(const std::optional<std::string_view>& v) {
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

inline facts facts_of(const jwtbatch::result& r) {
  facts f;
  f.code = r.code;
  f.verified = r.signature_verified;
  f.algorithm = r.algorithm;
  f.kid = own(r.kid);
  f.iss = own(r.iss);
  f.sub = own(r.sub);
  f.jti = own(r.jti);
  for (const std::string_view a : r.aud) f.aud.emplace_back(a);
  f.has_aud = r.has_aud;
  f.exp = r.exp;
  f.nbf = r.nbf;
  f.iat = r.iat;
  for (const auto& [n, v] : r.custom_claims) f.custom.emplace_back(n, v);
  f.detail = own(r.detail);
  f.fingerprint = std::string(r.fingerprint_hex());
  return f;
}

}  // namespace fuzz_facts
