// vector_sets.hpp: the verifier set-ups the shared third-party vectors ask for, in
// one place for every suite that runs them (vectors_test, wycheproof_test,
// determinism_test): attack_vectors.json's fixed policy and key set, and the key set
// and token of a Wycheproof JWS/JWK test. Configuration only: these allocate and
// report problems through GoogleTest or config_error, never per token.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "test_support.hpp"

namespace jwtbatch::test {

// json_string returns the string value of `e`, or "" when it is missing or not a
// string (the vectors' optional fields).
inline std::string json_string(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

// attack_policy: attack_vectors.json's policy. Keys by kid, each bound to one
// algorithm, RS256/ES256/HS256/EdDSA allowed, now = 1700000000, leeway 0, iss and aud
// expected, exp/iss/aud required, typ absent or JWT, kid required, 64 KiB tokens, JSON
// depth 64.
inline policy attack_policy() {
  policy p;
  p.allowed_algs = {alg::rs256, alg::es256, alg::hs256, alg::eddsa};
  p.fixed_time = 1700000000;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  p.required_claims = {"exp", "iss", "aud"};
  p.accepted_typs = {"JWT"};
  p.require_kid = true;
  p.limits.max_token_bytes = 65536;
  p.limits.max_json_depth = 64;
  return p;
}

// attack_policy_jwks: the keys of attack_vectors.json's policy (`root` is the parsed
// file) as (kid, JWK text) pairs. As the policy says, each JWK gets its kid and, with
// as_policy, is bound to its one algorithm.
inline std::vector<std::pair<std::string, std::string>> attack_policy_jwks(
    simdjson::dom::element root, bool as_policy = true) {
  std::vector<std::pair<std::string, std::string>> out;
  simdjson::dom::object keys;
  EXPECT_EQ(root["policy"]["keys"].get_object().get(keys), simdjson::SUCCESS);
  for (auto [kid, entry] : keys) {
    simdjson::dom::element jwk;
    EXPECT_EQ(entry["jwk"].get(jwk), simdjson::SUCCESS);
    std::string text = simdjson::minify(jwk);
    text.pop_back();  // add the kid (and the alg binding) to the JWK
    text += R"(,"kid":")" + std::string(kid) + "\"";
    if (as_policy) text += R"(,"alg":")" + json_string(entry["alg"]) + "\"";
    out.emplace_back(std::string(kid), text + "}");
  }
  return out;
}

// attack_policy_builder: the key set of attack_vectors.json's policy. The set mixes
// HMAC and public keys; with as_policy = false the JWKs are loaded as they are (no alg
// binding, mixing not allowed), so build() refuses the mixed set.
inline key_set_builder attack_policy_builder(simdjson::dom::element root, bool as_policy = true) {
  key_set_builder builder;
  if (as_policy) builder.allow_mixed_key_types();
  for (const auto& [kid, jwk] : attack_policy_jwks(root, as_policy)) builder.add_jwks(jwk, kid);
  return builder;
}

inline std::shared_ptr<const key_set> attack_policy_keys(simdjson::dom::element root) {
  return attack_policy_builder(root).build();
}

// wycheproof_group_keys: the key set of one Wycheproof JWS/JWK test group (public keys
// preferred, else the private ones); nullptr with the reason in `why` when the engine
// refuses it (the JWK file's bad keys).
inline std::shared_ptr<const key_set> wycheproof_group_keys(simdjson::dom::element g,
                                                            std::string* why) {
  simdjson::dom::element keys;
  if (g["public"].get(keys) != simdjson::SUCCESS && g["private"].get(keys) != simdjson::SUCCESS) {
    *why = "group has no keys";
    return nullptr;
  }
  try {
    key_set_builder b;
    b.add_jwks(simdjson::minify(keys), "wycheproof group");
    return b.build();
  } catch (const config_error& e) {
    *why = e.what();
    return nullptr;
  }
}

// wycheproof_token: the bytes of one Wycheproof test's `jws`, as a verifier gets them
// (a JSON-serialization object is minified into one record).
inline std::string wycheproof_token(simdjson::dom::element test) {
  simdjson::dom::element jws;
  EXPECT_EQ(test["jws"].get(jws), simdjson::SUCCESS);
  return jws.is_string() ? json_string(test["jws"]) : simdjson::minify(jws);
}

}  // namespace jwtbatch::test
