// base64url.hpp: strict base64url (RFC 4648 §5) as JWS uses it (RFC 7515 §2).
//
// Strict means one token has exactly one spelling: the alphabet is A-Z a-z 0-9 '-' '_'
// only; no '=' padding, no whitespace, no '+' or '/'; an input length of 1 mod 4 is
// impossible; and the unused low bits of the last character must be zero (otherwise
// two spellings decode to the same bytes and defeat token-hash deny lists).
//
// Two decoders give byte-identical output and identical verdicts on every input: a
// table-driven scalar one, and an AVX2 one picked once at run time by CPU feature.
// Neither allocates; both write exactly base64url_decoded_size(in.size()) bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace jwtbatch::detail {

// base64url_decoded_size is the number of bytes a valid input of `encoded_len`
// characters decodes to (for len = 1 mod 4, which is never valid, it returns the
// bytes the complete quanta would give). Use it to size the output buffer.
[[nodiscard]] constexpr std::size_t base64url_decoded_size(std::size_t encoded_len) noexcept {
  const std::size_t rem = encoded_len % 4;
  return encoded_len / 4 * 3 + (rem > 1 ? rem - 1 : 0);
}

// base64url_encoded_size is the unpadded length of the encoding of `len` bytes.
[[nodiscard]] constexpr std::size_t base64url_encoded_size(std::size_t len) noexcept {
  return len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

// base64url_decode decodes `in` into `out`, which must hold at least
// base64url_decoded_size(in.size()) bytes. Returns true and sets *out_len on success;
// returns false on any strictness violation (the contents of `out` are then
// unspecified). Uses the fastest decoder this CPU supports. Thread-safe.
[[nodiscard]] bool base64url_decode(std::string_view in, std::uint8_t* out,
                                    std::size_t* out_len) noexcept;

// The two implementations behind base64url_decode, exposed for tests, benchmarks and
// the differential fuzzer. base64url_decode_avx2 must only be called when
// base64url_avx2_available() is true.
[[nodiscard]] bool base64url_decode_scalar(std::string_view in, std::uint8_t* out,
                                           std::size_t* out_len) noexcept;
[[nodiscard]] bool base64url_decode_avx2(std::string_view in, std::uint8_t* out,
                                         std::size_t* out_len) noexcept;
[[nodiscard]] bool base64url_avx2_available() noexcept;

// base64url_encode writes base64url_encoded_size(in.size()) characters to `out` and
// returns that count. No padding.
std::size_t base64url_encode(std::span<const std::uint8_t> in, char* out) noexcept;

// Convenience for tools and tests (allocates; not for the hot path).
[[nodiscard]] std::string base64url_encode(std::string_view in);

}  // namespace jwtbatch::detail
