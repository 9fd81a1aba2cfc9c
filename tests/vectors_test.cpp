// The shared third-party vectors, read in place, through the layers built so far:
// size limit -> split -> header. Every vector this layer can decide is asserted with
// its exact status (and that status's class must be one the vector file allows);
// every other vector must pass this layer untouched, because its verdict belongs to
// a later stage (key, signature, payload, claims).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compact.hpp"
#include "header.hpp"
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

}  // namespace
}  // namespace jwtbatch
