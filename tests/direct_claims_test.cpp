// The one-pass claims reader (jose/direct_claims.hpp): which payloads it reads itself,
// and that every payload gets the same result and verdict with it as without it (the
// general walk alone), over hand-picked payloads and a mutated corpus.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/access.hpp"
#include "jose/claims.hpp"
#include "jose/direct_claims.hpp"
#include "jose/prepared_policy.hpp"
#include "jwtbatch/base64url.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "result_compare.hpp"

namespace jwtbatch::detail {
namespace {

constexpr double k_now = 1700000000;

const std::string k_typical =
    R"({"iss":"https://issuer.example","sub":"user-1234567890","aud":["api.example",)"
    R"("billing.example"],"iat":1700000000,"nbf":1700000000,"exp":1700003600,)"
    R"("jti":"4f1c2a9e-8f0b-4b6e-9d3a-2c5f1e7a9b0d","scope":"read:orders write:orders",)"
    R"("tenant":"acme","roles":["admin","auditor"],"email_verified":true})";

policy make_policy() {
  policy p;
  p.issuers = {"https://issuer.example"};
  p.audiences = {"api.example"};
  p.required_claims = {"sub", "exp", "tenant"};
  p.returned_claims = {"scope", "roles", "n", "realm", "iss"};
  p.limits.max_json_depth = 4;
  p.limits.max_members = 12;
  p.limits.max_array_elements = 5;
  p.limits.max_string_bytes = 40;
  return p;
}

// Everything a payload check yields; the result's views point into its own buffer.
struct outcome {
  status code = status::ok;
  claims_verdict verdict;
  result r;
};

class DirectClaimsTest : public ::testing::Test {
 protected:
  outcome check(std::string_view payload, bool direct) {
    scratch_.direct = direct;
    outcome o;
    access::reserve(o.r, payload.size() + pp_.name_room);
    o.code = check_claims(base64url_encode(payload), pp_, k_now, scratch_, o.r, o.verdict);
    return o;
  }
  // Whether the direct reader reads `payload` by itself.
  bool direct_reads(std::string_view payload) {
    payload_facts f;
    std::vector<std::string_view> aud;
    f.aud = &aud;
    scratch_.members.clear();
    scratch_.custom.clear();
    return read_claims_direct(payload, pp_.source, pp_.limits, scratch_, f);
  }
  // The same outcome with the direct reader as with the general walk alone.
  void expect_same(std::string_view payload) {
    const outcome general = check(payload, false);
    const outcome with_direct = check(payload, true);
    const std::string where(payload);
    EXPECT_EQ(general.code, with_direct.code) << where;
    EXPECT_EQ(general.verdict.before_time, with_direct.verdict.before_time) << where;
    EXPECT_EQ(general.verdict.after_time, with_direct.verdict.after_time) << where;
    EXPECT_EQ(general.verdict.after_detail, with_direct.verdict.after_detail) << where;
    test::expect_same_result(general.r, with_direct.r, where);
  }

  prepared_policy pp_{make_policy()};
  claims_scratch scratch_;
};

TEST_F(DirectClaimsTest, ReadsTheCommonShapes) {
  for (const std::string_view payload : {
           std::string_view(k_typical),
           std::string_view("{}"),
           std::string_view(" {\t\"iss\" :\n\"a\" , \"exp\":1700000000 }\r\n"),
           std::string_view(R"({"aud":[],"exp":0,"nbf":999999999999999})"),
           std::string_view(R"({"aud":"api.example","sub":"","jti":"x"})"),
           std::string_view(R"({"realm":{"roles":["a","b"],"n":{"x":null}},"scope":"read"})"),
           std::string_view(R"({"n":-1.5e+3,"m":0,"k":[1,2.0,3E9,-0],"t":true,"f":false})"),
           std::string_view(R"({"e":{},"a":[],"aa":[[],[{}]]})"),
       }) {
    EXPECT_TRUE(direct_reads(payload)) << payload;
    expect_same(payload);
  }
  // The facts it finds, exactly.
  using claims = std::vector<std::pair<std::string_view, std::string_view>>;
  const outcome o = check(k_typical, true);
  EXPECT_EQ(o.code, status::ok);
  EXPECT_EQ(o.r.iss, "https://issuer.example");
  EXPECT_EQ(o.r.sub, "user-1234567890");
  EXPECT_EQ(o.r.jti, "4f1c2a9e-8f0b-4b6e-9d3a-2c5f1e7a9b0d");
  EXPECT_EQ(o.r.aud, (std::vector<std::string_view>{"api.example", "billing.example"}));
  EXPECT_EQ(o.r.exp, 1700003600.0);
  EXPECT_EQ(o.r.nbf, 1700000000.0);
  EXPECT_EQ(o.r.iat, 1700000000.0);
  // In policy order; iss is registered, so never a custom claim.
  EXPECT_EQ(o.r.custom_claims, (claims{{"scope", R"("read:orders write:orders")"},
                                       {"roles", R"(["admin","auditor"])"}}));
  const outcome nested = check(R"({"n":-1.5e+3,"realm":{"r":[1, 2]} ,"tenant":"t"})", true);
  EXPECT_EQ(nested.r.custom_claims, (claims{{"n", "-1.5e+3"}, {"realm", R"({"r":[1, 2]})"}}));
}

TEST_F(DirectClaimsTest, LeavesEverythingElseToTheGeneralWalk) {
  const std::string deep = std::string(20, '[') + std::string(20, ']');
  for (const std::string& payload : std::vector<std::string>{
           // Valid, but outside the common shape.
           R"({"iss":"a\/b"})",
           "{\"name\":\"\xC3\xA9\"}",
           R"({"exp":1.5})",
           R"({"exp":1e9})",
           R"({"exp":-1})",
           R"({"exp":1234567890123456})",
           R"({"iss":5})",
           R"({"aud":["a",1]})",
           R"({"aud":{"a":1}})",
           R"({"a\u0062":1})",
           // Invalid: the general walk names the failure.
           R"({"a":1,"a":2})",
           R"({"o":{"k":1,"k":2}})",
           R"({"a":01})",
           R"({"a":tru})",
           R"({"a":1,})",
           R"({"a":[1,]})",
           R"({"a":1} x)",
           R"([1])",
           R"({"a" 1})",
           R"({"a":"x)",
           "{\"a\":\"\x01\"}",
           // Beyond the limits (4 levels, 12 members, 5 elements, 40-byte strings).
           R"({"a":[[[[1]]]]})",
           R"({"a":[1,2,3,4,5,6]})",
           R"({"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1})",
           R"({"iss":"0123456789012345678901234567890123456789x"})",
           R"({"0123456789012345678901234567890123456789x":1})",
           "{\"d\":" + deep + "}",
       }) {
    EXPECT_FALSE(direct_reads(payload)) << payload;
    expect_same(payload);
  }
  // aud's array is a claim, not nesting: allowed at any depth limit, as in the walk.
  EXPECT_EQ(check(R"({"aud":["api.example"],"sub":"s","exp":1700003600,"tenant":"t",)"
                  R"("iss":"https://issuer.example"})",
                  true)
                .code,
            status::ok);
}

// Random mutations of realistic payloads: the direct reader may take or leave each
// one, and the outcome must not depend on it.
TEST_F(DirectClaimsTest, MutatedPayloadsGetTheGeneralWalksOutcome) {
  const std::vector<std::string> seeds = {
      k_typical,
      R"({"iss":"https://issuer.example","sub":"s","tenant":"t","exp":1700003600,)"
      R"("realm":{"roles":["a","b"],"n":{"x":null}},"n":[1,-2.5e3,true,false,null],"aud":"api.example"})",
  };
  const std::string alphabet = R"({}[]:,"\ 0123456789.eE+-truefalsn\/ubx)";
  std::mt19937 rng(20261202);
  std::size_t direct = 0;
  const int rounds = 20000;
  for (int i = 0; i < rounds; ++i) {
    std::string s = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (s.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (at < s.size()) s[at] = c;
          break;
        case 1:
          s.insert(at, 1, c);
          break;
        default:
          if (at < s.size()) s.erase(at, 1);
          break;
      }
    }
    if (direct_reads(s)) ++direct;
    expect_same(s);
    if (HasFailure()) return;
  }
  // Both readers were exercised: many mutants stay valid, many do not.
  EXPECT_GT(direct, static_cast<std::size_t>(rounds / 10));
  EXPECT_LT(direct, static_cast<std::size_t>(rounds * 9 / 10));
}

}  // namespace
}  // namespace jwtbatch::detail
