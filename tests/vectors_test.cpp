// The shared third-party vectors, read in place, through the layers built so far.
// First the structure and header layer alone, then the whole verify path (size ->
// split -> header -> key -> signature -> payload encoding). Every vector a layer can
// decide is asserted with its exact status (and that status's class must be one the
// vector file allows); every other vector must pass untouched, because its verdict
// belongs to a later stage (payload JSON and claims).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compact.hpp"
#include "header.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

using detail::compact_parts;
using detail::header_scratch;
using detail::jose_header;

struct layer_result {
  status st = status::ok;
  jose_header header;
};

layer_result run_header_layer(std::string_view token, header_scratch& scratch) {
  layer_result r;
  compact_parts parts;
  r.st = detail::split_compact(token, detail::k_default_max_token_bytes, parts);
  if (r.st == status::ok) r.st = detail::parse_header(parts.header, scratch, r.header);
  return r;
}

// vectors README, "Mapping to jwtbatch's classes".
const std::map<std::string, std::set<std::string>> k_class_members = {
    {"format", {"MALFORMED", "LIMIT_EXCEEDED", "UNSUPPORTED_SERIALIZATION"}},
    {"header", {"ALG_NOT_ALLOWED", "CRIT_UNSUPPORTED", "HEADER_UNSUPPORTED", "TYP_MISMATCH"}},
    {"key", {"KEY_NOT_FOUND", "ALG_KEY_MISMATCH"}},
    {"signature", {"BAD_SIGNATURE"}},
    {"claims",
     {"CLAIM_INVALID", "MISSING_CLAIM", "EXPIRED", "NOT_YET_VALID", "AUD_MISMATCH",
      "ISS_MISMATCH"}},
};

// attack_vectors.json: every vector the structure and header layer decides.
const std::map<std::string, status> k_attack_decided_here = {
    {"alg-none-empty-sig", status::alg_none},
    {"alg-None-empty-sig", status::alg_none},
    {"alg-NONE-empty-sig", status::alg_none},
    {"alg-nOnE-empty-sig", status::alg_none},
    {"alg-none-with-sig", status::alg_none},
    {"alg-none-escaped", status::alg_none},
    {"alg-missing", status::alg_missing},
    {"alg-null", status::bad_member_type},
    {"alg-array", status::bad_member_type},
    {"alg-lowercase", status::alg_unsupported},
    {"alg-trailing-nul", status::alg_unsupported},
    {"alg-trailing-space", status::alg_unsupported},
    {"alg-unknown-HS1", status::alg_unsupported},
    {"kid-number", status::bad_member_type},
    {"b64-padding-header", status::bad_base64},
    {"token-leading-space", status::bad_base64},
    {"struct-empty", status::bad_segments},
    {"struct-two-parts", status::bad_segments},
    {"struct-four-parts", status::bad_segments},
    {"struct-jwe-5-parts", status::unsupported_serialization},
    {"struct-dots-only", status::bad_json},  // empty header segment: empty JSON text
    {"struct-many-dots", status::token_too_large},
    {"struct-json-serialization", status::unsupported_serialization},
    {"struct-nul-byte", status::bad_base64},
    {"struct-non-ascii", status::bad_base64},
    {"hdr-dup-alg", status::duplicate_member},
    {"hdr-dup-alg-same", status::duplicate_member},
    {"hdr-dup-kid", status::duplicate_member},
    {"hdr-dup-escaped-name", status::duplicate_member},
    {"hdr-not-json", status::bad_json},
    {"hdr-array", status::bad_json},
    {"hdr-string", status::bad_json},
    {"hdr-trailing-garbage", status::bad_json},
    {"hdr-two-objects", status::bad_json},
    {"hdr-bom", status::bad_json},
    {"hdr-invalid-utf8", status::bad_json},
    {"hdr-overlong-utf8", status::bad_json},
    {"hdr-lone-surrogate", status::bad_json},
    {"hdr-raw-control-char", status::bad_json},
    {"hdr-deep-nesting-5000", status::json_limit_exceeded},
    {"hdr-alg-huge-string", status::token_too_large},
    {"crit-unknown", status::crit_unsupported},
    {"crit-unknown-absent-param", status::crit_unsupported},
    {"crit-empty", status::bad_crit},
    {"crit-names-alg", status::bad_crit},
    {"crit-not-array", status::bad_member_type},
    {"b64-false-crit", status::crit_unsupported},
    {"b64-false-no-crit", status::b64_unsupported},
    {"zip-in-jws", status::zip_unsupported},
    {"typ-number", status::bad_member_type},
    {"cty-nested-jwt", status::nested_jwt_unsupported},
    {"payload-large-100k", status::token_too_large},
};

simdjson::dom::element load(simdjson::dom::parser& parser, const std::string& name) {
  simdjson::dom::element root;
  const auto error = parser.load(test::vector_path(name)).get(root);
  EXPECT_EQ(error, simdjson::SUCCESS)
      << test::vector_path(name) << ": " << simdjson::error_message(error);
  return root;
}

std::string str(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

TEST(AttackVectors, StructureAndHeaderLayer) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);

  header_scratch scratch;  // one scratch for all, as a worker thread would use it
  std::set<std::string> seen;
  std::size_t decided = 0;
  for (auto v : vectors) {
    const std::string id = str(v["id"]);
    const std::string token = str(v["token"]);
    const std::string expect = str(v["expect"]);
    seen.insert(id);
    const layer_result r = run_header_layer(token, scratch);
    const auto it = k_attack_decided_here.find(id);
    if (it == k_attack_decided_here.end()) {
      EXPECT_EQ(r.st, status::ok) << id << ": decided by a later stage, must pass this one";
      continue;
    }
    ++decided;
    EXPECT_EQ(expect, "invalid") << id;
    EXPECT_EQ(r.st, it->second) << id;
    // The status's class must be one the vector file accepts for this token.
    std::set<std::string> allowed;
    simdjson::dom::array classes;
    if (v["error_classes"].get_array().get(classes) == simdjson::SUCCESS) {
      for (simdjson::dom::element c : classes) {
        std::string_view name;
        if (c.get_string().get(name) == simdjson::SUCCESS) allowed.emplace(name);
      }
    }
    const auto& members = k_class_members.at(std::string(class_name(r.st)));
    bool match = false;
    for (const auto& c : members) match = match || allowed.count(c) != 0;
    EXPECT_TRUE(match) << id << ": class " << class_name(r.st) << " not among the vector's";
  }
  EXPECT_EQ(seen.size(), 171U);
  EXPECT_EQ(decided, k_attack_decided_here.size());
  for (const auto& [id, st] : k_attack_decided_here) {
    EXPECT_TRUE(seen.count(id) != 0) << "stale id in table: " << id;
  }
}

TEST(AttackVectors, SameVerdictsWithAFreshScratchPerToken) {
  // Reusing one scratch must not change any verdict (SECURITY.md R3).
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  header_scratch shared;
  for (auto v : vectors) {
    const std::string token = str(v["token"]);
    header_scratch fresh;
    const layer_result a = run_header_layer(token, shared);
    const layer_result b = run_header_layer(token, fresh);
    EXPECT_EQ(a.st, b.st) << str(v["id"]);
    if (a.st == status::ok) {
      EXPECT_EQ(a.header.algorithm, b.header.algorithm);
      EXPECT_EQ(a.header.kid, b.header.kid);
    }
  }
}

// attack_vectors.json: vectors decided by the key and signature stages.
const std::map<std::string, status> k_attack_decided_by_key_or_signature = {
    {"confusion-hs256-rsa-spki-pem", status::alg_key_mismatch},
    {"confusion-hs256-rsa-spki-pem-no-newline", status::alg_key_mismatch},
    {"confusion-hs256-rsa-pkcs1-pem", status::alg_key_mismatch},
    {"confusion-hs256-rsa-spki-der", status::alg_key_mismatch},
    {"confusion-hs256-rsa-jwk-json", status::alg_key_mismatch},
    {"confusion-hs256-rsa-modulus-bytes", status::alg_key_mismatch},
    {"confusion-hs256-ec-point", status::alg_key_mismatch},
    {"confusion-hs256-ec-pem", status::alg_key_mismatch},
    {"confusion-hs256-ed25519-raw", status::alg_key_mismatch},
    {"confusion-ps256-on-rs256-key", status::alg_key_mismatch},
    {"confusion-rs256-on-ec-key", status::alg_key_mismatch},
    {"confusion-es256-on-rsa-key", status::alg_key_mismatch},
    {"confusion-es384-on-p256-key", status::alg_key_mismatch},
    {"confusion-eddsa-on-ec-key", status::alg_key_mismatch},
    // Header-supplied keys are never used: the token is checked against the trusted
    // key its kid names, and the attacker's signature fails (SECURITY.md S3).
    {"embedded-jwk-attacker", status::bad_signature},
    {"embedded-jwk-no-kid", status::kid_missing},
    {"jku-attacker-url", status::bad_signature},
    {"x5u-attacker-url", status::bad_signature},
    {"x5c-self-signed-attacker", status::bad_signature},
    {"kid-path-traversal", status::key_not_found},
    {"kid-sql-injection", status::key_not_found},
    {"kid-unknown", status::key_not_found},
    {"kid-empty", status::key_not_found},
    {"kid-nul-suffix", status::key_not_found},
    {"kid-case-variant", status::key_not_found},
    {"kid-missing-multiple-keys", status::kid_missing},
    {"sig-bitflip-rs256", status::bad_signature},
    {"sig-empty-rs256", status::bad_signature_length},
    {"sig-truncated-rs256", status::bad_signature_length},
    {"sig-extended-rs256", status::bad_signature_length},
    {"sig-other-payload-rs256", status::bad_signature},
    {"sig-bitflip-es256", status::bad_signature},
    {"sig-empty-es256", status::bad_signature_length},
    {"sig-truncated-es256", status::bad_signature_length},
    {"sig-extended-es256", status::bad_signature_length},
    {"sig-other-payload-es256", status::bad_signature},
    {"sig-bitflip-hs256", status::bad_signature},
    {"sig-empty-hs256", status::bad_signature_length},
    {"sig-truncated-hs256", status::bad_signature_length},
    {"sig-extended-hs256", status::bad_signature_length},
    {"sig-other-payload-hs256", status::bad_signature},
    {"sig-bitflip-eddsa", status::bad_signature},
    {"sig-empty-eddsa", status::bad_signature_length},
    {"sig-truncated-eddsa", status::bad_signature_length},
    {"sig-extended-eddsa", status::bad_signature_length},
    {"sig-other-payload-eddsa", status::bad_signature},
    {"hmac-truncated-16", status::bad_signature_length},
    {"hmac-single-byte", status::bad_signature_length},
    {"ecdsa-psychic-zero", status::bad_signature},
    {"ecdsa-r-s-equal-n", status::bad_signature},
    {"ecdsa-r-zero", status::bad_signature},
    {"ecdsa-r-equals-n", status::bad_signature},
    {"ecdsa-der-instead-of-raw", status::bad_signature_length},
    {"ecdsa-raw-65-leading-zero", status::bad_signature_length},
    {"ecdsa-raw-63", status::bad_signature_length},
    {"ed25519-s-plus-l", status::bad_signature},
    {"ed25519-zero-sig", status::bad_signature},
    {"rsa-sig-zero", status::bad_signature},
    {"rsa-sig-n", status::bad_signature},
    {"b64-padding-sig", status::bad_base64},
    {"b64-std-alphabet-sig", status::bad_base64},
    {"b64-noncanonical-trailing-bits-sig", status::bad_base64},
    {"b64-whitespace-in-sig", status::bad_base64},
    {"b64-newline-in-payload", status::bad_signature},  // signature covers the raw bytes
    {"b64-invalid-char", status::bad_base64},
    {"b64-impossible-length", status::bad_base64},
    {"token-trailing-newline", status::bad_base64},
};

// attack_vectors.json: invalid vectors whose verdict belongs to the payload and claims
// stage, which is not built yet. They must pass everything before it.
const std::set<std::string> k_attack_decided_by_claims = {"typ-wrong",
                                                          "payload-not-json",
                                                          "payload-array",
                                                          "payload-empty",
                                                          "payload-dup-exp",
                                                          "payload-dup-aud",
                                                          "exp-string",
                                                          "exp-huge-overflow",
                                                          "exp-big-int",
                                                          "exp-negative",
                                                          "exp-zero",
                                                          "exp-bool",
                                                          "exp-null",
                                                          "exp-object",
                                                          "exp-array",
                                                          "exp-missing",
                                                          "exp-equals-now",
                                                          "exp-past",
                                                          "nbf-future",
                                                          "nbf-string",
                                                          "iat-string",
                                                          "aud-array-missing",
                                                          "aud-empty-array",
                                                          "aud-number",
                                                          "aud-array-with-number",
                                                          "aud-case",
                                                          "aud-prefix",
                                                          "aud-nul",
                                                          "aud-missing",
                                                          "iss-mismatch",
                                                          "iss-array",
                                                          "iss-missing",
                                                          "payload-deep-nesting-5000"};

// The key set of attack_vectors.json's policy: each JWK bound to its one algorithm.
std::shared_ptr<const key_set> attack_policy_keys(simdjson::dom::element root) {
  key_set_builder builder;
  builder.allow_mixed_key_types();  // the policy verifies HS256 and public-key tokens
  simdjson::dom::object keys;
  EXPECT_EQ(root["policy"]["keys"].get_object().get(keys), simdjson::SUCCESS);
  for (auto [kid, entry] : keys) {
    simdjson::dom::element jwk;
    EXPECT_EQ(entry["jwk"].get(jwk), simdjson::SUCCESS);
    std::string text = simdjson::minify(jwk);
    text.pop_back();  // add the kid and the policy's alg binding to the JWK
    text += R"(,"kid":")" + std::string(kid) + R"(","alg":")" + str(entry["alg"]) + "\"}";
    builder.add_jwks(text, std::string(kid));
  }
  return builder.build();
}

TEST(AttackVectors, WholeVerifyPath) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  const auto keys = attack_policy_keys(root);
  ASSERT_EQ(keys->size(), 4U);
  // Policy: "kid required", token limit 65536.
  const verifier v(keys, verify_options{.max_token_bytes = 65536, .require_kid = true});

  std::size_t valid = 0;
  std::size_t decided = 0;
  std::size_t pending = 0;
  for (auto e : vectors) {
    const std::string id = str(e["id"]);
    const std::string expect = str(e["expect"]);
    const status st = v.verify_one(str(e["token"]));
    if (const auto h = k_attack_decided_here.find(id); h != k_attack_decided_here.end()) {
      ++decided;
      EXPECT_EQ(st, h->second) << id;
    } else if (const auto k = k_attack_decided_by_key_or_signature.find(id);
               k != k_attack_decided_by_key_or_signature.end()) {
      ++decided;
      EXPECT_EQ(expect, "invalid") << id;
      EXPECT_EQ(st, k->second) << id;
      std::set<std::string> allowed;
      simdjson::dom::array classes;
      if (e["error_classes"].get_array().get(classes) == simdjson::SUCCESS) {
        for (simdjson::dom::element c : classes) {
          std::string_view name;
          if (c.get_string().get(name) == simdjson::SUCCESS) allowed.emplace(name);
        }
      }
      bool match = false;
      for (const auto& c : k_class_members.at(std::string(class_name(st)))) {
        match = match || allowed.count(c) != 0;
      }
      EXPECT_TRUE(match) << id << ": class " << class_name(st) << " not among the vector's";
    } else if (k_attack_decided_by_claims.count(id) != 0) {
      ++pending;
      EXPECT_EQ(expect, "invalid") << id;
      EXPECT_EQ(st, status::ok) << id << ": must reach the claims stage";
    } else {
      ++valid;
      // "valid", and the one "valid-or-reject" (a jwk header beside a trusted
      // signature: the header key is ignored, the trusted key verifies).
      EXPECT_NE(expect, "invalid") << id << " is in no table";
      EXPECT_EQ(st, status::ok) << id;
    }
  }
  EXPECT_EQ(decided, k_attack_decided_here.size() + k_attack_decided_by_key_or_signature.size());
  EXPECT_EQ(pending, k_attack_decided_by_claims.size());
  EXPECT_EQ(valid, 19U);
}

TEST(AttackVectors, ConfusionNeedsNoMixedSetToFail) {
  // Without the policy's mixed set (the default refuses it), each public key alone
  // still refuses an HS256 token that names it: there is no path from a public key
  // to HMAC bytes.
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  key_set_builder mixed;
  simdjson::dom::object keys;
  ASSERT_EQ(root["policy"]["keys"].get_object().get(keys), simdjson::SUCCESS);
  for (auto [kid, entry] : keys) {
    simdjson::dom::element jwk;
    ASSERT_EQ(entry["jwk"].get(jwk), simdjson::SUCCESS);
    std::string text = simdjson::minify(jwk);
    text.pop_back();
    text += R"(,"kid":")" + std::string(kid) + "\"}";
    mixed.add_jwks(text, std::string(kid));
  }
  EXPECT_THROW((void)mixed.build(), config_error);

  key_set_builder rsa_only;
  simdjson::dom::element rsa_jwk;
  ASSERT_EQ(root["policy"]["keys"]["rsa-2048"]["jwk"].get(rsa_jwk), simdjson::SUCCESS);
  std::string text = simdjson::minify(rsa_jwk);
  text.pop_back();
  text += R"(,"kid":"rsa-2048"})";
  rsa_only.add_jwks(text, "rsa");
  const verifier v(rsa_only.build());
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  std::size_t checked = 0;
  for (auto e : vectors) {
    const std::string id = str(e["id"]);
    if (id.rfind("confusion-hs256-rsa", 0) != 0) continue;
    ++checked;
    EXPECT_EQ(v.verify_one(str(e["token"])), status::alg_key_mismatch) << id;
  }
  EXPECT_EQ(checked, 6U);
}

TEST(RfcVectors, StructureAndHeaderLayer) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "rfc_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  header_scratch scratch;
  std::size_t compact = 0;
  std::size_t json = 0;
  for (auto v : vectors) {
    const std::string id = str(v["id"]);
    const std::string serialization = str(v["serialization"]);
    if (serialization != "compact") {
      // JWS JSON serialization, exactly as the file holds it: one JSON object.
      ++json;
      simdjson::dom::element object;
      ASSERT_EQ(v["token"].get(object), simdjson::SUCCESS) << id;
      const std::string token = simdjson::minify(object);
      EXPECT_EQ(run_header_layer(token, scratch).st, status::unsupported_serialization) << id;
      continue;
    }
    ++compact;
    const std::string token = str(v["token"]);
    const layer_result r = run_header_layer(token, scratch);
    if (id == "rfc7515-A.5") {
      EXPECT_EQ(r.st, status::alg_none) << id;
    } else if (id == "rfc7797-4.2") {
      EXPECT_EQ(r.st, status::crit_unsupported) << id;  // b64:false listed in crit
    } else {
      ASSERT_EQ(r.st, status::ok) << id;
      EXPECT_EQ(alg_name(r.header.algorithm), str(v["alg"])) << id;
    }
  }
  EXPECT_EQ(compact, 13U);
  EXPECT_EQ(json, 5U);
}

TEST(RfcVectors, Rfc7520HeadersCarryTheirKid) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "rfc_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  header_scratch scratch;
  std::map<std::string, std::string> kids;
  for (auto v : vectors) {
    if (str(v["serialization"]) != "compact") continue;
    const layer_result r = run_header_layer(str(v["token"]), scratch);
    if (r.st == status::ok && r.header.has_kid) kids[str(v["id"])] = std::string(r.header.kid);
  }
  EXPECT_EQ(kids["rfc7520-4.1"], "bilbo.baggins@hobbiton.example");
  EXPECT_EQ(kids["rfc7520-4.4"], "018c0ae5-4d9b-471b-bfd6-eef314bc7037");
  EXPECT_EQ(kids.count("rfc7515-A.1"), 0U);
}

TEST(RfcVectors, WholeVerifyPathWithTheirKeys) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "rfc_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  const std::map<std::string, status> expected = {
      {"rfc7515-A.1", status::ok},
      {"rfc7515-A.2", status::ok},
      {"rfc7515-A.3", status::ok},
      {"rfc7515-A.4", status::ok},
      {"rfc7515-A.5", status::alg_none},
      {"rfc8037-A.4", status::ok},
      {"rfc7520-4.1", status::ok},
      {"rfc7520-4.2", status::ok},
      {"rfc7520-4.3", status::ok},
      {"rfc7520-4.4", status::ok},
      // Detached payload: the compact form carries an empty payload segment, so the
      // signature (over the real payload) cannot match.
      {"rfc7520-4.5", status::bad_signature},
      {"rfc7797-4.1", status::ok},
      {"rfc7797-4.2", status::crit_unsupported},
  };
  std::size_t checked = 0;
  for (auto v : vectors) {
    const std::string id = str(v["id"]);
    if (str(v["serialization"]) != "compact") continue;
    ++checked;
    key_set_builder builder;
    const std::string key_id = str(v["key"]);
    if (key_id.empty()) {  // A.5 (alg none) names no key: any key set refuses it
      builder.add_secret(std::vector<std::uint8_t>(32, 7), "unused", "unused", alg::hs256);
    } else {
      simdjson::dom::element jwk;
      ASSERT_EQ(root["keys"][key_id]["public_jwk"].get(jwk), simdjson::SUCCESS) << id;
      builder.add_jwks(simdjson::minify(jwk), key_id);
    }
    const verifier verify(builder.build());
    ASSERT_TRUE(expected.count(id) != 0) << id;
    EXPECT_EQ(verify.verify_one(str(v["token"])), expected.at(id)) << id;
  }
  EXPECT_EQ(checked, expected.size());
}

}  // namespace
}  // namespace jwtbatch
