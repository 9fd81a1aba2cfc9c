#include "jwtbatch/policy.hpp"

#include <cmath>
#include <string>

namespace jwtbatch {

void validate(const policy& p) {
  if (p.leeway_seconds < 0 || p.leeway_seconds > max_leeway_seconds) {
    // More than a day would turn expired tokens into valid ones.
    throw config_error("policy: leeway_seconds must be 0 to " + std::to_string(max_leeway_seconds) +
                       " (one day), got " + std::to_string(p.leeway_seconds));
  }
  if (p.limits.max_token_bytes == 0 || p.limits.max_token_bytes > max_token_bytes_limit) {
    throw config_error("policy: limits.max_token_bytes must be 1 to " +
                       std::to_string(max_token_bytes_limit) + ", got " +
                       std::to_string(p.limits.max_token_bytes));
  }
  if (p.limits.max_json_depth == 0 || p.limits.max_json_depth > max_json_depth_limit) {
    throw config_error("policy: limits.max_json_depth must be 1 to " +
                       std::to_string(max_json_depth_limit) + ", got " +
                       std::to_string(p.limits.max_json_depth));
  }
  if (p.max_age_seconds && *p.max_age_seconds < 0) {
    throw config_error("policy: max_age_seconds must be >= 0, got " +
                       std::to_string(*p.max_age_seconds));
  }
  if (p.fixed_time && !std::isfinite(*p.fixed_time)) {
    // NaN would make every time comparison false: nothing would ever expire.
    throw config_error("policy: fixed_time must be a finite Unix time");
  }
  if (p.required_claims.size() > max_required_claims) {
    // result::detail names the first missing one from a 64-bit mask of those seen.
    throw config_error("policy: at most " + std::to_string(max_required_claims) +
                       " required claims");
  }
}

}  // namespace jwtbatch
