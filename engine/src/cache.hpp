// cache.hpp: the verified-token cache's shards (see jwtbatch/cache.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "claims.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::detail {

class cache_shards {
 public:
  explicit cache_shards(const cache_options& options);
  ~cache_shards();
  cache_shards(const cache_shards&) = delete;
  cache_shards& operator=(const cache_shards&) = delete;

  // lookup: when `token` (byte for byte) was stored by the verifier tagged `tag`,
  // copies its result into `out` and its time-independent verdict into `verdict`.
  bool lookup(std::string_view token, std::uint64_t tag, result& out,
              claims_verdict& verdict) noexcept;
  // insert stores (or replaces) the entry for `token`. Ignored when the token is too
  // long, or when `tag` is not the newest verifier's (an old one still finishing).
  void insert(std::string_view token, std::uint64_t tag, const result& r,
              const claims_verdict& verdict) noexcept;
  // adopt makes `tag` the newest verifier's and drops every entry of other tags.
  void adopt(std::uint64_t tag) noexcept;
  void clear() noexcept;
  [[nodiscard]] cache_stats stats() const noexcept;
  [[nodiscard]] bool cacheable(std::string_view token) const noexcept {
    return token.size() <= max_token_bytes_;
  }

 private:
  struct entry {
    std::uint64_t hash = 0;
    std::uint64_t tag = 0;
    std::string token;
    result stored;
    claims_verdict verdict;
    std::size_t bytes = 0;
  };
  using lru_list = std::list<entry>;
  // The hash is already uniform: use it as it is.
  struct identity {
    std::size_t operator()(std::uint64_t h) const noexcept { return h; }
  };
  struct alignas(64) shard {
    mutable std::mutex mu;
    lru_list lru;  // most recently used first
    std::unordered_map<std::uint64_t, lru_list::iterator, identity> index;
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, insertions = 0, evictions = 0, invalidated = 0;
  };

  [[nodiscard]] std::uint64_t hash(std::string_view token) const noexcept;
  [[nodiscard]] shard& shard_of(std::uint64_t h) const noexcept;
  // Moves entry `it` of `s` to `dropped` (freed by the caller outside the lock).
  static void unlink(shard& s, lru_list::iterator it, lru_list& dropped) noexcept;

  std::uint64_t key_[2] = {0, 0};
  std::size_t max_token_bytes_;
  std::size_t max_entries_;  // per shard
  std::size_t max_bytes_;    // per shard
  std::size_t shard_mask_;
  std::unique_ptr<shard[]> shards_;
  std::atomic<std::uint64_t> newest_tag_{0};
};

}  // namespace jwtbatch::detail
