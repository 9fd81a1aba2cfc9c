// Every status in the taxonomy is produced by a real input through the verify path
// (STYLE.md: "Every value is produced by at least one test"). A new status fails
// this test until an input that produces it is added below.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base64url.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

std::string with_header(std::string_view json) {
  return detail::base64url_encode(json) + ".e30.c2ln";
}

TEST(Taxonomy, EveryStatusIsProducedByAnInput) {
  key_set_builder builder;
  builder.add_secret(std::vector<std::uint8_t>(32, 1), "test", "k1", alg::hs256);
  builder.add_secret(std::vector<std::uint8_t>(64, 2), "test", "k2", alg::hs256);
  const auto keys = builder.build();
  policy rules;
  rules.fixed_time = 1700000000;
  rules.allowed_algs = {alg::hs256, alg::hs512};
  rules.accepted_typs = {"JWT"};
  rules.issuers = {"https://issuer.example"};
  rules.audiences = {"api"};
  rules.subject = "alice";
  rules.max_age_seconds = 3600;
  const verifier lenient(keys, rules);
  policy strict_rules = rules;
  strict_rules.require_kid = true;
  strict_rules.reject_embedded_keys = true;
  strict_rules.required_claims = {"jti"};
  const verifier strict(keys, strict_rules);

  // Claims valid at 1700000000 unless a test changes one.
  const auto token = [&](std::string_view claims) {
    return sign_compact(*keys, "k1", alg::hs256, claims);
  };
  const std::string base =
      R"("iss":"https://issuer.example","aud":"api","sub":"alice","iat":1699999000)";
  const std::string good = token("{" + base + R"(,"exp":1700003600})");
  std::string forged = good;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';

  const std::map<status, std::string> examples = {
      {status::ok, good},
      {status::token_too_large, std::string(70000, 'a')},
      {status::bad_segments, "a.b"},
      {status::unsupported_serialization, "a.b.c.d.e"},
      {status::bad_base64, "eyJhbGciOiJIUzI1NiJ9=.e30.c2ln"},
      {status::bad_json, with_header(R"({"alg":"HS256"}{})")},
      {status::duplicate_member, with_header(R"({"alg":"HS256","alg":"HS256"})")},
      {status::json_limit_exceeded, with_header(R"({"alg":"HS256","x":[[[[[[[[[]]]]]]]]]})")},
      {status::bad_member_type, with_header(R"({"alg":256})")},
      {status::bad_crit, with_header(R"({"alg":"HS256","crit":[]})")},
      {status::alg_missing, with_header(R"({"typ":"JWT"})")},
      {status::alg_none, with_header(R"({"alg":"none"})")},
      {status::alg_unsupported, with_header(R"({"alg":"RSA1_5"})")},
      {status::crit_unsupported, with_header(R"({"alg":"HS256","crit":["exp"],"exp":1})")},
      {status::b64_unsupported, with_header(R"({"alg":"HS256","b64":false})")},
      {status::zip_unsupported, with_header(R"({"alg":"HS256","zip":"DEF"})")},
      {status::nested_jwt_unsupported, with_header(R"({"alg":"HS256","cty":"JWT"})")},
      {status::key_not_found, with_header(R"({"alg":"HS256","kid":"nope"})")},
      {status::key_ambiguous, with_header(R"({"alg":"HS256"})")},
      {status::alg_key_mismatch, with_header(R"({"alg":"HS512","kid":"k1"})")},
      {status::bad_signature_length, with_header(R"({"alg":"HS256","kid":"k1"})")},
      {status::bad_signature, forged},
      {status::alg_not_allowed, with_header(R"({"alg":"HS384","kid":"k1"})")},
      {status::typ_mismatch, with_header(R"({"alg":"HS256","kid":"k1","typ":"at+jwt"})")},
      {status::bad_claim_type, token("{" + base + R"(,"exp":"1700003600"})")},
      {status::missing_claim, token(R"({"aud":"api","sub":"alice","iat":1699999000})")},
      {status::expired, token("{" + base + R"(,"exp":1700000000})")},
      {status::not_yet_valid, token("{" + base + R"(,"nbf":1700000001})")},
      {status::issued_in_future, token(R"({"iss":"https://issuer.example","aud":"api",)"
                                       R"("sub":"alice","iat":1700000001})")},
      {status::too_old, token(R"({"iss":"https://issuer.example","aud":"api",)"
                              R"("sub":"alice","iat":1699996399})")},
      {status::issuer_mismatch, token(R"({"iss":"https://other.example","aud":"api",)"
                                      R"("sub":"alice","iat":1699999000})")},
      {status::audience_mismatch, token(R"({"iss":"https://issuer.example","aud":["x"],)"
                                        R"("sub":"alice","iat":1699999000})")},
      {status::subject_mismatch, token(R"({"iss":"https://issuer.example","aud":"api",)"
                                       R"("sub":"bob","iat":1699999000})")},
  };
  std::set<status> produced;
  for (const auto& [expected, input] : examples) {
    const status got = lenient.verify_one(input);
    EXPECT_EQ(got, expected) << input;
    produced.insert(got);
  }
  const status missing = strict.verify_one(with_header(R"({"alg":"HS256"})"));
  EXPECT_EQ(missing, status::kid_missing);
  produced.insert(missing);
  const status embedded =
      strict.verify_one(with_header(R"({"alg":"HS256","kid":"k1","jku":"https://a.example"})"));
  EXPECT_EQ(embedded, status::embedded_key_rejected);
  produced.insert(embedded);

  for (status s : all_statuses()) {
    EXPECT_TRUE(produced.count(s) != 0) << "no input produces " << status_name(s);
  }
}

}  // namespace
}  // namespace jwtbatch
