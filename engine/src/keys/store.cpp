#include "keys/store.hpp"

namespace jwtbatch::detail {

key_store::key_store(std::vector<key> keys) : keys_(std::move(keys)) {
  for (std::uint32_t i = 0; i < keys_.size(); ++i) {
    const key& k = keys_[i];
    if (k.has_kid) by_kid_.emplace(k.kid, i);
    for (alg a : all_algs()) {
      if (!has_alg(k.algs, a)) continue;
      const auto slot = static_cast<std::size_t>(a);
      if (count_by_alg_[slot]++ == 0) first_by_alg_[slot] = i;
    }
  }
}

status key_store::select(alg a, std::optional<std::string_view> kid, bool require_kid,
                         const key** out) const noexcept {
  if (kid) {
    // kid is an opaque, exact-bytes map key (docs/SECURITY.md S4): no trimming, no case
    // folding, NUL is just a byte.
    const auto it = by_kid_.find(*kid);
    if (it == by_kid_.end()) return status::key_not_found;
    const key& k = keys_[it->second];
    if (!has_alg(k.algs, a)) return status::alg_key_mismatch;
    *out = &k;
    return status::ok;
  }
  if (require_kid) return status::kid_missing;
  const auto slot = static_cast<std::size_t>(a);
  if (count_by_alg_[slot] == 0) return status::key_not_found;
  if (count_by_alg_[slot] > 1) return status::key_ambiguous;
  *out = &keys_[first_by_alg_[slot]];
  return status::ok;
}

}  // namespace jwtbatch::detail
