// Every status in the taxonomy is produced by a real input through the stages built
// so far (STYLE.md: "Every value is produced by at least one test"). A new status
// fails this test until an input that produces it is added below.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "base64url.hpp"
#include "compact.hpp"
#include "header.hpp"
#include "test_support.hpp"

namespace jwtbatch {
namespace {

std::string with_header(std::string_view json) {
  return detail::base64url_encode(json) + ".e30.c2ln";
}

status run_stages(std::string_view token, detail::header_scratch& scratch) {
  detail::compact_parts parts;
  status st = detail::split_compact(token, detail::k_default_max_token_bytes, parts);
  if (st != status::ok) return st;
  detail::jose_header header;
  return detail::parse_header(parts.header, scratch, header);
}

TEST(Taxonomy, EveryStatusIsProducedByAnInput) {
  const std::map<status, std::string> examples = {
      {status::ok, with_header(R"({"alg":"EdDSA"})")},
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
  };
  detail::header_scratch scratch;
  std::set<status> produced;
  for (const auto& [expected, token] : examples) {
    const status got = run_stages(token, scratch);
    EXPECT_EQ(got, expected) << token;
    produced.insert(got);
  }
  for (status s : all_statuses()) {
    EXPECT_TRUE(produced.count(s) != 0) << "no input produces " << status_name(s);
  }
}

}  // namespace
}  // namespace jwtbatch
