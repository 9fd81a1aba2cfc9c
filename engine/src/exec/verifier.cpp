#include "jwtbatch/verifier.hpp"

#include <atomic>
#include <utility>
#include <vector>

#include "core/access.hpp"
#include "crypto/key.hpp"
#include "exec/cache.hpp"
#include "jose/claims.hpp"
#include "jose/prepared_policy.hpp"
#include "keys/store.hpp"
#include "token/verify.hpp"

namespace jwtbatch {

namespace {

// The store of a time no period of a key history covers: every token's kid is unknown.
const detail::key_store& empty_store() {
  static const detail::key_store none{std::vector<detail::key>{}};
  return none;
}

}  // namespace

verifier::verifier(std::shared_ptr<const key_set> keys, jwtbatch::policy p,
                   std::shared_ptr<token_cache> cache)
    : keys_(std::move(keys)), cache_(std::move(cache)) {
  if (!keys_) throw config_error("verifier: no key set");
  policy_ = std::make_shared<const detail::prepared_policy>(std::move(p));
  adopt_cache();
}

verifier::verifier(std::shared_ptr<const key_history> history, jwtbatch::policy p,
                   std::shared_ptr<token_cache> cache)
    : history_(std::move(history)), cache_(std::move(cache)) {
  if (!history_) throw config_error("verifier: no key history");
  for (const key_history::period& period : history_->periods()) {
    if (period.keys) keys_ = period.keys;  // the newest with keys
  }
  if (!keys_) throw config_error("verifier: the key history holds no usable key");
  policy_ = std::make_shared<const detail::prepared_policy>(std::move(p));
  adopt_cache();
}

void verifier::adopt_cache() {
  if (cache_) {
    static std::atomic<std::uint64_t> next_tag{1};
    cache_tag_ = next_tag.fetch_add(1, std::memory_order_relaxed) << detail::k_tag_period_bits;
    detail::access::shards_of(*cache_).adopt(cache_tag_);
  }
}

const policy& verifier::policy() const noexcept {
  return policy_->source;
}

double verifier::evaluation_time() const noexcept {
  return policy_->evaluation_time();
}

void verifier::verify(std::string_view token, result& out) const noexcept {
  verify_at(token, policy_->evaluation_time(), out);
}

void verifier::verify_at(std::string_view token, double at, result& out) const noexcept {
  thread_local detail::verify_scratch scratch;
  detail::cache_shards* cache = cache_ ? &detail::access::shards_of(*cache_) : nullptr;
  const detail::key_store* store = nullptr;
  std::uint64_t tag = cache_tag_;
  std::size_t i = key_history::npos;  // the period of a history that holds `at`
  if (history_) {
    // The keys of the period that holds `at`; its verdicts cached under its own tag.
    i = history_->period_at(at);
    const key_set* period = i == key_history::npos ? nullptr : history_->periods()[i].keys.get();
    store = period != nullptr ? &detail::access::key_store_of(*period) : &empty_store();
    const std::uint64_t slot = i == key_history::npos ? 0 : i + 1;
    if (slot >= (std::uint64_t{1} << detail::k_tag_period_bits)) cache = nullptr;
    tag += slot;
  } else {
    store = &detail::access::key_store_of(*keys_);
  }
  std::uint64_t key = 0;  // the token's hash, computed once for lookup and insert
  if (cache != nullptr && cache->lookup(token, tag, out, scratch.verdict, key)) {
    out.code = detail::judge_claims(*policy_, at, scratch.verdict, out);
    return;
  }
  detail::verify_token(token, *store, *policy_, at, scratch, out);
  // "Not valid then": the history knows the kid, but no window covering `at` has it. A
  // kid published then whose key the period's set refused (two keys sharing it: the
  // history's warnings say so) stays key_not_found.
  if (history_ && out.code == status::key_not_found && out.kid && history_->knows_kid(*out.kid) &&
      !history_->published_in(i, *out.kid)) {
    out.code = status::key_outside_window;
  }
  if (cache != nullptr && scratch.signature_checked &&
      (out.signature_verified || cache_->options().keep_forgeries)) {
    // A public-key signature costs far more than storing its token (cache_admission).
    const bool costly = out.algorithm && !detail::has_alg(detail::k_hmac_algs, *out.algorithm);
    cache->insert(token, key, tag, out, scratch.verdict, costly);
  }
}

status verifier::verify_one(std::string_view token) const noexcept {
  thread_local result out;
  verify(token, out);
  return out.code;
}

}  // namespace jwtbatch
