#include "jose/prepared_policy.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace jwtbatch::detail {

double unix_now() noexcept {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

prepared_policy::prepared_policy(policy p) : source(std::move(p)) {
  validate(source);
  limits = json_limits{.max_depth = source.limits.max_json_depth,
                       .max_members = source.limits.max_members,
                       .max_elements = source.limits.max_array_elements,
                       .max_string_bytes = source.limits.max_string_bytes};
  leeway = static_cast<double>(source.leeway_seconds);
  if (source.max_age_seconds) max_age = static_cast<double>(*source.max_age_seconds);
  for (const auto& n : source.returned_claims) name_room += n.size();
  std::size_t longest_required = 0;
  for (const auto& n : source.required_claims) {
    longest_required = std::max(longest_required, n.size());
  }
  name_room += longest_required;
  // validate() bounds required_claims to 64.
  required_all = source.required_claims.size() == 64
                     ? ~std::uint64_t{0}
                     : (std::uint64_t{1} << source.required_claims.size()) - 1U;
}

}  // namespace jwtbatch::detail
