#include "jose/header.hpp"

#include <gtest/gtest.h>

#include <string>

#include "codec/base64url.hpp"
#include "test_support.hpp"

namespace jwtbatch::detail {
namespace {

using namespace std::string_literals;

class HeaderTest : public ::testing::Test {
 protected:
  // Parses raw header JSON (encoded here) with the fixture's reused scratch.
  status parse_json(const std::string& json) { return parse_segment(base64url_encode(json)); }
  status parse_segment(const std::string& segment) {
    return parse_header(segment, scratch_, header_);
  }

  header_scratch scratch_;
  jose_header header_;
};

TEST_F(HeaderTest, Rfc7515A1Header) {
  // RFC 7515 §A.1.1: the header segment exactly as the RFC prints it (CRLF inside).
  ASSERT_EQ(parse_segment("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"), status::ok);
  EXPECT_EQ(header_.algorithm, alg::hs256);
  EXPECT_TRUE(header_.has_typ);
  EXPECT_EQ(header_.typ, "JWT");
  EXPECT_FALSE(header_.has_kid);
  EXPECT_FALSE(header_.has_cty);
}

TEST_F(HeaderTest, ReadsEveryAlgorithm) {
  for (alg a : all_algs()) {
    ASSERT_EQ(parse_json(R"({"alg":")" + std::string(alg_name(a)) + R"("})"), status::ok)
        << alg_name(a);
    EXPECT_EQ(header_.algorithm, a);
  }
}

TEST_F(HeaderTest, StringsAreUnescaped) {
  ASSERT_EQ(parse_json(R"({"\u0061lg":"RS256","kid":"a\/b\u0041\u00e9","cty":"text\/plain"})"),
            status::ok);
  EXPECT_EQ(header_.algorithm, alg::rs256);
  EXPECT_EQ(header_.kid, "a/bA\xC3\xA9");
  EXPECT_EQ(header_.cty, "text/plain");
}

TEST_F(HeaderTest, KidKeepsEmbeddedNul) {
  ASSERT_EQ(parse_json(R"({"alg":"HS256","kid":"k\u0000../x"})"), status::ok);
  EXPECT_EQ(header_.kid, "k\0../x"s);
  EXPECT_EQ(header_.kid.size(), 6U);
}

TEST_F(HeaderTest, WhitespaceAndUnknownMembersAreFine) {
  ASSERT_EQ(parse_json(" \t\r\n{ \"alg\" : \"ES256\" , \"x\": [1, 2.5e3, true, false, null, "
                       "{\"y\": \"z\"}], \"n\": -0.0 } \n"),
            status::ok);
  EXPECT_EQ(header_.algorithm, alg::es256);
}

TEST_F(HeaderTest, KeyCarryingParametersAreRecordedNotUsed) {
  ASSERT_EQ(parse_json(R"({"alg":"RS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"},)"
                       R"("jku":"https://attacker.example/jwks","x5u":"https://a.example/c",)"
                       R"("x5c":["MIIB"],"x5t":"abc","x5t#S256":"def"})"),
            status::ok);
  EXPECT_TRUE(header_.has_jwk);
  EXPECT_TRUE(header_.has_jku);
  EXPECT_TRUE(header_.has_x5u);
  EXPECT_TRUE(header_.has_x5c);
  ASSERT_EQ(parse_json(R"({"alg":"RS256"})"), status::ok);
  EXPECT_FALSE(header_.has_jwk || header_.has_jku || header_.has_x5u || header_.has_x5c);
}

TEST_F(HeaderTest, BadBase64) {
  EXPECT_EQ(parse_segment("eyJhbGciOiJIUzI1NiJ9="), status::bad_base64);  // padding
  EXPECT_EQ(parse_segment("eyJhbGciOiJIUzI1NiJ9 "), status::bad_base64);
  EXPECT_EQ(parse_segment(" eyJhbGciOiJIUzI1NiJ9"), status::bad_base64);
  EXPECT_EQ(parse_segment("eyJhbGciOiJIUzI1NiJ+"), status::bad_base64);
  EXPECT_EQ(parse_segment("eyJhbGciOiJIUzI1NiJ9a"), status::bad_base64);  // len = 1 mod 4
  // Non-zero unused bits in the last character: a second spelling of the same bytes.
  const std::string canonical = base64url_encode(R"({"alg":"HS256" })");  // 22 chars
  ASSERT_EQ(canonical.size() % 4, 2U);
  ASSERT_EQ(parse_segment(canonical), status::ok);
  std::string second_spelling = canonical;
  second_spelling.back() = static_cast<char>(second_spelling.back() + 1);  // 'Q' -> 'R'
  EXPECT_EQ(parse_segment(second_spelling), status::bad_base64);
}

TEST_F(HeaderTest, BadJson) {
  for (const std::string& json : {""s,
                                  " "s,
                                  "[]"s,
                                  R"("alg")"s,
                                  "null"s,
                                  "42"s,
                                  R"({"alg":"HS256")"s,
                                  R"({"alg":"HS256"} x)"s,
                                  R"({"alg":"HS256"}{})"s,
                                  R"({"alg":"HS256"},)"s,
                                  "\xEF\xBB\xBF{\"alg\":\"HS256\"}"s,
                                  R"({"alg":"HS256",})"s,
                                  R"({'alg':'HS256'})"s,
                                  R"({"alg":"HS256","x":tru})"s,
                                  R"({"alg":"HS256","x":01})"s,
                                  R"({"alg":"HS256","x":NaN})"s,
                                  R"({"alg":"HS256","x":"\ud800"})"s,
                                  R"({"alg":"HS256","x":"\q"})"s,
                                  "{\"alg\":\"HS256\",\"x\":\"a\x01\"}"s,
                                  "{\"alg\":\"HS\xFF\"}"s,
                                  "{\"alg\":\"HS256\",\"x\":\"\xC0\xAF\"}"s,
                                  "{\"alg\":\"HS256\",\"x\":\"\xED\xA0\x80\"}"s,
                                  R"({"alg":"HS256","x":[1,]})"s,
                                  R"({"alg":"HS256","x":{"a"}})"s}) {
    EXPECT_EQ(parse_json(json), status::bad_json) << json;
  }
}

TEST_F(HeaderTest, DuplicateMembersAfterUnescaping) {
  EXPECT_EQ(parse_json(R"({"alg":"HS256","alg":"HS256"})"), status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","\u0061lg":"none"})"), status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","kid":"a","kid":"b"})"), status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","x":{"a":1,"a":2}})"), status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","jwk":{"kty":"RSA","kt\u0079":"EC"}})"),
            status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","x":[{"a":1,"a":1}]})"), status::duplicate_member);
  // The same name in different objects is not a duplicate.
  EXPECT_EQ(parse_json(R"({"alg":"HS256","x":{"a":1},"y":{"a":1},"z":{"alg":"none"}})"),
            status::ok);
}

TEST_F(HeaderTest, DuplicatesInLargeObjectsUseTheHashIndex) {
  std::string json = R"({"alg":"HS256")";
  for (int i = 0; i < 60; ++i) json += ",\"m" + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_EQ(parse_json(json + "}"), status::ok);
  EXPECT_EQ(parse_json(json + R"(,"m\u0033":0})"), status::duplicate_member);  // "m3" again
  EXPECT_EQ(parse_json(json + R"(,"m59":0})"), status::duplicate_member);
}

TEST_F(HeaderTest, Limits) {
  // Depth: the root object is 1; k_header_limits.max_depth = 8.
  const auto nested = [](int arrays) {
    return R"({"alg":"HS256","x":)" + std::string(static_cast<std::size_t>(arrays), '[') + "1" +
           std::string(static_cast<std::size_t>(arrays), ']') + "}";
  };
  EXPECT_EQ(parse_json(nested(7)), status::ok);
  EXPECT_EQ(parse_json(nested(8)), status::json_limit_exceeded);
  EXPECT_EQ(parse_json(nested(5000)), status::json_limit_exceeded);

  std::string members = R"({"alg":"HS256")";
  for (int i = 1; i < 64; ++i) members += ",\"m" + std::to_string(i) + "\":0";
  EXPECT_EQ(parse_json(members + "}"), status::ok);  // 64 members
  EXPECT_EQ(parse_json(members + R"(,"one_more":0})"), status::json_limit_exceeded);

  const std::string big(16 * 1024, 'a');
  EXPECT_EQ(parse_json(R"({"alg":"HS256","x":")" + big + "\"}"), status::ok);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","x":")" + big + "a\"}"), status::json_limit_exceeded);
  EXPECT_EQ(parse_json(R"({"alg":"HS256",")" + big + "a\":1}"), status::json_limit_exceeded);
}

TEST_F(HeaderTest, RegisteredMembersOfTheWrongType) {
  for (const std::string& json :
       {R"({"alg":null})"s, R"({"alg":256})"s, R"({"alg":["HS256"]})"s, R"({"alg":{"v":"HS256"}})"s,
        R"({"alg":"HS256","kid":7})"s, R"({"alg":"HS256","typ":1})"s,
        R"({"alg":"HS256","cty":true})"s, R"({"alg":"HS256","b64":"false"})"s,
        R"({"alg":"HS256","jwk":"key"})"s, R"({"alg":"HS256","jku":1})"s,
        R"({"alg":"HS256","x5c":"MIIB"})"s, R"({"alg":"HS256","x5c":[]})"s,
        R"({"alg":"HS256","x5c":[1]})"s, R"({"alg":"HS256","crit":"exp"})"s,
        R"({"alg":"HS256","crit":[1]})"s, R"({"alg":"HS256","zip":0})"s}) {
    EXPECT_EQ(parse_json(json), status::bad_member_type) << json;
  }
}

TEST_F(HeaderTest, CritShape) {
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":[]})"), status::bad_crit);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":["alg"]})"), status::bad_crit);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":["exp","kid"],"exp":1})"), status::bad_crit);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":["x5t#S256"]})"), status::bad_crit);
}

TEST_F(HeaderTest, AlgChecks) {
  EXPECT_EQ(parse_json("{}"), status::alg_missing);
  EXPECT_EQ(parse_json(R"({"typ":"JWT","kid":"k"})"), status::alg_missing);
  for (const std::string& json : {R"({"alg":"none"})"s, R"({"alg":"None"})"s, R"({"alg":"NONE"})"s,
                                  R"({"alg":"nOnE"})"s, R"({"alg":"\u006eone"})"s}) {
    EXPECT_EQ(parse_json(json), status::alg_none) << json;
  }
  for (const std::string& json :
       {R"({"alg":"hs256"})"s, R"({"alg":"HS256\u0000"})"s, R"({"alg":"HS256 "})"s,
        R"({"alg":"RSA1_5"})"s, R"({"alg":""})"s, R"({"alg":"none "})"s, R"({"alg":"ES256K"})"s}) {
    EXPECT_EQ(parse_json(json), status::alg_unsupported) << json;
  }
}

TEST_F(HeaderTest, CritIsNeverUnderstood) {
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":["exp"],"exp":1363284000})"),
            status::crit_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","b64":false,"crit":["b64"]})"), status::crit_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","crit":["urn:example:absent"]})"),
            status::crit_unsupported);
}

TEST_F(HeaderTest, UnsupportedProcessing) {
  EXPECT_EQ(parse_json(R"({"alg":"HS256","b64":false})"), status::b64_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","b64":true})"), status::b64_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","zip":"DEF"})"), status::zip_unsupported);
  for (const std::string& cty : {"JWT"s, "jwt"s, "application/jwt"s, "Application/JWT"s}) {
    EXPECT_EQ(parse_json(R"({"alg":"HS256","cty":")" + cty + "\"}"), status::nested_jwt_unsupported)
        << cty;
  }
  for (const std::string& cty : {"application/json"s, "jwt+json"s, "application/"s, "JW"s}) {
    EXPECT_EQ(parse_json(R"({"alg":"HS256","cty":")" + cty + "\"}"), status::ok) << cty;
  }
}

TEST_F(HeaderTest, FirstFailureDecides) {
  // JSON-level failures come before any header semantics.
  EXPECT_EQ(parse_json(R"({"alg":"none","alg":"none"})"), status::duplicate_member);
  EXPECT_EQ(parse_json(R"({"alg":"none","kid":1})"), status::bad_member_type);
  EXPECT_EQ(parse_json(R"({"alg":"none","crit":[]})"), status::bad_crit);
  EXPECT_EQ(parse_json(R"({"alg":"none"} x)"), status::bad_json);
  // Then alg, then crit, then the unsupported features in the documented order.
  EXPECT_EQ(parse_json(R"({"alg":"none","crit":["x"],"zip":"DEF"})"), status::alg_none);
  EXPECT_EQ(parse_json(R"({"alg":"HS1","crit":["x"]})"), status::alg_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","zip":"DEF","crit":["x"]})"), status::crit_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","zip":"DEF","b64":true})"), status::b64_unsupported);
  EXPECT_EQ(parse_json(R"({"alg":"HS256","cty":"JWT","zip":"DEF"})"), status::zip_unsupported);
}

TEST_F(HeaderTest, ScratchReuseLeavesNoTrace) {
  ASSERT_EQ(parse_json(R"({"alg":"ES512","kid":"first","typ":"JWT","cty":"x","jwk":{}})"),
            status::ok);
  ASSERT_EQ(parse_json(R"({"alg":"PS384"})"), status::ok);
  EXPECT_EQ(header_.algorithm, alg::ps384);
  EXPECT_FALSE(header_.has_kid || header_.has_typ || header_.has_cty || header_.has_jwk);
  // A failed parse followed by a good one: nothing of the failure remains.
  ASSERT_EQ(parse_json(R"({"alg":"HS256","x":{"a":1,"a":2}})"), status::duplicate_member);
  ASSERT_EQ(parse_json(R"({"alg":"HS384","x":{"a":1}})"), status::ok);
  EXPECT_EQ(header_.algorithm, alg::hs384);
}

TEST_F(HeaderTest, StatusDoesNotDependOnWhatThePreviousHeaderLeftBehind) {
  // Found by header_fuzzer: `{"alg":1}}` after a longer header whose byte at that
  // position was '}' used to give bad_json instead of bad_member_type.
  const std::string probe = R"({"alg":1}})";
  header_scratch fresh;
  jose_header h;
  const status expected = parse_header(base64url_encode(probe), fresh, h);
  EXPECT_EQ(expected, status::bad_member_type);
  // 11 bytes whose byte 10 is '}': exactly where the probe's padding starts.
  ASSERT_EQ(parse_json(R"({"alg":1  })"), status::bad_member_type);
  EXPECT_EQ(parse_json(probe), expected);
}

}  // namespace
}  // namespace jwtbatch::detail
