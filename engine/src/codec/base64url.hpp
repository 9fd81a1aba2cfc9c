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

#include "jwtbatch/base64url.hpp"

namespace jwtbatch::detail {

// The sizes, spelled once in the public header.
using jwtbatch::base64url_decoded_size;
using jwtbatch::base64url_encoded_size;

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
