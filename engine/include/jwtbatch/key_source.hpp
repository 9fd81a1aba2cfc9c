// jwtbatch/key_source.hpp: keys that change while a verifier runs.
//
// A key_set is immutable. A key_source hands out the newest one and a generation
// number that moves whenever it changes; an engine that follows a source
// (batch_verifier's key_source constructor) reads the generation once per batch or
// stream chunk (one atomic load) and builds a verifier for a new set only when it moved.
// The hot path never waits on a source, except where a token names a kid the keys
// lack: then the engine asks the source once (refresh_for_unknown_kid), which may fetch
// the keys again, and verifies those tokens again if they changed.
//
// Sources: refreshing_key_source (jwtbatch/remote_keys.hpp) fetches JWK Sets over HTTPS
// and reloads key files; a program may implement its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "jwtbatch/key_set.hpp"

namespace jwtbatch {

class key_source {
 public:
  key_source() = default;
  key_source(const key_source&) = delete;
  key_source& operator=(const key_source&) = delete;
  virtual ~key_source() = default;

  // keys returns the newest key set: never null. Thread-safe; the set stays valid as
  // long as the caller holds it.
  [[nodiscard]] virtual std::shared_ptr<const key_set> keys() const = 0;

  // generation changes whenever keys() does (it is read first: a caller that reads the
  // generation, then keys(), holds keys at least that new). Lock-free.
  [[nodiscard]] std::uint64_t generation() const noexcept {
    return generation_.load(std::memory_order_acquire);
  }

  // refresh_for_unknown_kid: a token was refused with key_not_found by the keys of
  // generation `seen`. The source may look for newer keys (refreshing_key_source
  // fetches at most once per cooldown and waits for at most one fetch, bounded by its
  // timeout). Returns true when generation() is no longer `seen`, so the token is worth
  // verifying again. Thread-safe; never throws. The default only compares generations.
  [[nodiscard]] virtual bool refresh_for_unknown_kid(std::uint64_t seen) noexcept {
    return generation() != seen;
  }

 protected:
  // A source calls this after it published a new key set (keys() returns it).
  void advance_generation() noexcept { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::atomic<std::uint64_t> generation_{1};
};

}  // namespace jwtbatch
