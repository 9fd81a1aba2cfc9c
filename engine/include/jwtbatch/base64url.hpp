// jwtbatch/base64url.hpp: strict base64url (RFC 4648 §5), the encoding of every JWS
// segment (RFC 7515 §2), for programs that build or take apart tokens themselves.
//
// Strict means one byte string has exactly one spelling: the alphabet is A-Z a-z 0-9
// '-' '_' only; no '=' padding, no whitespace, no '+' or '/'; a length of 1 mod 4 is
// refused; and the unused low bits of the last character must be zero. These are the
// decoder and the rules the verifier itself applies to a token's segments.
//
// Every function is thread-safe and keeps no state. Nothing here throws except the
// allocating conveniences (std::bad_alloc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jwtbatch {

// base64url_decoded_size returns the number of bytes a valid input of `encoded_len`
// characters decodes to (for a length of 1 mod 4, never valid, the bytes its complete
// quanta would give). Use it to size the buffer given to base64url_decode.
[[nodiscard]] constexpr std::size_t base64url_decoded_size(std::size_t encoded_len) noexcept {
  const std::size_t rem = encoded_len % 4;
  return encoded_len / 4 * 3 + (rem > 1 ? rem - 1 : 0);
}

// base64url_encoded_size returns the unpadded length of the encoding of `len` bytes.
[[nodiscard]] constexpr std::size_t base64url_encoded_size(std::size_t len) noexcept {
  return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

// base64url_decode decodes `in` into `out`, which must hold at least
// base64url_decoded_size(in.size()) bytes. Returns true and sets *out_len to the number
// of bytes written; returns false when `in` breaks any rule above (the contents of
// `out` are then unspecified). Does not allocate; uses the fastest decoder the CPU
// supports (the scalar and AVX2 decoders agree on every input).
[[nodiscard]] bool base64url_decode(std::string_view in, std::uint8_t* out,
                                    std::size_t* out_len) noexcept;

// base64url_decode (allocating form) returns the decoded bytes, or nullopt when `in`
// is not strict base64url.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view in);

// base64url_encode writes base64url_encoded_size(in.size()) characters (no padding) to
// `out` and returns that count. Does not allocate.
std::size_t base64url_encode(std::span<const std::uint8_t> in, char* out) noexcept;

// base64url_encode (allocating forms) returns the encoding of `in`'s bytes.
[[nodiscard]] std::string base64url_encode(std::span<const std::uint8_t> in);
[[nodiscard]] std::string base64url_encode(std::string_view in);

// base64url_simd_path names the decoder base64url_decode uses on this CPU: "AVX2" or
// "scalar" (a static string; for version and diagnostic output).
[[nodiscard]] const char* base64url_simd_path() noexcept;

}  // namespace jwtbatch
