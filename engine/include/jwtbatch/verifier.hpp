// jwtbatch/verifier.hpp: checking tokens against a key set.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

struct verify_options {
  // Tokens longer than this are refused before any other work (token_too_large).
  std::size_t max_token_bytes = std::size_t{64} * 1024;
  // When true, a token without `kid` gets kid_missing instead of the unique key
  // compatible with its alg.
  bool require_kid = false;
};

// verifier binds a key set and options. Immutable and thread-safe: share one between
// threads. It holds the key set alive.
class verifier {
 public:
  explicit verifier(std::shared_ptr<const key_set> keys, verify_options options = {});

  // verify_one runs size -> split -> header -> key -> signature -> strict payload
  // encoding for one compact JWS and returns the first failure, or ok. The token is
  // only read during the call. noexcept: hostile input yields a status, never an
  // exception or a crash. Thread-safe (per-thread scratch inside).
  [[nodiscard]] status verify_one(std::string_view token) const noexcept;

  [[nodiscard]] const key_set& keys() const noexcept { return *keys_; }
  [[nodiscard]] const verify_options& options() const noexcept { return options_; }

 private:
  std::shared_ptr<const key_set> keys_;
  verify_options options_;
};

}  // namespace jwtbatch
