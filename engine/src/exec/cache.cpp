#include "exec/cache.hpp"
#include "core/access.hpp"

#include <algorithm>
#include <bit>
#include <new>
#include <string>

#include "crypto/random.hpp"
#include "jwtbatch/key_set.hpp"

namespace jwtbatch {
namespace detail {

cache_shards::cache_shards(const cache_options& options)
    : admission_(options.admission), max_token_bytes_(options.max_token_bytes) {
  // Checked before anything is allocated: the index and the doorkeeper are sized by
  // max_entries up front, so an unbounded value preallocates until memory runs out.
  if (options.max_entries == 0 || options.max_entries > max_cache_entries) {
    throw config_error("cache: max_entries must be 1 to " + std::to_string(max_cache_entries) +
                       ", got " + std::to_string(options.max_entries) +
                       " (use no cache to turn it off)");
  }
  if (options.max_bytes == 0 || options.max_bytes > max_cache_bytes) {
    throw config_error("cache: max_bytes must be 1 to " + std::to_string(max_cache_bytes) +
                       ", got " + std::to_string(options.max_bytes));
  }
  if (options.shards > max_cache_shards) {
    throw config_error("cache: shards must be 0 (64) to " + std::to_string(max_cache_shards) +
                       ", got " + std::to_string(options.shards));
  }
  std::size_t n = std::bit_ceil(options.shards == 0 ? std::size_t{64} : options.shards);
  while (n > 1 && n > options.max_entries) n /= 2;  // every shard holds at least one entry
  shard_mask_ = n - 1;
  max_entries_ = options.max_entries / n;
  max_bytes_ = options.max_bytes / n;
  shards_ = std::make_unique<shard[]>(n);
  for (std::size_t i = 0; i < n; ++i) shards_[i].index.reserve(max_entries_);
  if (admission_ != cache_admission::first_sight) {
    const std::size_t slots = std::bit_ceil(std::max<std::size_t>(options.max_entries, 64));
    doorkeeper_mask_ = slots - 1;
    doorkeeper_ = std::make_unique<std::atomic<std::uint16_t>[]>(slots);  // zero: empty
  }
  // A secret hash key: token bytes chosen by an attacker cannot be aimed at one slot.
  random_bytes(std::span(reinterpret_cast<std::uint8_t*>(key_), sizeof key_));
}

cache_shards::~cache_shards() = default;

std::uint64_t cache_shards::hash(std::string_view token) const noexcept {
  // The last k_hashed_tail bytes (the signature, or most of it) and the length: tokens
  // that differ there land in unpredictable slots; tokens equal there (a forgery
  // reusing a genuine token's signature) share one hash, so they replace each other's
  // entry instead of lengthening a chain, and a lookup compares the whole token anyway.
  const std::size_t n = std::min(token.size(), k_hashed_tail);
  return siphash13(key_, token.substr(token.size() - n)) ^ token.size();
}

cache_shards::shard& cache_shards::shard_of(std::uint64_t h) const noexcept {
  return shards_[(h >> 32U) & shard_mask_];  // the index's buckets use the low bits
}

void cache_shards::unlink(shard& s, lru_list::iterator it, lru_list& dropped) noexcept {
  s.bytes -= it->bytes;
  s.index.erase(it->hash);
  dropped.splice(dropped.end(), s.lru, it);
}

bool cache_shards::lookup(std::string_view token, std::uint64_t tag, result& out,
                          claims_verdict& verdict, std::uint64_t& key) noexcept {
  key = 0;
  if (!cacheable(token)) return false;
  const std::uint64_t h = hash(token);
  key = h;
  shard& s = shard_of(h);
  const std::lock_guard lock(s.mu);
  const auto found = s.index.find(h);
  if (found == s.index.end() || found->second->tag != tag || found->second->token != token) {
    ++s.misses;
    return false;
  }
  s.lru.splice(s.lru.begin(), s.lru, found->second);
  const entry& e = *found->second;
  out = e.stored;
  verdict = e.verdict;
  ++s.hits;
  return true;
}

bool cache_shards::second_sight(std::uint64_t h) noexcept {
  std::atomic<std::uint16_t>& slot = doorkeeper_[h & doorkeeper_mask_];
  // The top bits (the shard uses bits 32 and up, the slot the low ones); never 0, the
  // empty slot.
  const auto mark = static_cast<std::uint16_t>((h >> 48U) | 1U);
  if (slot.load(std::memory_order_relaxed) == mark) return true;
  slot.store(mark, std::memory_order_relaxed);
  return false;
}

void cache_shards::insert(std::string_view token, std::uint64_t key, std::uint64_t tag,
                          const result& r, const claims_verdict& verdict, bool costly) noexcept {
  if (!cacheable(token) || tag != newest_tag_.load(std::memory_order_acquire)) return;
  const std::uint64_t h = key;
  const bool at_first_sight = admission_ == cache_admission::first_sight ||
                              (admission_ == cache_admission::by_cost && costly);
  if (!at_first_sight && !second_sight(h)) {
    shard_of(h).first_sightings.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  lru_list fresh;
  try {
    // Built outside the lock; the cache is best effort, so no memory means no entry.
    entry& e = fresh.emplace_back();
    e.hash = h;
    e.tag = tag;
    e.token.assign(token);
    e.stored = r;
    e.verdict = verdict;
    e.bytes = sizeof(entry) + 4 * sizeof(void*) + e.token.capacity() +
              detail::access::owned_bytes(e.stored);
  } catch (const std::bad_alloc&) {
    return;
  }
  lru_list dropped;  // freed after the lock is released
  shard& s = shard_of(h);
  const std::lock_guard lock(s.mu);
  try {
    if (const auto old = s.index.find(h); old != s.index.end()) unlink(s, old->second, dropped);
    s.index.emplace(h, fresh.begin());
  } catch (const std::bad_alloc&) {
    return;
  }
  s.bytes += fresh.front().bytes;
  s.lru.splice(s.lru.begin(), fresh);
  ++s.insertions;
  while (!s.lru.empty() && (s.lru.size() > max_entries_ || s.bytes > max_bytes_)) {
    unlink(s, std::prev(s.lru.end()), dropped);
    ++s.evictions;
  }
}

void cache_shards::adopt(std::uint64_t tag) noexcept {
  newest_tag_.store(tag, std::memory_order_release);
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    shard& s = shards_[i];
    lru_list dropped;
    const std::lock_guard lock(s.mu);
    for (auto it = s.lru.begin(); it != s.lru.end();) {
      const auto next = std::next(it);
      if (it->tag != tag) {
        unlink(s, it, dropped);
        ++s.invalidated;
      }
      it = next;
    }
  }
}

void cache_shards::clear() noexcept {
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    shard& s = shards_[i];
    lru_list dropped;
    const std::lock_guard lock(s.mu);
    while (!s.lru.empty()) unlink(s, s.lru.begin(), dropped);
  }
}

cache_stats cache_shards::stats() const noexcept {
  cache_stats total;
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    const shard& s = shards_[i];
    const std::lock_guard lock(s.mu);
    total.hits += s.hits;
    total.misses += s.misses;
    total.insertions += s.insertions;
    total.evictions += s.evictions;
    total.invalidated += s.invalidated;
    total.first_sightings += s.first_sightings.load(std::memory_order_relaxed);
    total.entries += s.lru.size();
    total.bytes += s.bytes;
  }
  return total;
}

}  // namespace detail

token_cache::token_cache(cache_options options)
    : options_(options), shards_(std::make_unique<detail::cache_shards>(options_)) {}

token_cache::~token_cache() = default;

cache_stats token_cache::stats() const noexcept {
  return shards_->stats();
}

void token_cache::clear() noexcept {
  shards_->clear();
}

}  // namespace jwtbatch
