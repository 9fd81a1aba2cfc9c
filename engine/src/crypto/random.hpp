// crypto/random.hpp: secret randomness, and the keyed hash whose key it makes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace jwtbatch::detail {

// random_bytes fills `out` from BoringSSL's CSPRNG (RAND_bytes, which aborts the
// process rather than return fewer or predictable bytes). Thread-safe.
void random_bytes(std::span<std::uint8_t> out) noexcept;

// siphash13 is SipHash-1-3 of `data` under the 128-bit secret `key`: a hash whose
// values an attacker cannot predict without the key, for tables indexed by bytes the
// attacker chooses (the cache's token index). One compression and three finalization
// rounds: the variant the hash tables of Rust's standard library and of CPython use,
// SipHash-2-4's extra margin being for a MAC, not a table index. Pure; thread-safe.
[[nodiscard]] std::uint64_t siphash13(std::span<const std::uint64_t, 2> key,
                                      std::string_view data) noexcept;

// siphash_rounds is SipHash-c-d for any round counts: the implementation behind
// siphash13, exposed so tests can check it as SipHash-2-4 against the reference vectors
// and BoringSSL.
[[nodiscard]] std::uint64_t siphash_rounds(std::span<const std::uint64_t, 2> key,
                                           std::string_view data, int c_rounds,
                                           int d_rounds) noexcept;

}  // namespace jwtbatch::detail
