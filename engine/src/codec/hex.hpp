// codec/hex.hpp: lowercase hexadecimal, the engine's one home for it (JSON's \u00XX and
// the text escapes' \xXX and \uXXXX, the token fingerprint). Header-only: the escapes
// and the fingerprint run for every token, and each digit is one table load.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace jwtbatch::detail {

inline constexpr std::string_view k_hex_digits = "0123456789abcdef";

// hex_digit is the lowercase digit of the low four bits of `v`.
[[nodiscard]] constexpr char hex_digit(unsigned v) noexcept {
  return k_hex_digits[v & 0xFU];
}

// append_hex appends the low `digits` hex digits of `v` to `out`, most significant
// first and zero-padded: append_hex(out, 0x7F, 2) gives "7f", (out, 0x2028, 4) "2028".
// `digits` is at most 8. Allocates only as `out` grows.
inline void append_hex(std::string& out, std::uint32_t v, unsigned digits) {
  for (unsigned i = digits; i > 0; --i) out += hex_digit(v >> (4 * (i - 1)));
}

// hex_encode writes the 2 * in.size() lowercase digits of `in` to `out` (which has
// room for them; no terminator is written). noexcept, no allocation.
constexpr void hex_encode(std::span<const std::uint8_t> in, char* out) noexcept {
  for (const std::uint8_t b : in) {
    *out++ = hex_digit(b >> 4U);
    *out++ = hex_digit(b);
  }
}

}  // namespace jwtbatch::detail
