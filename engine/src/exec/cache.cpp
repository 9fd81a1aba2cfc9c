#include "exec/cache.hpp"
#include "core/access.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <string>
#include <type_traits>

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
  // Room for max_entries_ + 1 entries (an insertion evicts after linking) at a load of
  // about 1/2, and always an empty slot, where a probe for an absent hash stops.
  const std::size_t index_slots = std::bit_ceil(std::max<std::size_t>(2 * max_entries_, 4));
  for (std::size_t i = 0; i < n; ++i) shards_[i].slots.assign(index_slots, nullptr);
  if (admission_ != cache_admission::first_sight) {
    const std::size_t slots = std::bit_ceil(std::max<std::size_t>(options.max_entries, 64));
    doorkeeper_mask_ = slots - 1;
    doorkeeper_ = std::make_unique<std::atomic<std::uint16_t>[]>(slots);  // zero: empty
  }
  // A secret hash key: token bytes chosen by an attacker cannot be aimed at one slot.
  random_bytes(std::span(reinterpret_cast<std::uint8_t*>(key_), sizeof key_));
}

cache_shards::~cache_shards() {
  // The index goes with the shards: only the entries need freeing, along the list.
  for (std::size_t i = 0; i <= shard_mask_; ++i) free_chain(shards_[i].newest);
}

std::size_t cache_shards::shard::find(std::uint64_t h) const noexcept {
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots[i] == nullptr) return slots.size();
    if (slots[i]->hash == h) return i;
  }
}

void cache_shards::shard::erase_slot(std::size_t i) noexcept {
  // Backward-shift deletion: every entry after the hole that could live in it moves
  // up, so a probe never stops early at a hole.
  const std::size_t mask = slots.size() - 1;
  slots[i] = nullptr;
  for (std::size_t j = (i + 1) & mask; slots[j] != nullptr; j = (j + 1) & mask) {
    const std::size_t home = slots[j]->hash & mask;
    // Stays when its home lies cyclically in (i, j].
    const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!stays) {
      slots[i] = slots[j];
      slots[j] = nullptr;
      i = j;
    }
  }
}

void cache_shards::shard::put(entry* e) noexcept {
  const std::size_t mask = slots.size() - 1;
  std::size_t i = e->hash & mask;
  while (slots[i] != nullptr) i = (i + 1) & mask;
  slots[i] = e;
}

void cache_shards::shard::link_newest(entry* e) noexcept {
  e->newer = nullptr;
  e->older = newest;
  if (newest != nullptr) newest->newer = e;
  newest = e;
  if (oldest == nullptr) oldest = e;
}

void cache_shards::shard::unlink(entry* e) noexcept {
  (e->newer != nullptr ? e->newer->older : newest) = e->older;
  (e->older != nullptr ? e->older->newer : oldest) = e->newer;
}

void cache_shards::shard::drop(entry* e, entry*& dropped) noexcept {
  erase_slot(find(e->hash));
  unlink(e);
  --entries;
  bytes -= e->bytes;
  e->older = dropped;
  dropped = e;
}

void cache_shards::free_chain(entry* dropped) noexcept {
  static_assert(std::is_trivially_destructible_v<entry>);  // freed without a destructor
  while (dropped != nullptr) {
    entry* next = dropped->older;
    ::operator delete(dropped);
    dropped = next;
  }
}

cache_shards::entry* cache_shards::make_entry(std::string_view token, std::uint64_t hash,
                                              std::uint64_t tag, const result& r,
                                              const claims_verdict& verdict) noexcept {
  const std::optional<std::string_view> singles[5] = {r.kid, r.iss, r.sub, r.jti, r.detail};
  std::size_t text = 0;
  for (const auto& v : singles) text += v ? v->size() : 0;
  for (const std::string_view a : r.aud) text += a.size();
  for (const auto& [name, value] : r.custom_claims) text += name.size() + value.size();
  const std::size_t refs = 5 + r.aud.size() + 2 * r.custom_claims.size();
  const std::size_t size = sizeof(entry) + refs * sizeof(text_ref) + token.size() + text;
  if (token.size() + text > text_ref::k_absent - 1) return nullptr;
  void* memory = ::operator new(size, std::nothrow);
  if (memory == nullptr) return nullptr;  // best effort: no memory, no entry
  auto* e = new (memory) entry;
  e->hash = hash;
  e->tag = tag;
  e->bytes = size;
  e->token_bytes = static_cast<std::uint32_t>(token.size());
  e->text_bytes = static_cast<std::uint32_t>(text);
  e->aud_count = static_cast<std::uint32_t>(r.aud.size());
  e->custom_count = static_cast<std::uint32_t>(r.custom_claims.size());
  e->verdict = verdict;
  e->code = r.code;
  e->label = r.label;
  e->signature_verified = r.signature_verified;
  e->has_aud = r.has_aud;
  e->algorithm = r.algorithm;
  e->exp = r.exp;
  e->nbf = r.nbf;
  e->iat = r.iat;
  e->fingerprint = r.fingerprint;
  text_ref* ref = e->refs();
  char* chars = reinterpret_cast<char*>(ref + refs);
  std::memcpy(chars, token.data(), token.size());
  std::size_t at = token.size();
  const auto keep = [&](std::string_view v) {
    *ref++ = text_ref{static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(v.size())};
    std::memcpy(chars + at, v.data(), v.size());
    at += v.size();
  };
  for (const auto& v : singles) {
    if (v) {
      keep(*v);
    } else {
      *ref++ = text_ref{};
    }
  }
  for (const std::string_view a : r.aud) keep(a);
  for (const auto& [name, value] : r.custom_claims) {
    keep(name);
    keep(value);
  }
  return e;
}

void cache_shards::restore(const entry& e, result& out) {
  access::clear(out);
  access::reserve(out, e.text_bytes);
  out.code = e.code;
  out.label = e.label;
  out.signature_verified = e.signature_verified;
  out.has_aud = e.has_aud;
  out.algorithm = e.algorithm;
  out.exp = e.exp;
  out.nbf = e.nbf;
  out.iat = e.iat;
  out.fingerprint = e.fingerprint;
  const text_ref* ref = e.refs();
  const char* chars = e.chars();
  const auto text = [&]() -> std::optional<std::string_view> {
    const text_ref r = *ref++;
    if (r.length == text_ref::k_absent) return std::nullopt;
    return access::store(out, std::string_view(chars + r.offset, r.length));
  };
  out.kid = text();
  out.iss = text();
  out.sub = text();
  out.jti = text();
  out.detail = text();
  for (std::uint32_t i = 0; i < e.aud_count; ++i) out.aud.push_back(*text());
  for (std::uint32_t i = 0; i < e.custom_count; ++i) {
    const std::string_view name = *text();
    out.custom_claims.emplace_back(name, *text());
  }
}

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

bool cache_shards::lookup(std::string_view token, std::uint64_t tag, result& out,
                          claims_verdict& verdict, std::uint64_t& key) noexcept {
  key = 0;
  if (!cacheable(token)) return false;
  const std::uint64_t h = hash(token);
  key = h;
  shard& s = shard_of(h);
  const std::lock_guard lock(s.mu);
  const std::size_t i = s.find(h);
  if (i == s.slots.size() || s.slots[i]->tag != tag || s.slots[i]->token() != token) {
    ++s.misses;
    return false;
  }
  entry* e = s.slots[i];
  s.unlink(e);
  s.link_newest(e);
  restore(*e, out);
  verdict = e->verdict;
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
  if (!cacheable(token) ||
      tag_family(tag) != tag_family(newest_tag_.load(std::memory_order_acquire))) {
    return;
  }
  const std::uint64_t h = key;
  const bool at_first_sight = admission_ == cache_admission::first_sight ||
                              (admission_ == cache_admission::by_cost && costly);
  if (!at_first_sight && !second_sight(h)) {
    shard_of(h).first_sightings.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  entry* fresh = make_entry(token, h, tag, r, verdict);  // built outside the lock
  if (fresh == nullptr) return;
  entry* dropped = nullptr;  // freed after the lock is released
  {
    shard& s = shard_of(h);
    const std::lock_guard lock(s.mu);
    if (const std::size_t old = s.find(h); old != s.slots.size()) s.drop(s.slots[old], dropped);
    s.put(fresh);
    s.link_newest(fresh);
    ++s.entries;
    s.bytes += fresh->bytes;
    ++s.insertions;
    while (s.oldest != nullptr && (s.entries > max_entries_ || s.bytes > max_bytes_)) {
      s.drop(s.oldest, dropped);
      ++s.evictions;
    }
  }
  free_chain(dropped);
}

void cache_shards::adopt(std::uint64_t tag) noexcept {
  newest_tag_.store(tag, std::memory_order_release);
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    shard& s = shards_[i];
    entry* dropped = nullptr;
    {
      const std::lock_guard lock(s.mu);
      for (entry* e = s.newest; e != nullptr;) {
        entry* next = e->older;
        if (tag_family(e->tag) != tag_family(tag)) {
          s.drop(e, dropped);
          ++s.invalidated;
        }
        e = next;
      }
    }
    free_chain(dropped);
  }
}

void cache_shards::clear() noexcept {
  for (std::size_t i = 0; i <= shard_mask_; ++i) {
    shard& s = shards_[i];
    entry* dropped = nullptr;
    {
      const std::lock_guard lock(s.mu);
      while (s.newest != nullptr) s.drop(s.newest, dropped);
    }
    free_chain(dropped);
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
    total.entries += s.entries;
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
