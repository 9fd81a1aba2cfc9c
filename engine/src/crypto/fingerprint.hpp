// crypto/fingerprint.hpp: a token's fingerprint (result::fingerprint), the name it goes
// by in logs without carrying the token itself.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace jwtbatch::detail {

// k_fingerprint_chars: 16 bytes of SHA-256, two hex digits each.
inline constexpr std::size_t k_fingerprint_chars = 32;

// token_fingerprint writes the first 16 bytes of SHA-256(token) as lowercase hex to
// `out` (no terminator). Hot path: noexcept, no allocation; thread-safe.
void token_fingerprint(std::string_view token, std::span<char, k_fingerprint_chars> out) noexcept;

}  // namespace jwtbatch::detail
