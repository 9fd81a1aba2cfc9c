#include "demo.hpp"

#include <array>
#include <map>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "base64url.hpp"
#include "compact.hpp"
#include "header.hpp"
#include "json_out.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::cli {
namespace {

struct demo_token {
  std::string name;
  std::string token;
  status expected;
};

struct rfc_example {
  const char* name;
  const char* token;
};

// RFC 7515 Appendix A.1-A.5, verbatim.
constexpr std::array<rfc_example, 5> k_rfc_examples = {{
    // rfc7515-A.1
    {"rfc7515-A.1",
     "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTk"
     "zODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbU"
     "JU1p1r_wW1gFWFOEjXk"},
    // rfc7515-A.2
    {"rfc7515-A.2",
     "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9"
     "leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2Vt"
     "Qgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKB"
     "YNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN"
     "9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI"
     "8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"},
    // rfc7515-A.3
    {"rfc7515-A.3",
     "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9"
     "leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXF"
     "CgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"},
    // rfc7515-A.4
    {"rfc7515-A.4",
     "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOY"
     "aRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp"
     "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn"},
    // rfc7515-A.5
    {"rfc7515-A.5",
     "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9l"
     "eGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."},

}};

// A compact token whose header is `header_json` (encoded here), with a fixed body.
std::string with_header(std::string_view header_json) {
  return detail::base64url_encode(header_json) + ".eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl";
}

std::vector<demo_token> demo_tokens() {
  std::vector<demo_token> tokens;
  const std::array<status, 5> rfc_expected = {status::ok, status::ok, status::ok, status::ok,
                                              status::alg_none};
  for (std::size_t i = 0; i < k_rfc_examples.size(); ++i) {
    tokens.push_back({k_rfc_examples[i].name, k_rfc_examples[i].token, rfc_expected[i]});
  }
  tokens.push_back(
      {"kid-header", with_header(R"({"alg":"PS256","kid":"2026-11 rotation"})"), status::ok});
  tokens.push_back({"alg-none-escaped", with_header(R"({"alg":"\u006eone"})"), status::alg_none});
  tokens.push_back({"duplicate-alg", with_header(R"({"alg":"HS256","\u0061lg":"none"})"),
                    status::duplicate_member});
  tokens.push_back({"crit-extension", with_header(R"({"alg":"ES256","crit":["exp"],"exp":1})"),
                    status::crit_unsupported});
  tokens.push_back(
      {"zip-bomb", with_header(R"({"alg":"HS256","zip":"DEF"})"), status::zip_unsupported});
  tokens.push_back(
      {"padded-base64", with_header(R"({"alg":"HS256"})").insert(20, "="), status::bad_base64});
  tokens.push_back({"jwe-compact", "eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn",
                    status::unsupported_serialization});
  tokens.push_back({"dots-only", std::string(100000, '.'), status::token_too_large});
  return tokens;
}

}  // namespace

int run_demo(std::FILE* out, std::FILE* summary) {
  const std::vector<demo_token> tokens = demo_tokens();
  detail::header_scratch scratch;
  std::map<std::string, std::size_t> by_class;
  std::size_t unexpected = 0;
  std::string line;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const demo_token& t = tokens[i];
    detail::compact_parts parts;
    detail::jose_header header;
    status st = detail::split_compact(t.token, detail::k_default_max_token_bytes, parts);
    if (st == status::ok) st = detail::parse_header(parts.header, scratch, header);

    line = fmt::format(R"({{"line":{},"name":)", i + 1);
    detail::append_json_string(line, t.name);
    line += fmt::format(R"(,"status":"{}","class":"{}")", status_name(st), class_name(st));
    if (st == status::ok) {
      line += fmt::format(R"(,"alg":"{}")", alg_name(header.algorithm));
      if (header.has_kid) {
        line += R"(,"kid":)";
        detail::append_json_string(line, header.kid);
      }
    }
    line += "}\n";
    if (std::fputs(line.c_str(), out) == EOF) {
      fmt::print(summary, "demo: cannot write the output\n");
      return 1;
    }
    ++by_class[std::string(class_name(st))];
    if (st != t.expected) {
      ++unexpected;
      fmt::print(summary, "demo: token {} ({}): got {}, expected {}\n", i + 1, t.name,
                 status_name(st), status_name(t.expected));
    }
  }
  fmt::print(summary, "\njwtbatch demo: {} tokens through size -> split -> header\n",
             tokens.size());
  for (const auto& [cls, count] : by_class) fmt::print(summary, "  {:<10} {:>4}\n", cls, count);
  fmt::print(summary,
             "Signature and claims checks are not built yet: 'ok' here means the token's "
             "structure and header are acceptable, not that it is genuine.\n");
  fmt::print(summary, "{}\n",
             unexpected == 0 ? "every verdict as expected"
                             : "SOME VERDICTS DIFFER FROM THE EXPECTED ONES");
  return unexpected == 0 ? 0 : 1;
}

}  // namespace jwtbatch::cli
