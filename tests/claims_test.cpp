// Claims and policy: RFC 7519 time semantics at their boundaries, leeway, per-token
// evaluation times, registered claim types, returned claims, typ and the allow-list.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/sign.hpp"
#include "jwtbatch/verifier.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

class ClaimsTest : public ::testing::Test {
 protected:
  ClaimsTest() {
    key_set_builder b;
    b.add_secret(std::vector<std::uint8_t>(32, 42), "test", "k", alg::hs256);
    keys_ = b.build();
  }
  std::string token(std::string_view claims, std::string_view header = {}) const {
    return header.empty() ? sign_compact(*keys_, "k", alg::hs256, claims)
                          : sign_compact(*keys_, "k", alg::hs256, claims, header);
  }
  status at(const policy& p, std::string_view claims, double now,
            std::string_view header = {}) const {
    result r;
    verifier(keys_, p).verify_at(token(claims, header), now, r);
    return r.code;
  }
  std::shared_ptr<const key_set> keys_;
};

TEST_F(ClaimsTest, ExpIsExclusiveNbfIsInclusive) {
  const policy p;
  EXPECT_EQ(at(p, R"({"exp":1000})", 999), status::ok);
  EXPECT_EQ(at(p, R"({"exp":1000})", 999.999), status::ok);
  EXPECT_EQ(at(p, R"({"exp":1000})", 1000), status::expired);  // now < exp required
  EXPECT_EQ(at(p, R"({"nbf":1000})", 1000), status::ok);       // now >= nbf
  EXPECT_EQ(at(p, R"({"nbf":1000})", 999.5), status::not_yet_valid);
  EXPECT_EQ(at(p, R"({"iat":1000})", 1000), status::ok);
  EXPECT_EQ(at(p, R"({"iat":1000})", 999), status::issued_in_future);
}

TEST_F(ClaimsTest, LeewayWorksOnBothSides) {
  policy p;
  p.leeway_seconds = 30;
  EXPECT_EQ(at(p, R"({"exp":1000})", 1029), status::ok);
  EXPECT_EQ(at(p, R"({"exp":1000})", 1030), status::expired);
  EXPECT_EQ(at(p, R"({"nbf":1000})", 970), status::ok);
  EXPECT_EQ(at(p, R"({"nbf":1000})", 969), status::not_yet_valid);
  EXPECT_EQ(at(p, R"({"iat":1000})", 970), status::ok);
  EXPECT_EQ(at(p, R"({"iat":1000})", 969), status::issued_in_future);
  p.max_age_seconds = 100;
  EXPECT_EQ(at(p, R"({"iat":1000})", 1130), status::ok);
  EXPECT_EQ(at(p, R"({"iat":1000})", 1130.5), status::too_old);
  EXPECT_EQ(at(p, R"({"exp":2000})", 1500), status::missing_claim);  // age needs iat
  policy negative;
  negative.leeway_seconds = -1;
  EXPECT_THROW(verifier(keys_, negative), config_error);
}

// A policy outside the bounds is refused when the verifier takes it, naming the field:
// a leeway beyond a day would turn expired tokens into valid ones; a token limit of 0
// or above max_token_bytes_limit, a negative maximum age or a non-finite time make no
// sense. The bounds themselves are accepted and work.
TEST_F(ClaimsTest, PolicyBoundsAreConfigurationErrors) {
  const auto refused = [&](const policy& p, const std::string& field) {
    try {
      const verifier v(keys_, p);
      ADD_FAILURE() << field << " accepted";
    } catch (const config_error& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  policy p;
  for (const std::int64_t leeway :
       {std::int64_t{-1}, max_leeway_seconds + 1, std::numeric_limits<std::int64_t>::max(),
        std::numeric_limits<std::int64_t>::min()}) {
    p = policy{};
    p.leeway_seconds = leeway;
    refused(p, "leeway");
  }
  for (const std::size_t bytes : {std::size_t{0}, max_token_bytes_limit + 1, SIZE_MAX}) {
    p = policy{};
    p.limits.max_token_bytes = bytes;
    refused(p, "max_token_bytes");
  }
  p = policy{};
  p.max_age_seconds = -1;
  refused(p, "max_age");
  for (const double t :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    p = policy{};
    p.fixed_time = t;
    refused(p, "fixed_time");
  }
  // The payload walk recurses once per level: an unbounded depth would let a signed
  // token exhaust the stack (a SIGSEGV at 100,000 levels).
  for (const std::size_t depth : {std::size_t{0}, max_json_depth_limit + 1, SIZE_MAX}) {
    p = policy{};
    p.limits.max_json_depth = depth;
    refused(p, "max_json_depth");
  }
  p = policy{};
  p.required_claims.assign(max_required_claims + 1, "x");
  refused(p, "required claims");
  // One check, used by the verifier, the C ABI and the CLI, with the exact message.
  p = policy{};
  p.limits.max_json_depth = 2000;
  EXPECT_THROW(
      {
        try {
          validate(p);
        } catch (const config_error& e) {
          EXPECT_STREQ(e.what(), "policy: limits.max_json_depth must be 1 to 1024, got 2000");
          throw;
        }
      },
      config_error);
  EXPECT_NO_THROW(validate(policy{}));

  policy widest;
  widest.leeway_seconds = max_leeway_seconds;
  widest.limits.max_token_bytes = max_token_bytes_limit;
  widest.limits.max_json_depth = max_json_depth_limit;
  widest.required_claims.assign(max_required_claims, "exp");
  EXPECT_EQ(at(widest, R"({"exp":1000})", 1000 + 86399), status::ok);
  EXPECT_EQ(at(widest, R"({"exp":1000})", 1000 + 86400), status::expired);
  // The root object is level 1: 1023 nested arrays inside it reach the bound exactly.
  const auto nested = [](std::size_t arrays) {
    return R"({"exp":1000,"a":)" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  EXPECT_EQ(at(widest, nested(max_json_depth_limit - 1), 1000), status::ok);
  EXPECT_EQ(at(widest, nested(max_json_depth_limit), 1000), status::json_limit_exceeded);
  policy smallest;
  smallest.limits.max_token_bytes = 1;
  EXPECT_EQ(at(smallest, "{}", 0), status::token_too_large);
}

TEST_F(ClaimsTest, FractionalAndExponentDates) {
  const policy p;
  EXPECT_EQ(at(p, R"({"exp":1000.5})", 1000.25), status::ok);
  EXPECT_EQ(at(p, R"({"exp":1000.5})", 1000.5), status::expired);
  EXPECT_EQ(at(p, R"({"exp":1.0005e3})", 1000.25), status::ok);
  EXPECT_EQ(at(p, R"({"exp":-1})", 0), status::expired);
  EXPECT_EQ(at(p, R"({"exp":9007199254740992})", 1e15), status::ok);  // 2^53
}

TEST_F(ClaimsTest, NumericDatesOfTheWrongTypeOrRangeAreClaimErrors) {
  const policy p;
  for (const char* bad :
       {R"({"exp":"1000"})", R"({"exp":true})", R"({"exp":null})", R"({"exp":{}})",
        R"({"exp":[1000]})", R"({"exp":1e400})", R"({"exp":-1e400})", R"({"exp":9007199254740994})",
        R"({"exp":99999999999999999999999})", R"({"nbf":"0"})", R"({"iat":false})"}) {
    EXPECT_EQ(at(p, bad, 500), status::bad_claim_type) << bad;
  }
  // A type error counts whether or not the claim is required or checked.
  EXPECT_EQ(at(p, R"({"iss":7})", 500), status::bad_claim_type);
  EXPECT_EQ(at(p, R"({"sub":["a"]})", 500), status::bad_claim_type);
  EXPECT_EQ(at(p, R"({"jti":1})", 500), status::bad_claim_type);
  EXPECT_EQ(at(p, R"({"aud":{"a":1}})", 500), status::bad_claim_type);
  EXPECT_EQ(at(p, R"({"aud":["a",1]})", 500), status::bad_claim_type);
}

// One rule for numbers everywhere (README "Status vocabulary"): the JSON grammar
// decides first (RFC 8259 §6), so a number spelled against it is bad_json in any
// member, registered or custom, payload or header; a grammatical number is JSON
// whatever its magnitude (the grammar has no range), so only a registered claim can
// refuse it, by its own rule: a NumericDate must be finite and within +-2^53 (RFC 7519
// §2), else bad_claim_type. Custom claims and header members have no range.
TEST_F(ClaimsTest, NumbersFollowTheJsonGrammarThenTheClaimsRules) {
  const policy plain;
  policy returning;
  returning.returned_claims = {"x"};  // the On-Demand walk, keeping the raw text
  const char* const not_json[] = {"01",       "-01",  "00",  "1.",   ".5", "+1",  "1e",
                                  "1e+",      "1.5e", "-",   "0x10", "1x", "NaN", "-Infinity",
                                  "Infinity", "1.e3", "--1", "1ee2", "0.", "-.5"};
  for (const char* n : not_json) {
    for (const std::string& claims :
         {std::string(R"({"x":)") + n + "}", std::string(R"({"exp":)") + n + "}",
          std::string(R"({"nbf":)") + n + "}", std::string(R"({"iat":)") + n + "}",
          std::string(R"({"x":[1,)") + n + "]}", std::string(R"({"x":{"y":)") + n + "}}",
          std::string(R"({"iss":)") + n + "}", std::string(R"({"aud":["a",)") + n + "]}",
          std::string(R"({"exp":"1","x":)") + n + "}"}) {
      EXPECT_EQ(at(plain, claims, 0), status::bad_json) << claims;
      EXPECT_EQ(at(returning, claims, 0), status::bad_json) << claims << " (returned)";
    }
    EXPECT_EQ(at(plain, "{}", 0, std::string(R"({"alg":"HS256","kid":"k","x":)") + n + "}"),
              status::bad_json)
        << n << " in the header";
  }
  const char* const out_of_double[] = {"1e400", "-1e400", "1E+400", "99999999999999999999999",
                                       "123456789012345678901234567890e300"};
  for (const char* n : out_of_double) {
    EXPECT_EQ(at(plain, std::string(R"({"x":)") + n + "}", 0), status::ok) << n;
    EXPECT_EQ(at(plain, std::string(R"({"x":[)") + n + "]}", 0), status::ok) << n;
    EXPECT_EQ(at(plain, std::string(R"({"exp":)") + n + "}", 0), status::bad_claim_type) << n;
    EXPECT_EQ(at(plain, std::string(R"({"iss":)") + n + "}", 0), status::bad_claim_type) << n;
    EXPECT_EQ(at(plain, "{}", 0, std::string(R"({"alg":"HS256","kid":"k","x":)") + n + "}"),
              status::ok)
        << n << " in the header";
    result r;
    verifier(keys_, returning).verify_at(token(std::string(R"({"x":)") + n + "}"), 0, r);
    EXPECT_EQ(r.code, status::ok) << n;
    ASSERT_EQ(r.custom_claims.size(), 1U) << n;
    EXPECT_EQ(r.custom_claims[0].second, n);  // returned as written
  }
  // Tiny magnitudes round to zero: grammatical, finite, a NumericDate of 0.
  EXPECT_EQ(at(plain, R"({"exp":1e-400,"x":-1e-400})", -1), status::ok);
  EXPECT_EQ(at(plain, R"({"x":-0,"y":0.0e0,"z":1E-2})", 0), status::ok);
}

TEST_F(ClaimsTest, PerTokenEvaluationTimesInOneRun) {
  // An audit of a log: each token judged at its own request time.
  const verifier v(keys_);
  const std::string t = token(R"({"nbf":1000,"exp":2000})");
  const std::vector<std::pair<double, status>> uses = {{999, status::not_yet_valid},
                                                       {1000, status::ok},
                                                       {1999.9, status::ok},
                                                       {2000, status::expired},
                                                       {1500, status::ok}};
  result r;
  for (const auto& [when, expected] : uses) {
    v.verify_at(t, when, r);
    EXPECT_EQ(r.code, expected) << when;
  }
  // The fixed time of the policy applies to verify() / verify_one().
  policy fixed;
  fixed.fixed_time = 2500;
  EXPECT_EQ(verifier(keys_, fixed).verify_one(t), status::expired);
  fixed.fixed_time = 1500;
  EXPECT_EQ(verifier(keys_, fixed).verify_one(t), status::ok);
}

TEST_F(ClaimsTest, IssuerAudienceSubjectCompareUnescapedBytes) {
  policy p;
  p.issuers = {"https://a.example/", "https://b.example/"};
  p.audiences = {"api"};
  p.subject = "alice";
  const std::string rest = R"(,"aud":"api","sub":"alice"})";
  EXPECT_EQ(at(p, R"({"iss":"https:\/\/b.example\/")" + rest, 0), status::ok);
  EXPECT_EQ(at(p, R"({"iss":"https://B.example/")" + rest, 0), status::issuer_mismatch);
  EXPECT_EQ(at(p, R"({"iss":"https://b.example")" + rest, 0), status::issuer_mismatch);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","aud":["x","api"],"sub":"alice"})", 0),
            status::ok);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","aud":[],"sub":"alice"})", 0),
            status::audience_mismatch);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","aud":"api\u0000","sub":"alice"})", 0),
            status::audience_mismatch);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","sub":"alice"})", 0), status::missing_claim);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","aud":"api","sub":"\u0061lice"})", 0), status::ok);
  EXPECT_EQ(at(p, R"({"iss":"https://a.example/","aud":"api","sub":"alicE"})", 0),
            status::subject_mismatch);
}

TEST_F(ClaimsTest, RequiredClaimsByName) {
  policy p;
  p.required_claims = {"exp", "tenant"};
  EXPECT_EQ(at(p, R"({"exp":10,"tenant":"t1"})", 0), status::ok);
  EXPECT_EQ(at(p, R"({"exp":10})", 0), status::missing_claim);
  EXPECT_EQ(at(p, R"({"tenant":null})", 0), status::missing_claim);
  EXPECT_EQ(at(p, R"({"tenant":null,"exp":10})", 0), status::ok);  // present, even if null
}

// missing_claim and bad_claim_type say which claim (result::detail): the first
// required claim absent, in policy order, or the claim a check needs (iss, aud, sub;
// iat for a maximum age); for a type error, the first registered claim of the wrong
// type, in payload order. Every other status leaves detail unset.
TEST_F(ClaimsTest, DetailNamesTheMissingOrMistypedClaim) {
  const auto detail_of = [&](const policy& p, std::string_view claims, double now,
                             status expected) -> std::optional<std::string> {
    result r;
    verifier(keys_, p).verify_at(token(claims), now, r);
    EXPECT_EQ(r.code, expected) << claims;
    return r.detail ? std::optional<std::string>(*r.detail) : std::nullopt;
  };
  using opt = std::optional<std::string>;
  policy required;
  required.required_claims = {"exp", "tenant", "scope"};
  EXPECT_EQ(detail_of(required, R"({"exp":10,"scope":"a"})", 0, status::missing_claim),
            opt("tenant"));
  EXPECT_EQ(detail_of(required, R"({"scope":"a"})", 0, status::missing_claim), opt("exp"));
  EXPECT_EQ(detail_of(required, R"({"exp":10,"tenant":1})", 0, status::missing_claim),
            opt("scope"));
  EXPECT_EQ(detail_of(required, R"({"exp":10,"tenant":1,"scope":2})", 0, status::ok), std::nullopt);
  // Names compare after unescaping, and the detail is the policy's spelling.
  policy odd;
  odd.required_claims = {"t\"x", std::string("n\0ul", 4)};
  EXPECT_EQ(detail_of(odd, R"({"t\"x":1})", 0, status::missing_claim),
            opt(std::string("n\0ul", 4)));

  policy checks;
  checks.issuers = {"i"};
  checks.audiences = {"a"};
  checks.subject = "s";
  EXPECT_EQ(detail_of(checks, R"({"aud":"a","sub":"s"})", 0, status::missing_claim), opt("iss"));
  EXPECT_EQ(detail_of(checks, R"({"iss":"i","sub":"s"})", 0, status::missing_claim), opt("aud"));
  EXPECT_EQ(detail_of(checks, R"({"iss":"i","aud":"a"})", 0, status::missing_claim), opt("sub"));
  EXPECT_EQ(detail_of(checks, R"({"iss":"x","aud":"a","sub":"s"})", 0, status::issuer_mismatch),
            std::nullopt);
  policy aged;
  aged.max_age_seconds = 60;
  EXPECT_EQ(detail_of(aged, R"({"exp":100})", 50, status::missing_claim), opt("iat"));
  EXPECT_EQ(detail_of(aged, R"({"exp":100})", 100, status::expired), std::nullopt);

  const policy plain;
  EXPECT_EQ(detail_of(plain, R"({"sub":"s","exp":"1","iss":2})", 0, status::bad_claim_type),
            opt("exp"));
  EXPECT_EQ(detail_of(plain, R"({"aud":["a",1]})", 0, status::bad_claim_type), opt("aud"));
  EXPECT_EQ(detail_of(plain, R"({"nbf":1e400})", 0, status::bad_claim_type), opt("nbf"));
  EXPECT_EQ(detail_of(required, R"({"jti":5})", 0, status::bad_claim_type), opt("jti"));
  EXPECT_EQ(detail_of(plain, R"({"exp":1})", 5, status::expired), std::nullopt);

  // Reusing a result for another token leaves no detail behind, and copies carry it.
  result r;
  verifier(keys_, required).verify_at(token(R"({"exp":10})"), 0, r);
  ASSERT_EQ(r.detail, "tenant");
  const result copy = r;
  r = result();
  EXPECT_EQ(copy.detail, "tenant");
  verifier(keys_, required).verify_at(token("{}"), 0, r);
  EXPECT_EQ(r.detail, "exp");
  verifier(keys_, required).verify_at(token("{"), 0, r);
  EXPECT_EQ(r.code, status::bad_json);
  EXPECT_FALSE(r.detail);
}

TEST_F(ClaimsTest, ResultCarriesClaimsAndRequestedCustomClaimsAsRawJson) {
  policy p;
  p.returned_claims = {"scope", "roles", "absent", "n"};
  result r;
  verifier(keys_, p).verify_at(
      token(R"({"iss":"i\"ss","sub":"s","jti":"j1","aud":["a","b"],"exp":20,)"
            R"("nbf":1.5,"iat":1,"roles":[ "admin" , {"x":1} ],"n":-0.5e2 ,)"
            R"("scope":"read write"})"),
      10, r);
  ASSERT_EQ(r.code, status::ok);
  EXPECT_EQ(r.iss, "i\"ss");
  EXPECT_EQ(r.sub, "s");
  EXPECT_EQ(r.jti, "j1");
  EXPECT_EQ(r.aud, (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(r.exp, 20.0);
  EXPECT_EQ(r.nbf, 1.5);
  EXPECT_EQ(r.iat, 1.0);
  EXPECT_EQ(r.kid, "k");
  ASSERT_EQ(r.custom_claims.size(), 3U);  // in policy order, absent left out
  EXPECT_EQ(r.custom_claims[0].first, "scope");
  EXPECT_EQ(r.custom_claims[0].second, R"("read write")");
  EXPECT_EQ(r.custom_claims[1].first, "roles");
  EXPECT_EQ(r.custom_claims[1].second, R"([ "admin" , {"x":1} ])");
  EXPECT_EQ(r.custom_claims[2].first, "n");
  EXPECT_EQ(r.custom_claims[2].second, "-0.5e2");

  // Reusing the result for another token leaves nothing of the first behind.
  verifier(keys_, p).verify_at(token(R"({"exp":20})"), 30, r);
  EXPECT_EQ(r.code, status::expired);
  EXPECT_FALSE(r.iss || r.sub || r.jti || r.has_aud || r.nbf || r.iat);
  EXPECT_TRUE(r.custom_claims.empty());
  EXPECT_EQ(r.exp, 20.0);  // claims of a verified-but-expired token are reported
}

TEST_F(ClaimsTest, PayloadMustBeOneStrictObject) {
  const policy p;
  EXPECT_EQ(at(p, "[]", 0), status::bad_json);
  EXPECT_EQ(at(p, "", 0), status::bad_json);
  EXPECT_EQ(at(p, "Payload", 0), status::bad_json);
  EXPECT_EQ(at(p, R"({"a":1} {"b":2})", 0), status::bad_json);
  EXPECT_EQ(at(p, "\xEF\xBB\xBF{}", 0), status::bad_json);
  EXPECT_EQ(at(p, "{\"a\":\"\xFF\"}", 0), status::bad_json);
  EXPECT_EQ(at(p, R"({"exp":1,"e\u0078p":2})", 0), status::duplicate_member);
  EXPECT_EQ(at(p, R"({"x":{"y":1,"y":1}})", 0), status::duplicate_member);
  policy shallow;
  shallow.limits.max_json_depth = 3;
  EXPECT_EQ(at(shallow, R"({"a":[[1]]})", 0), status::ok);
  EXPECT_EQ(at(shallow, R"({"a":[[[1]]]})", 0), status::json_limit_exceeded);
}

TEST_F(ClaimsTest, TypAndAllowList) {
  policy p;
  p.accepted_typs = {"JWT"};
  const auto with_typ = [&](std::string_view typ) {
    result r;
    verifier(keys_, p).verify_at(
        token("{}", R"({"alg":"HS256","kid":"k","typ":")" + std::string(typ) + "\"}"), 0, r);
    return r.code;
  };
  EXPECT_EQ(with_typ("JWT"), status::ok);
  EXPECT_EQ(with_typ("jwt"), status::ok);
  EXPECT_EQ(with_typ("application/jwt"), status::ok);
  EXPECT_EQ(with_typ("at+jwt"), status::typ_mismatch);
  EXPECT_EQ(at(p, "{}", 0), status::ok);  // sign_compact's default header has typ JWT
  p.typ_required = true;
  result r;
  verifier(keys_, p).verify_at(token("{}", R"({"alg":"HS256","kid":"k"})"), 0, r);
  EXPECT_EQ(r.code, status::typ_mismatch);

  policy only_rs;
  only_rs.allowed_algs = {alg::rs256};
  EXPECT_EQ(at(only_rs, "{}", 0), status::alg_not_allowed);
}

}  // namespace
}  // namespace jwtbatch
