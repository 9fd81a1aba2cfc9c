// jwtbatch/cache.hpp: the verified-token cache. Logs repeat the same token many
// times; a token whose signature was checked once need not be checked again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace jwtbatch {

namespace detail {
class cache_shards;
struct access;
}  // namespace detail

// The largest cache one may ask for: max_entries 0..max_cache_entries (the CLI's
// --cache-size, the C ABI's cache_max_entries), max_bytes 0..max_cache_bytes.
inline constexpr std::size_t max_cache_entries = std::size_t{1} << 24;
inline constexpr std::size_t max_cache_bytes = std::size_t{16} << 30;
// The most shards (cache_options::shards): each is a lock, a list and a hash index.
inline constexpr std::size_t max_cache_shards = 4096;

// When a verified token is stored. Storing costs allocation and copying, several times
// an HMAC verification and a small part of a public-key one; in a log of distinct
// tokens every entry is evicted unused. A doorkeeper (one remembered hash per slot,
// about max_entries slots, no allocation) notes a token's first sighting.
enum class cache_admission : std::uint8_t {
  // HMAC tokens (HS256/384/512) at their second verification, through the doorkeeper:
  // a log of distinct HMAC tokens pays a probe per token, not an entry. Public-key
  // tokens (RS, PS, ES, EdDSA) at their first: a repeated one costs one signature check.
  by_cost,
  first_sight,   // every token at its first verification
  second_sight,  // every token at its second, through the doorkeeper
};

struct cache_options {
  // Bounds, both enforced: whichever is reached first evicts the least recently used
  // entries. An entry is one allocation: its token's bytes, the result's strings and
  // about 200 bytes of facts.
  std::size_t max_entries = 65536;
  std::size_t max_bytes = std::size_t{64} << 20;
  // Longer tokens are verified every time and never stored.
  std::size_t max_token_bytes = 8192;
  // Independent locks; 0 = 64, else at most max_cache_shards (rounded up to a power of
  // two, and down to max_entries). More shards, less contention between threads.
  std::size_t shards = 0;
  // Also keep tokens whose signature failed (bad_signature): a repeated forgery
  // then costs a lookup instead of a public-key operation. Tokens rejected before
  // the signature check are cheap to reject again and are never stored.
  bool keep_forgeries = true;
  // When a verified token is stored (see cache_admission).
  cache_admission admission = cache_admission::by_cost;
};

struct cache_stats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;           // lookups that found nothing usable
  std::uint64_t insertions = 0;       // entries stored
  std::uint64_t first_sightings = 0;  // verified tokens not stored: seen for the first time
  std::uint64_t evictions = 0;        // entries dropped to respect the bounds
  std::uint64_t invalidated = 0;      // entries dropped because a new verifier took the cache
  std::size_t entries = 0;
  std::size_t bytes = 0;
};

// token_cache keeps, for tokens whose signature was checked, the verdict and the
// parsed claims, keyed by the exact token bytes: a keyed hash of the token's tail and
// length (SipHash-1-3 with a random key per cache, so nobody can aim tokens at one
// slot) picks the slot and the stored bytes are compared on every hit; a hash alone is
// never proof.
//
// Time claims (exp, nbf, iat, max age) are judged again at every use's evaluation
// time, so a cached token expires on time. Everything else the verdict depends on
// (key set, policy) is fixed per verifier: each entry carries the tag of the verifier
// that stored it and only that verifier can hit it. A verifier built on a cache takes
// it over and drops the entries of earlier verifiers: loading a new key set (which
// means a new verifier) invalidates everything stored before.
//
// Thread-safe; the verifier uses it from every batch thread at once.
class token_cache {
 public:
  // Throws config_error, before allocating anything, when max_entries is not
  // 1..max_cache_entries, max_bytes not 1..max_cache_bytes or shards above
  // max_cache_shards. The bookkeeping allocated up front is about 18 bytes per entry
  // of max_entries (288 MiB at the largest): the index, and the doorkeeper's marks.
  explicit token_cache(cache_options options = {});
  ~token_cache();
  token_cache(const token_cache&) = delete;
  token_cache& operator=(const token_cache&) = delete;

  [[nodiscard]] cache_stats stats() const noexcept;
  [[nodiscard]] const cache_options& options() const noexcept { return options_; }
  // Drops every entry (counters are kept).
  void clear() noexcept;

 private:
  friend struct detail::access;
  cache_options options_;
  std::unique_ptr<detail::cache_shards> shards_;
};

}  // namespace jwtbatch
