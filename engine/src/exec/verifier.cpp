#include "jwtbatch/verifier.hpp"

#include <atomic>
#include <cmath>
#include <string>

#include "exec/cache.hpp"
#include "token/verify.hpp"

namespace jwtbatch {

verifier::verifier(std::shared_ptr<const key_set> keys, policy p,
                   std::shared_ptr<token_cache> cache)
    : keys_(std::move(keys)), policy_(std::move(p)), cache_(std::move(cache)) {
  if (!keys_) throw config_error("verifier: no key set");
  // The bounds of policy.hpp: a derived fact of the configuration is checked once, here.
  if (policy_.leeway_seconds < 0 || policy_.leeway_seconds > max_leeway_seconds) {
    // More than a day would turn expired tokens into valid ones.
    throw config_error("policy: leeway_seconds must be 0 to " + std::to_string(max_leeway_seconds) +
                       " (one day), got " + std::to_string(policy_.leeway_seconds));
  }
  if (policy_.limits.max_token_bytes == 0 ||
      policy_.limits.max_token_bytes > max_token_bytes_limit) {
    throw config_error("policy: limits.max_token_bytes must be 1 to " +
                       std::to_string(max_token_bytes_limit) + ", got " +
                       std::to_string(policy_.limits.max_token_bytes));
  }
  if (policy_.max_age_seconds && *policy_.max_age_seconds < 0) {
    throw config_error("policy: max_age_seconds must be >= 0, got " +
                       std::to_string(*policy_.max_age_seconds));
  }
  if (policy_.fixed_time && !std::isfinite(*policy_.fixed_time)) {
    // NaN would make every time comparison false: nothing would ever expire.
    throw config_error("policy: fixed_time must be a finite Unix time");
  }
  if (policy_.required_claims.size() > 64) {
    throw config_error("policy: at most 64 required claims");
  }
  if (cache_) {
    static std::atomic<std::uint64_t> next_tag{1};
    cache_tag_ = next_tag.fetch_add(1, std::memory_order_relaxed);
    cache_->shards().adopt(cache_tag_);
  }
}

void verifier::verify(std::string_view token, result& out) const noexcept {
  verify_at(token, policy_.fixed_time ? *policy_.fixed_time : detail::unix_now(), out);
}

void verifier::verify_at(std::string_view token, double at, result& out) const noexcept {
  thread_local detail::verify_scratch scratch;
  detail::cache_shards* cache = cache_ ? &cache_->shards() : nullptr;
  std::uint64_t key = 0;  // the token's hash, computed once for lookup and insert
  if (cache != nullptr && cache->lookup(token, cache_tag_, out, scratch.verdict, key)) {
    out.code = detail::judge_claims(policy_, at, scratch.verdict, out);
    return;
  }
  detail::verify_token(token, keys_->store(), policy_, at, scratch, out);
  if (cache != nullptr && scratch.signature_checked &&
      (out.signature_verified || cache_->options().keep_forgeries)) {
    cache->insert(token, key, cache_tag_, out, scratch.verdict);
  }
}

status verifier::verify_one(std::string_view token) const noexcept {
  thread_local result out;
  verify(token, out);
  return out.code;
}

}  // namespace jwtbatch
