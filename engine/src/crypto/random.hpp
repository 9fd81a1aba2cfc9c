// crypto/random.hpp: secret randomness, and the keyed hash whose key it makes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace jwtbatch::detail {

// random_bytes fills `out` from BoringSSL's CSPRNG (RAND_bytes, which aborts the
// process rather than return fewer or predictable bytes). Thread-safe.
void random_bytes(std::span<std::uint8_t> out) noexcept;

// siphash24 is SipHash-2-4 of `data` under the 128-bit secret `key`: a hash whose
// values an attacker cannot predict without the key, for tables indexed by bytes the
// attacker chooses (the cache's token index). Pure; thread-safe.
[[nodiscard]] std::uint64_t siphash24(std::span<const std::uint64_t, 2> key,
                                      std::string_view data) noexcept;

}  // namespace jwtbatch::detail
