// prepared_policy.hpp: a policy validated once, with the facts every token needs
// derived from it once (the verifier builds one at construction; one token's way and
// the cache read only this).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "codec/json_walk.hpp"
#include "jwtbatch/policy.hpp"

namespace jwtbatch::detail {

// The current time as Unix seconds.
[[nodiscard]] double unix_now() noexcept;

struct prepared_policy {
  // Throws config_error for a policy outside its bounds (jwtbatch::validate).
  explicit prepared_policy(policy p);

  policy source;  // the policy as configured

  // The payload walk's bounds (source.limits without the token size).
  json_limits limits;
  // source.leeway_seconds and max_age_seconds as the time checks compare them.
  double leeway = 0;
  std::optional<double> max_age;
  // Bytes a result may have to keep beyond the token's own (whose decoded segments
  // are shorter than it): the names of the returned claims, and the longest required
  // claim's name (result::detail of missing_claim).
  std::size_t name_room = 0;
  // The bit of every required claim (bit i: required_claims[i]): a payload that holds
  // them all is known complete without looking for the first missing one.
  std::uint64_t required_all = 0;

  // The evaluation time of a call without its own: the fixed time, else the clock.
  [[nodiscard]] double evaluation_time() const noexcept {
    return source.fixed_time ? *source.fixed_time : unix_now();
  }
};

}  // namespace jwtbatch::detail
