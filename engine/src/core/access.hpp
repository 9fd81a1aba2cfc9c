// access.hpp: the engine's way into the internals of its public classes (oneTBB's
// pattern). A public class declares `friend struct detail::access;` and keeps its
// internals private; engine code reaches them through these functions, and only
// engine code (and its tests) can include this header. Templates, so that this
// lowest layer names no class of the layers above it.
#pragma once

#include <cstddef>
#include <string_view>

namespace jwtbatch::detail {

struct access {
  // result: the buffer its string views point into. clear() resets everything but
  // keeps capacity; reserve(n) makes room for n more bytes, after which store()
  // copies strings into the buffer without reallocating, so views handed out earlier
  // stay valid; owned_bytes() is the heap held, for cache accounting.
  template <class Result>
  static void clear(Result& r) noexcept {
    r.clear();
  }
  template <class Result>
  static void reserve(Result& r, std::size_t bytes) {
    r.reserve(bytes);
  }
  template <class Result>
  static std::string_view store(Result& r, std::string_view s) {
    return r.store(s);
  }
  template <class Result>
  static std::size_t owned_bytes(const Result& r) noexcept {
    return r.owned_bytes();
  }

  // key_set: the store of parsed keys (keys/store.hpp).
  template <class KeySet>
  static const auto& key_store_of(const KeySet& k) noexcept {
    return *k.store_;
  }
  // token_cache: its shards (exec/cache.hpp).
  template <class Cache>
  static auto& shards_of(const Cache& c) noexcept {
    return *c.shards_;
  }
  // verifier: its prepared policy (jose/prepared_policy.hpp), key set and cache.
  template <class Verifier>
  static const auto& prepared_of(const Verifier& v) noexcept {
    return *v.policy_;
  }
};

}  // namespace jwtbatch::detail
