// store.hpp: the immutable set of keys a verifier holds, and the selection of one key
// for a token (runs for every token).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/key.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// Immutable after construction; lookups are noexcept and lock-free.
class key_store {
 public:
  explicit key_store(std::vector<key> keys);

  // select picks the key for a token: by exact `kid` when the token has one (the key
  // must allow `a`), else the unique key that allows `a`. `require_kid` makes a token
  // without kid fail with kid_missing. On ok, *out points into this store.
  [[nodiscard]] status select(alg a, std::optional<std::string_view> kid, bool require_kid,
                              const key** out) const noexcept;

  [[nodiscard]] const std::vector<key>& keys() const noexcept { return keys_; }

 private:
  struct kid_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<key> keys_;
  std::unordered_map<std::string, std::uint32_t, kid_hash, std::equal_to<>> by_kid_;
  // For tokens without kid: how many keys allow each alg, and the first such key.
  std::array<std::uint32_t, alg_count> count_by_alg_{};
  std::array<std::uint32_t, alg_count> first_by_alg_{};
};

}  // namespace jwtbatch::detail
