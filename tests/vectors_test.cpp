// The shared third-party vectors, read in place, through the layers built so far.
// First the structure and header layer alone, then the whole verify path (size ->
// split -> header -> key -> signature -> payload encoding). Every vector a layer can
// decide is asserted with its exact status (and that status's class must be one the
// vector file allows); every other vector must pass untouched, because its verdict
// belongs to a later stage (payload JSON and claims).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "jose/compact.hpp"
#include "jose/header.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"
#include "vector_sets.hpp"

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
  // Reusing one scratch must not change any verdict (docs/SECURITY.md R3).
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

struct expected_verdict {
  status code;
  attack_label label;
};

// attack_vectors.json through the whole verify path under the file's policy: the
// exact status and attack label of every vector (the status's class is also checked
// against the vector's own error_classes below).
const std::map<std::string, expected_verdict> k_attack_expected = {
    {"valid-rs256", {status::ok, attack_label::none}},
    {"valid-es256", {status::ok, attack_label::none}},
    {"valid-hs256", {status::ok, attack_label::none}},
    {"valid-eddsa", {status::ok, attack_label::none}},
    {"alg-none-empty-sig", {status::alg_none, attack_label::alg_none}},
    {"alg-None-empty-sig", {status::alg_none, attack_label::alg_none}},
    {"alg-NONE-empty-sig", {status::alg_none, attack_label::alg_none}},
    {"alg-nOnE-empty-sig", {status::alg_none, attack_label::alg_none}},
    {"alg-none-with-sig", {status::alg_none, attack_label::alg_none}},
    {"alg-none-escaped", {status::alg_none, attack_label::alg_none}},
    {"alg-missing", {status::alg_missing, attack_label::none}},
    {"alg-null", {status::bad_member_type, attack_label::none}},
    {"alg-array", {status::bad_member_type, attack_label::none}},
    {"alg-lowercase", {status::alg_unsupported, attack_label::none}},
    {"alg-trailing-nul", {status::alg_unsupported, attack_label::none}},
    {"alg-trailing-space", {status::alg_unsupported, attack_label::none}},
    {"alg-unknown-HS1", {status::alg_unsupported, attack_label::none}},
    {"confusion-hs256-rsa-spki-pem", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-rsa-spki-pem-no-newline",
     {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-rsa-pkcs1-pem", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-rsa-spki-der", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-rsa-jwk-json", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-rsa-modulus-bytes", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-ec-point", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-ec-pem", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-ed25519-raw", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-ps256-on-rs256-key", {status::alg_not_allowed, attack_label::key_confusion}},
    {"confusion-rs256-on-ec-key", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-es256-on-rsa-key", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-es384-on-p256-key", {status::alg_not_allowed, attack_label::key_confusion}},
    {"confusion-eddsa-on-ec-key", {status::alg_key_mismatch, attack_label::key_confusion}},
    {"confusion-hs256-on-hmac-key-is-fine", {status::ok, attack_label::none}},
    {"embedded-jwk-attacker", {status::bad_signature, attack_label::embedded_key}},
    {"embedded-jwk-no-kid", {status::kid_missing, attack_label::embedded_key}},
    {"jku-attacker-url", {status::bad_signature, attack_label::embedded_key}},
    {"x5u-attacker-url", {status::bad_signature, attack_label::embedded_key}},
    {"x5c-self-signed-attacker", {status::bad_signature, attack_label::embedded_key}},
    {"embedded-jwk-but-signed-by-trusted", {status::ok, attack_label::none}},
    {"kid-path-traversal", {status::key_not_found, attack_label::kid_injection}},
    {"kid-sql-injection", {status::key_not_found, attack_label::kid_injection}},
    {"kid-unknown", {status::key_not_found, attack_label::none}},
    {"kid-empty", {status::key_not_found, attack_label::none}},
    {"kid-nul-suffix", {status::key_not_found, attack_label::kid_injection}},
    {"kid-case-variant", {status::key_not_found, attack_label::none}},
    {"kid-number", {status::bad_member_type, attack_label::none}},
    {"kid-missing-multiple-keys", {status::kid_missing, attack_label::none}},
    {"sig-bitflip-rs256", {status::bad_signature, attack_label::none}},
    {"sig-empty-rs256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-truncated-rs256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-extended-rs256", {status::bad_signature_length, attack_label::none}},
    {"sig-other-payload-rs256", {status::bad_signature, attack_label::none}},
    {"sig-bitflip-es256", {status::bad_signature, attack_label::none}},
    {"sig-empty-es256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-truncated-es256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-extended-es256", {status::bad_signature_length, attack_label::none}},
    {"sig-other-payload-es256", {status::bad_signature, attack_label::none}},
    {"sig-bitflip-hs256", {status::bad_signature, attack_label::none}},
    {"sig-empty-hs256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-truncated-hs256", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-extended-hs256", {status::bad_signature_length, attack_label::none}},
    {"sig-other-payload-hs256", {status::bad_signature, attack_label::none}},
    {"sig-bitflip-eddsa", {status::bad_signature, attack_label::none}},
    {"sig-empty-eddsa", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-truncated-eddsa", {status::bad_signature_length, attack_label::signature_stripped}},
    {"sig-extended-eddsa", {status::bad_signature_length, attack_label::none}},
    {"sig-other-payload-eddsa", {status::bad_signature, attack_label::none}},
    {"hmac-truncated-16", {status::bad_signature_length, attack_label::signature_stripped}},
    {"hmac-single-byte", {status::bad_signature_length, attack_label::signature_stripped}},
    {"ecdsa-psychic-zero", {status::bad_signature, attack_label::psychic_signature}},
    {"ecdsa-r-s-equal-n", {status::bad_signature, attack_label::psychic_signature}},
    {"ecdsa-r-zero", {status::bad_signature, attack_label::psychic_signature}},
    {"ecdsa-r-equals-n", {status::bad_signature, attack_label::psychic_signature}},
    {"ecdsa-der-instead-of-raw", {status::bad_signature_length, attack_label::none}},
    {"ecdsa-raw-65-leading-zero", {status::bad_signature_length, attack_label::none}},
    {"ecdsa-raw-63", {status::bad_signature_length, attack_label::signature_stripped}},
    {"ecdsa-high-s", {status::ok, attack_label::none}},
    {"ed25519-s-plus-l", {status::bad_signature, attack_label::none}},
    {"ed25519-zero-sig", {status::bad_signature, attack_label::none}},
    {"rsa-sig-zero", {status::bad_signature, attack_label::none}},
    {"rsa-sig-n", {status::bad_signature, attack_label::none}},
    {"b64-padding-sig", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-padding-header", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-std-alphabet-sig", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-noncanonical-trailing-bits-sig",
     {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-whitespace-in-sig", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-newline-in-payload", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-invalid-char", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"b64-impossible-length", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"token-leading-space", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"token-trailing-newline", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"struct-empty", {status::bad_segments, attack_label::none}},
    {"struct-two-parts", {status::bad_segments, attack_label::none}},
    {"struct-four-parts", {status::bad_segments, attack_label::none}},
    {"struct-jwe-5-parts", {status::unsupported_serialization, attack_label::none}},
    {"struct-dots-only", {status::bad_json, attack_label::none}},
    {"struct-many-dots", {status::token_too_large, attack_label::none}},
    {"struct-json-serialization", {status::unsupported_serialization, attack_label::none}},
    {"struct-nul-byte", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"struct-non-ascii", {status::bad_base64, attack_label::non_canonical_encoding}},
    {"hdr-dup-alg", {status::duplicate_member, attack_label::duplicate_member}},
    {"hdr-dup-alg-same", {status::duplicate_member, attack_label::duplicate_member}},
    {"hdr-dup-kid", {status::duplicate_member, attack_label::duplicate_member}},
    {"hdr-dup-escaped-name", {status::duplicate_member, attack_label::duplicate_member}},
    {"hdr-not-json", {status::bad_json, attack_label::none}},
    {"hdr-array", {status::bad_json, attack_label::none}},
    {"hdr-string", {status::bad_json, attack_label::none}},
    {"hdr-trailing-garbage", {status::bad_json, attack_label::none}},
    {"hdr-two-objects", {status::bad_json, attack_label::none}},
    {"hdr-bom", {status::bad_json, attack_label::none}},
    {"hdr-whitespace-ok", {status::ok, attack_label::none}},
    {"hdr-unknown-member-ok", {status::ok, attack_label::none}},
    {"hdr-invalid-utf8", {status::bad_json, attack_label::none}},
    {"hdr-overlong-utf8", {status::bad_json, attack_label::none}},
    {"hdr-lone-surrogate", {status::bad_json, attack_label::none}},
    {"hdr-raw-control-char", {status::bad_json, attack_label::none}},
    {"hdr-deep-nesting-5000", {status::json_limit_exceeded, attack_label::none}},
    {"hdr-alg-huge-string", {status::token_too_large, attack_label::none}},
    {"crit-unknown", {status::crit_unsupported, attack_label::crit_bypass}},
    {"crit-unknown-absent-param", {status::crit_unsupported, attack_label::crit_bypass}},
    {"crit-empty", {status::bad_crit, attack_label::crit_bypass}},
    {"crit-names-alg", {status::bad_crit, attack_label::crit_bypass}},
    {"crit-not-array", {status::bad_member_type, attack_label::crit_bypass}},
    // RFC 7797's unencoded payload is not base64url: refused as such before the
    // header's crit is acted on (a byte outside the alphabet is always format); the
    // label still names the crit bypass.
    {"b64-false-crit", {status::bad_base64, attack_label::crit_bypass}},
    {"b64-false-no-crit", {status::b64_unsupported, attack_label::crit_bypass}},
    {"zip-in-jws", {status::zip_unsupported, attack_label::none}},
    {"typ-jwt-lowercase-ok", {status::ok, attack_label::none}},
    {"typ-missing-ok", {status::ok, attack_label::none}},
    {"typ-wrong", {status::typ_mismatch, attack_label::none}},
    {"typ-number", {status::bad_member_type, attack_label::none}},
    {"cty-nested-jwt", {status::nested_jwt_unsupported, attack_label::none}},
    {"payload-not-json", {status::bad_json, attack_label::none}},
    {"payload-array", {status::bad_json, attack_label::none}},
    {"payload-empty", {status::bad_json, attack_label::none}},
    {"payload-dup-exp", {status::duplicate_member, attack_label::duplicate_member}},
    {"payload-dup-aud", {status::duplicate_member, attack_label::duplicate_member}},
    {"exp-string", {status::bad_claim_type, attack_label::none}},
    {"exp-float-ok", {status::ok, attack_label::none}},
    {"exp-exponent-ok", {status::ok, attack_label::none}},
    {"exp-huge-overflow", {status::bad_claim_type, attack_label::none}},
    {"exp-big-int", {status::bad_claim_type, attack_label::none}},
    {"exp-negative", {status::expired, attack_label::none}},
    {"exp-zero", {status::expired, attack_label::none}},
    {"exp-bool", {status::bad_claim_type, attack_label::none}},
    {"exp-null", {status::bad_claim_type, attack_label::none}},
    {"exp-object", {status::bad_claim_type, attack_label::none}},
    {"exp-array", {status::bad_claim_type, attack_label::none}},
    {"exp-missing", {status::missing_claim, attack_label::none}},
    {"exp-equals-now", {status::expired, attack_label::none}},
    {"exp-now-plus-1", {status::ok, attack_label::none}},
    {"exp-past", {status::expired, attack_label::none}},
    {"nbf-future", {status::not_yet_valid, attack_label::none}},
    {"nbf-equals-now", {status::ok, attack_label::none}},
    {"nbf-string", {status::bad_claim_type, attack_label::none}},
    {"iat-string", {status::bad_claim_type, attack_label::none}},
    {"aud-array-contains", {status::ok, attack_label::none}},
    {"aud-array-missing", {status::audience_mismatch, attack_label::none}},
    {"aud-empty-array", {status::audience_mismatch, attack_label::none}},
    {"aud-number", {status::bad_claim_type, attack_label::none}},
    {"aud-array-with-number", {status::bad_claim_type, attack_label::none}},
    {"aud-case", {status::audience_mismatch, attack_label::none}},
    {"aud-prefix", {status::audience_mismatch, attack_label::none}},
    {"aud-nul", {status::audience_mismatch, attack_label::none}},
    {"aud-missing", {status::missing_claim, attack_label::none}},
    {"iss-mismatch", {status::issuer_mismatch, attack_label::none}},
    {"iss-escaped-slash-ok", {status::ok, attack_label::none}},
    {"iss-unicode-escape-ok", {status::ok, attack_label::none}},
    {"iss-array", {status::bad_claim_type, attack_label::none}},
    {"iss-missing", {status::missing_claim, attack_label::none}},
    {"payload-deep-nesting-5000", {status::json_limit_exceeded, attack_label::none}},
    {"payload-large-100k", {status::token_too_large, attack_label::none}},
    {"payload-many-members", {status::ok, attack_label::none}},
};

// Attack labels by catalogue id (vectors README). Where the engine's label rules are
// narrower than the catalogue (docs/SECURITY.md ids cover neighbouring non-attacks too),
// the vector is listed in k_unlabelled with the reason.
const std::map<std::string, attack_label> k_catalogue_label = {
    {"S1", attack_label::alg_none},          {"S2", attack_label::key_confusion},
    {"S3", attack_label::embedded_key},      {"S4", attack_label::kid_injection},
    {"S6", attack_label::psychic_signature}, {"P1", attack_label::non_canonical_encoding},
    {"J1", attack_label::duplicate_member},  {"H1", attack_label::crit_bypass},
    {"H2", attack_label::crit_bypass},
};
const std::set<std::string> k_unlabelled = {
    // S1 rows whose alg is not "none": missing, null, array, lower-case, NUL, space,
    // unknown. They are refused (alg_missing/alg_unsupported/bad_member_type), but
    // alg_none is kept for the unsecured-JWS shape.
    "alg-missing", "alg-null", "alg-array", "alg-lowercase", "alg-trailing-nul",
    "alg-trailing-space", "alg-unknown-HS1",
    // S4 rows with a plain unknown, empty or differently-cased kid, a non-string kid,
    // or no kid: refused, but nothing in them is injection-shaped (issue #4 defines
    // kid_injection as path, quote or control characters).
    "kid-unknown", "kid-empty", "kid-case-variant", "kid-number", "kid-missing-multiple-keys"};

// attack_vectors.json's policy and key set (shared with determinism_test).
using test::attack_policy;
using test::attack_policy_builder;
using test::attack_policy_keys;

std::set<std::string> error_classes(simdjson::dom::element vector) {
  std::set<std::string> allowed;
  simdjson::dom::array classes;
  if (vector["error_classes"].get_array().get(classes) == simdjson::SUCCESS) {
    for (simdjson::dom::element c : classes) {
      std::string_view name;
      if (c.get_string().get(name) == simdjson::SUCCESS) allowed.emplace(name);
    }
  }
  return allowed;
}

TEST(AttackVectors, WholeVerifyPathStatusesClassesAndLabels) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  const verifier v(attack_policy_keys(root), attack_policy());

  std::size_t checked = 0;
  result r;
  for (auto e : vectors) {
    const std::string id = str(e["id"]);
    const std::string expect = str(e["expect"]);
    const std::string catalogue = str(e["catalogue"]);
    ASSERT_TRUE(k_attack_expected.count(id) != 0) << "no expectation for " << id;
    const expected_verdict& want = k_attack_expected.at(id);
    v.verify(str(e["token"]), r);
    ++checked;
    EXPECT_EQ(r.code, want.code) << id;
    EXPECT_EQ(label_name(r.label), label_name(want.label)) << id;
    if (expect == "valid") {
      EXPECT_EQ(r.code, status::ok) << id;
      continue;
    }
    if (expect == "valid-or-reject") continue;  // a jwk header beside a trusted signature
    ASSERT_NE(r.code, status::ok) << id;
    // The class must be one the vector allows.
    const auto allowed = error_classes(e);
    bool match = false;
    for (const auto& c : k_class_members.at(std::string(class_name(r.code)))) {
      match = match || allowed.count(c) != 0;
    }
    EXPECT_TRUE(match) << id << ": class " << class_name(r.code) << " not among the vector's";
    // The label the catalogue names, unless the engine's rule is documented as narrower.
    const auto named = k_catalogue_label.find(catalogue);
    if (named != k_catalogue_label.end() && k_unlabelled.count(id) == 0) {
      EXPECT_EQ(label_name(r.label), label_name(named->second)) << id;
    }
  }
  EXPECT_EQ(checked, 171U);
  EXPECT_EQ(checked, k_attack_expected.size());
}

TEST(AttackVectors, OneShuffledBatchGivesTheSameVerdicts) {
  // docs/SECURITY.md R2/R3: the order tokens arrive in, and what a thread verified before,
  // change nothing.
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  const verifier v(attack_policy_keys(root), attack_policy());
  std::vector<std::pair<std::string, std::string>> tokens;
  for (auto e : vectors) tokens.emplace_back(str(e["id"]), str(e["token"]));
  std::mt19937 rng(171);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(tokens.begin(), tokens.end(), rng);
    result r;
    for (const auto& [id, token] : tokens) {
      v.verify(token, r);
      EXPECT_EQ(r.code, k_attack_expected.at(id).code) << id << " round " << round;
      EXPECT_EQ(r.label, k_attack_expected.at(id).label) << id << " round " << round;
    }
  }
}

TEST(AttackVectors, ClaimsAreReturnedOnlyFromVerifiedTokens) {
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  simdjson::dom::array vectors;
  ASSERT_EQ(root["vectors"].get_array().get(vectors), simdjson::SUCCESS);
  const verifier v(attack_policy_keys(root), attack_policy());
  result r;
  for (auto e : vectors) {
    const std::string id = str(e["id"]);
    v.verify(str(e["token"]), r);
    const bool signature_verified =
        r.code == status::ok || class_of(r.code) == status_class::claims ||
        ((r.code == status::bad_json || r.code == status::duplicate_member ||
          r.code == status::json_limit_exceeded) &&
         id.rfind("payload-", 0) == 0);
    if (!signature_verified) {
      EXPECT_FALSE(r.iss || r.sub || r.exp || r.has_aud) << id;
    }
    EXPECT_EQ(r.fingerprint_hex().size(), 32U);
  }
  v.verify(str(root["vectors"].at(0)["token"]), r);  // valid-rs256
  ASSERT_EQ(r.code, status::ok);
  EXPECT_EQ(r.iss, "https://issuer.example");
  EXPECT_EQ(r.sub, "user-1");
  ASSERT_EQ(r.aud.size(), 1U);
  EXPECT_EQ(r.aud[0], "api.example");
  EXPECT_EQ(r.exp, 1700003600.0);
  EXPECT_EQ(r.iat, 1699999000.0);
  EXPECT_EQ(r.kid, "rsa-2048");
  EXPECT_EQ(r.algorithm, alg::rs256);
}

TEST(AttackVectors, ConfusionNeedsNoMixedSetToFail) {
  // Without the policy's mixed set (the default refuses it), each public key alone
  // still refuses an HS256 token that names it: there is no path from a public key
  // to HMAC bytes.
  simdjson::dom::parser parser;
  const auto root = load(parser, "attack_vectors.json");
  key_set_builder mixed = attack_policy_builder(root, false);
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
  // JWS-level examples whose payload is text, not a claims set, are valid signatures
  // but not JWTs: bad_json at the payload stage.
  const std::map<std::string, status> expected = {
      {"rfc7515-A.1", status::ok},
      {"rfc7515-A.2", status::ok},
      {"rfc7515-A.3", status::ok},
      {"rfc7515-A.4", status::bad_json},
      {"rfc7515-A.5", status::alg_none},
      {"rfc8037-A.4", status::bad_json},
      {"rfc7520-4.1", status::bad_json},
      {"rfc7520-4.2", status::bad_json},
      {"rfc7520-4.3", status::bad_json},
      {"rfc7520-4.4", status::bad_json},
      // Detached payload: the compact form carries an empty payload segment, so the
      // signature (over the real payload) cannot match.
      {"rfc7520-4.5", status::bad_signature},
      {"rfc7797-4.1", status::bad_json},
      {"rfc7797-4.2", status::crit_unsupported},
  };
  // A.1-A.3 carry exp = 1300819380 (2011): evaluate them just before.
  policy p;
  p.fixed_time = 1300819300;
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
    const verifier verify(builder.build(), p);
    ASSERT_TRUE(expected.count(id) != 0) << id;
    EXPECT_EQ(verify.verify_one(str(v["token"])), expected.at(id)) << id;
  }
  EXPECT_EQ(checked, expected.size());
}

}  // namespace
}  // namespace jwtbatch
