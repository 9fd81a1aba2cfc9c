// compact.hpp: splitting a compact JWS (RFC 7515 §7.1) into its three segments.
#pragma once

#include <cstddef>
#include <string_view>

#include "jwtbatch/policy.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// Default maximum token length in bytes (docs/SECURITY.md P3); configurable per call.
inline constexpr std::size_t k_default_max_token_bytes = input_limits{}.max_token_bytes;

// The three segments of a compact JWS, as views into the caller's token.
struct compact_parts {
  std::string_view header;         // BASE64URL(UTF8(JWS Protected Header))
  std::string_view payload;        // BASE64URL(JWS Payload)
  std::string_view signature;      // BASE64URL(JWS Signature)
  std::string_view signing_input;  // header '.' payload: the bytes the signature covers
};

// split_compact checks the size limit, then finds exactly two '.' in `token`.
//
// Returns ok and fills `out` (views into `token`, valid as long as it is), or:
//  - token_too_large: token.size() > max_token_bytes (checked before anything else);
//  - unsupported_serialization: five segments (JWE compact, RFC 7516 §7.1), or a
//    token that starts with '{' (JWS JSON serialization);
//  - bad_segments: empty, or any other number of segments.
// Segment contents are not inspected here: the verifier decodes all three strictly
// right after the split, before any header, key or signature work. Work is bounded: the scan stops
// at the sixth '.', so 100k dots cost nothing. noexcept, no allocation, thread-safe.
[[nodiscard]] status split_compact(std::string_view token, std::size_t max_token_bytes,
                                   compact_parts& out) noexcept;

}  // namespace jwtbatch::detail
