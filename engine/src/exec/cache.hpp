// cache.hpp: the verified-token cache's shards (see jwtbatch/cache.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jose/claims.hpp"
#include "jwtbatch/cache.hpp"
#include "jwtbatch/result.hpp"

namespace jwtbatch::detail {

// A verifier's cache tag: its own number in the high bits, and in the low
// k_tag_period_bits the period of its key history a verdict came from (0 without a
// history): a token verified with one period's keys is never answered for another.
// Entries of one verifier (any period) share a tag_family.
inline constexpr unsigned k_tag_period_bits = 20;
[[nodiscard]] constexpr std::uint64_t tag_family(std::uint64_t tag) noexcept {
  return tag >> k_tag_period_bits;
}

class cache_shards {
 public:
  explicit cache_shards(const cache_options& options);
  ~cache_shards();
  cache_shards(const cache_shards&) = delete;
  cache_shards& operator=(const cache_shards&) = delete;

  // lookup: when `token` (byte for byte) was stored under `tag` (exactly),
  // copies its result into `out` and its time-independent verdict into `verdict`.
  // Sets `key` to the token's hash, for insert (0 when the token is not cacheable).
  bool lookup(std::string_view token, std::uint64_t tag, result& out, claims_verdict& verdict,
              std::uint64_t& key) noexcept;
  // insert stores (or replaces) the entry for `token`, whose hash lookup gave as `key`.
  // Ignored when the token is too long, when `tag` is not of the newest verifier's
  // family (an old one still finishing), or when the admission rule (cache_admission, `costly`:
  // the token's signature was a public-key one) sends it to the doorkeeper and the
  // doorkeeper sees it for the first time.
  void insert(std::string_view token, std::uint64_t key, std::uint64_t tag, const result& r,
              const claims_verdict& verdict, bool costly) noexcept;
  // adopt makes `tag` the newest verifier's and drops every entry of other families.
  void adopt(std::uint64_t tag) noexcept;
  void clear() noexcept;
  [[nodiscard]] cache_stats stats() const noexcept;
  [[nodiscard]] bool cacheable(std::string_view token) const noexcept {
    return token.size() <= max_token_bytes_;
  }

 private:
  // One allocation per entry: this header, then `refs` text_refs, then the token's
  // bytes and the result's strings (the refs are offsets into those bytes). Trivially
  // destructible: freed with ::operator delete.
  struct text_ref {
    std::uint32_t offset = 0;
    std::uint32_t length = k_absent;
    static constexpr std::uint32_t k_absent = 0xFFFFFFFFU;
  };
  struct entry {
    std::uint64_t hash = 0;
    std::uint64_t tag = 0;
    entry* newer = nullptr;  // the LRU list, most recently used first
    entry* older = nullptr;
    std::size_t bytes = 0;  // counted against max_bytes
    std::uint32_t token_bytes = 0;
    std::uint32_t text_bytes = 0;  // the result's strings, after the token
    std::uint32_t aud_count = 0;
    std::uint32_t custom_count = 0;
    claims_verdict verdict;
    // The result, its strings as refs: kid, iss, sub, jti, detail, then aud_count aud
    // values, then custom_count (name, value) pairs.
    status code = status::ok;
    attack_label label = attack_label::none;
    bool signature_verified = false;
    bool has_aud = false;
    std::optional<alg> algorithm;
    std::optional<double> exp, nbf, iat;
    std::array<char, 32> fingerprint{};

    [[nodiscard]] const text_ref* refs() const noexcept {
      return reinterpret_cast<const text_ref*>(this + 1);
    }
    [[nodiscard]] text_ref* refs() noexcept { return reinterpret_cast<text_ref*>(this + 1); }
    [[nodiscard]] std::size_t ref_count() const noexcept {
      return 5 + aud_count + 2 * std::size_t{custom_count};
    }
    [[nodiscard]] const char* chars() const noexcept {
      return reinterpret_cast<const char*>(refs() + ref_count());
    }
    [[nodiscard]] std::string_view token() const noexcept { return {chars(), token_bytes}; }
  };
  // Builds an entry for `token` and `r` (nullptr when memory runs out).
  static entry* make_entry(std::string_view token, std::uint64_t hash, std::uint64_t tag,
                           const result& r, const claims_verdict& verdict) noexcept;
  // Copies an entry's result into `out` (whose buffers are reused).
  static void restore(const entry& e, result& out);

  struct alignas(64) shard {
    mutable std::mutex mu;
    entry* newest = nullptr;
    entry* oldest = nullptr;
    // Open addressing by hash, linear probing, no tombstones (backward-shift
    // deletion): at least twice the shard's entries, so probes stay short.
    std::vector<entry*> slots;
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, insertions = 0, evictions = 0, invalidated = 0;
    std::atomic<std::uint64_t> first_sightings{0};

    [[nodiscard]] std::size_t find(std::uint64_t h) const noexcept;  // slots.size() if none
    void erase_slot(std::size_t i) noexcept;
    void put(entry* e) noexcept;
    void link_newest(entry* e) noexcept;
    void unlink(entry* e) noexcept;
    // Removes `e` from the index and the list, and chains it onto `dropped` (freed by
    // the caller, outside the lock).
    void drop(entry* e, entry*& dropped) noexcept;
  };
  static void free_chain(entry* dropped) noexcept;

  // The token bytes the index hashes: its tail, where the signature is (43 characters
  // for HS256, 86 for ES256 and EdDSA, 342 for RS256 with RSA-2048).
  static constexpr std::size_t k_hashed_tail = 64;
  [[nodiscard]] std::uint64_t hash(std::string_view token) const noexcept;
  [[nodiscard]] shard& shard_of(std::uint64_t h) const noexcept;

  // The doorkeeper (cache_admission by_cost and second_sight): a 16-bit mark of a
  // token's hash (bits the slot index does not use) is remembered in slot
  // hash & doorkeeper_mask_ the first time the token is offered, and the token is
  // stored when it is offered again while its mark is still there. Two bytes a slot
  // keep the array in the second-level cache; a foreign mark equal by chance (1 in
  // 32,768) only admits a token early. Relaxed atomics without a lock: a lost update
  // only delays one admission.
  [[nodiscard]] bool second_sight(std::uint64_t h) noexcept;

  std::uint64_t key_[2] = {0, 0};
  cache_admission admission_;
  std::size_t doorkeeper_mask_ = 0;
  std::unique_ptr<std::atomic<std::uint16_t>[]> doorkeeper_;
  std::size_t max_token_bytes_;
  std::size_t max_entries_;  // per shard
  std::size_t max_bytes_;    // per shard
  std::size_t shard_mask_;
  std::unique_ptr<shard[]> shards_;
  std::atomic<std::uint64_t> newest_tag_{0};
};

}  // namespace jwtbatch::detail
