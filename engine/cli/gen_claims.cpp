#include "gen_claims.hpp"

#include <array>
#include <cstdio>
#include <string_view>

#include "gen_signers.hpp"

namespace jwtbatch::cli::gen_parts {
namespace {

constexpr std::array<std::string_view, 6> k_scopes = {"orders:read",  "orders:read orders:write",
                                                      "profile:read", "profile:read email",
                                                      "reports:read", "orders:read payments:write"};
constexpr std::array<std::string_view, 4> k_clients = {"web-portal", "mobile-ios", "mobile-android",
                                                       "partner-sync"};
constexpr std::array<std::string_view, 4> k_roles = {R"(["viewer"])", R"(["viewer","editor"])",
                                                     R"(["editor"])", R"(["viewer","billing"])"};

}  // namespace

std::string claims::json(const gen_options& o) const {
  std::string s = R"({"iss":)" + json_str(o.issuer) + R"(,"sub":)" + json_str(sub) + R"(,"aud":)" +
                  json_str(o.audience) + R"(,"exp":)" + std::to_string(exp) + R"(,"nbf":)" +
                  std::to_string(nbf) + R"(,"iat":)" + std::to_string(iat) + R"(,"jti":)" +
                  json_str(jti) + R"(,"scope":)" + json_str(scope) + R"(,"client_id":)" +
                  json_str(client) + R"(,"tenant":)" + json_str(tenant) + R"(,"roles":)" + roles +
                  R"(,"sid":)" + json_str(sid) + R"(,"email_verified":true,"amr":["pwd","otp"])";
  return s + extra + "}";
}

claims make_claims(prng& rng, std::size_t user, std::int64_t now_s, bool expired) {
  claims c;
  char buf[32];
  std::snprintf(buf, sizeof buf, "user-%05zu", user);
  c.sub = buf;
  if (expired) {
    c.exp = now_s - 1 - static_cast<std::int64_t>(rng.below(86400));
    c.iat = c.exp - k_lifetime_s;
  } else {
    c.iat = now_s - 1 - static_cast<std::int64_t>(rng.below(k_max_issue_lag_s));
    c.exp = c.iat + k_lifetime_s;
  }
  c.nbf = c.iat;
  c.jti = b64(rng.bytes(16));
  c.scope = std::string(rng.pick(k_scopes));
  c.client = std::string(rng.pick(k_clients));
  std::snprintf(buf, sizeof buf, "t-%04zu", user % 97);
  c.tenant = buf;
  c.roles = std::string(rng.pick(k_roles));
  c.sid = hex(rng.bytes(8));
  return c;
}

}  // namespace jwtbatch::cli::gen_parts
