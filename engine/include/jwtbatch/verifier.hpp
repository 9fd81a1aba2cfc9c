// jwtbatch/verifier.hpp: checking tokens against a key set and a policy.
#pragma once

#include <memory>
#include <string_view>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/policy.hpp"
#include "jwtbatch/result.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

// verifier binds a key set and a policy (copied). Immutable and thread-safe: share one
// between threads. It keeps the key set alive.
//
// One token's way (DESIGN.md): size -> split -> header -> alg allow-list, typ,
// embedded keys -> key -> signature -> payload -> claims. The first failure decides
// the status; claims are never read from a token whose signature failed. Every call
// is noexcept: hostile input yields a status, never an exception or a crash, and the
// token is only read during the call.
class verifier {
 public:
  explicit verifier(std::shared_ptr<const key_set> keys, policy p = {});

  // verify fills `out` for `token`, evaluated at the policy's fixed time, or now.
  void verify(std::string_view token, result& out) const noexcept;
  // verify_at evaluates time claims at `at` (Unix seconds): "was it valid when used?"
  void verify_at(std::string_view token, double at, result& out) const noexcept;
  // verify_one: the status alone (uses a per-thread result internally).
  [[nodiscard]] status verify_one(std::string_view token) const noexcept;

  [[nodiscard]] const key_set& keys() const noexcept { return *keys_; }
  [[nodiscard]] const policy& rules() const noexcept { return policy_; }

 private:
  std::shared_ptr<const key_set> keys_;
  policy policy_;
};

}  // namespace jwtbatch
