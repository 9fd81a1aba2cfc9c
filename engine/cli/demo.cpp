#include "demo.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/core.h>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/base64url.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/status.hpp"
#include "jwtbatch/verifier.hpp"
#include "record.hpp"

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

// The RFC 7515 Appendix A public keys (test keys, never for production), with kids.
constexpr std::array<const char*, 4> k_rfc_keys = {
    R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcg)"
    R"(UuTwjAzZr1Z9CAow","kid":"hs"})",
    R"({"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4)"
    R"(qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OM)"
    R"(g0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3)"
    R"(qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4F)"
    R"(RWyuXpoQ","e":"AQAB","kid":"rsa"})",
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu)"
    R"(9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"p256"})",
    R"({"kty":"EC","crv":"P-521","x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_N)"
    R"(jFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk","y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1)"
    R"(WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2","kid":"p521"})",
};

std::shared_ptr<const key_set> rfc_keys() {
  key_set_builder builder;
  // The RFC examples are HMAC and public-key tokens checked by one set; every key is
  // still bound to its own algorithms.
  builder.allow_mixed_key_types();
  for (const char* jwk : k_rfc_keys) builder.add_jwks(jwk, "RFC 7515 Appendix A");
  return builder.build();
}

// A compact token whose header is `header_json` (encoded here), with a fixed body.
std::string with_header(std::string_view header_json) {
  return base64url_encode(header_json) + ".eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl";
}

std::vector<demo_token> demo_tokens() {
  std::vector<demo_token> tokens;
  // A.4's payload is the text "Payload": a valid JWS, but not a JWT claims set.
  const std::array<status, 5> rfc_expected = {status::ok, status::ok, status::ok, status::bad_json,
                                              status::alg_none};
  for (std::size_t i = 0; i < k_rfc_examples.size(); ++i) {
    tokens.push_back({k_rfc_examples[i].name, k_rfc_examples[i].token, rfc_expected[i]});
  }
  std::string tampered = k_rfc_examples[0].token;  // A.1 with "joe" changed to "jod"
  tampered.replace(tampered.find("eyJpc3MiOiJqb2Ui"), 16, "eyJpc3MiOiJqb2Qi");
  tokens.push_back({"A.1-tampered-payload", tampered, status::bad_signature});
  std::string truncated = k_rfc_examples[0].token;
  truncated.resize(truncated.size() - 3);  // 40 characters: a whole 30-byte MAC
  tokens.push_back({"A.1-truncated-mac", truncated, status::bad_signature_length});
  tokens.push_back({"A.1-checked-a-day-later", k_rfc_examples[0].token, status::expired});
  tokens.push_back({"unknown-kid", with_header(R"({"alg":"ES256","kid":"2026-11 rotation"})"),
                    status::key_not_found});
  tokens.push_back({"hs256-naming-rsa-key", with_header(R"({"alg":"HS256","kid":"rsa"})"),
                    status::alg_key_mismatch});
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
  // The RFC examples expire at 1300819380 (2011-03-22T18:43:00Z): evaluate them a
  // minute before, as an audit of a 2011 log would; one token is also checked a day
  // later.
  constexpr double k_when_logged = 1300819320;
  constexpr double k_day_later = k_when_logged + 86400;
  const verifier verify(rfc_keys());
  std::map<std::string, std::size_t> by_class;
  std::size_t unexpected = 0;
  std::string line;
  result r;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const demo_token& t = tokens[i];
    const bool later = t.name == "A.1-checked-a-day-later";
    verify.verify_at(t.token, later ? k_day_later : k_when_logged, r);
    const status st = r.code;

    line.clear();
    record_origin origin;
    origin.line = i + 1;
    origin.name = t.name;
    append_record(line, origin, r);
    if (std::fputs(line.c_str(), out) == EOF) {
      throw std::system_error(errno, std::generic_category(), "standard output: write failed");
    }
    ++by_class[std::string(class_name(st))];
    if (st != t.expected) {
      ++unexpected;
      fmt::print(summary, "demo: token {} ({}): got {}, expected {}\n", i + 1, t.name,
                 status_name(st), status_name(t.expected));
    }
  }
  // The records fit in stdio's buffer, so a full disk or a file size limit shows only
  // here: check it, or the demo would report success over a lost output. main ends
  // quietly on EPIPE (a closed pipe, `| head`) and reports anything else.
  if (std::fflush(out) != 0) {
    throw std::system_error(errno, std::generic_category(), "standard output: write failed");
  }
  fmt::print(summary, "\njwtbatch demo: {} tokens through the whole verify path\n", tokens.size());
  for (const auto& [cls, count] : by_class) fmt::print(summary, "  {:<10} {:>4}\n", cls, count);
  fmt::print(summary,
             "'ok' means: signature verified with a trusted key, and the claims were valid at "
             "the token's evaluation time.\n");
  fmt::print(summary, "{}\n",
             unexpected == 0 ? "every verdict as expected"
                             : "SOME VERDICTS DIFFER FROM THE EXPECTED ONES");
  return unexpected == 0 ? 0 : 1;
}

}  // namespace jwtbatch::cli
