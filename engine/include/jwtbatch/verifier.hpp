// jwtbatch/verifier.hpp: checking tokens against a key set and a policy.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "jwtbatch/cache.hpp"
#include "jwtbatch/key_history.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

namespace detail {
struct prepared_policy;
struct access;
}  // namespace detail

// verifier binds a key set and a policy (copied). Immutable and thread-safe: share one
// between threads. It keeps the key set alive.
//
// One token's way (docs/ARCHITECTURE.md): size -> split -> strict base64url of every segment ->
// header -> alg allow-list, typ, embedded keys -> key -> signature -> payload JSON ->
// claims. The first failure decides the status; the payload is decoded early (a
// strictness check) but its JSON is never read from a token whose signature failed. Every call
// is noexcept: hostile input yields a status, never an exception or a crash, and the
// token is only read during the call.
//
// With a token_cache, a token seen before is answered from the cache: the same result
// as verifying it again (time claims are judged at each call's time), without the
// signature check. The verifier takes the cache over (see token_cache).
class verifier {
 public:
  // Throws config_error, naming the field, for a null key set or a policy outside the
  // bounds of policy.hpp (jwtbatch::validate). The policy is prepared once, here: what
  // every token needs of it is derived at construction, not per token.
  explicit verifier(std::shared_ptr<const key_set> keys, jwtbatch::policy p = {},
                    std::shared_ptr<token_cache> cache = nullptr);
  // A verifier over a key history (jwtbatch/key_history.hpp): a token evaluated at T
  // (verify_at's `at`, e.g. its log line's time; else the policy's time) is checked
  // only with the keys of the history's period that holds T. A token whose kid the
  // history knows, but no key of the period has, gets key_outside_window ("this key
  // was not valid then"); a kid the history never saw stays key_not_found. Cached
  // verdicts are kept per period. Throws config_error when the history holds no key.
  explicit verifier(std::shared_ptr<const key_history> history, jwtbatch::policy p = {},
                    std::shared_ptr<token_cache> cache = nullptr);

  // verify fills `out` for `token`, evaluated at the policy's fixed time, or now.
  void verify(std::string_view token, result& out) const noexcept;
  // verify_at evaluates time claims at `at` (Unix seconds): "was it valid when used?"
  void verify_at(std::string_view token, double at, result& out) const noexcept;
  // verify_one: the status alone (uses a per-thread result internally).
  [[nodiscard]] status verify_one(std::string_view token) const noexcept;

  // The keys: with a key history, those of its newest period that has keys.
  [[nodiscard]] const key_set& keys() const noexcept { return *keys_; }
  // The key history, or null.
  [[nodiscard]] const key_history* history() const noexcept { return history_.get(); }
  // The policy as configured.
  [[nodiscard]] const jwtbatch::policy& policy() const noexcept;
  // The cache in use, or null.
  [[nodiscard]] const token_cache* cache() const noexcept { return cache_.get(); }
  // The time verify() evaluates at: the policy's fixed time, else the clock now.
  [[nodiscard]] double evaluation_time() const noexcept;

 private:
  friend struct detail::access;
  void adopt_cache();
  std::shared_ptr<const key_set> keys_;
  std::shared_ptr<const key_history> history_;
  std::shared_ptr<const detail::prepared_policy> policy_;
  std::shared_ptr<token_cache> cache_;
  std::uint64_t cache_tag_ = 0;  // this verifier's entries in the cache
};

}  // namespace jwtbatch
