// gen_claims.hpp: the claims sets of `jwtbatch gen`: realistic payloads (about 330
// bytes: iss, sub, aud, exp/nbf/iat, jti, scope, client, tenant, roles, sid...) and
// their time windows (gen.hpp's time model).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "gen.hpp"
#include "gen_random.hpp"

namespace jwtbatch::cli::gen_parts {

inline constexpr std::int64_t k_lifetime_s = 3600;
inline constexpr std::int64_t k_max_issue_lag_s = 300;
inline constexpr std::size_t k_users = 5000;

struct claims {
  std::string sub, scope;
  std::int64_t iat = 0, nbf = 0, exp = 0;
  std::string jti, client, tenant, roles, sid;
  std::string extra;  // raw members appended at the end (hostile shapes), with comma

  // json returns the payload, issuer and audience from `o`, members in a fixed order.
  [[nodiscard]] std::string json(const gen_options& o) const;
};

// make_claims returns a claims set issued 1..300 s before `now_s` and valid for an
// hour; `expired` moves the whole window 1 s..1 day before now_s.
[[nodiscard]] claims make_claims(prng& rng, std::size_t user, std::int64_t now_s, bool expired);

}  // namespace jwtbatch::cli::gen_parts
