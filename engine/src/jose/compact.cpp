#include "jose/compact.hpp"

#include <array>
#include <cstring>

namespace jwtbatch::detail {

status split_compact(std::string_view token, std::size_t max_token_bytes,
                     compact_parts& out) noexcept {
  if (token.size() > max_token_bytes) return status::token_too_large;
  if (token.empty()) return status::bad_segments;
  if (token.front() == '{') return status::unsupported_serialization;  // RFC 7515 §7.2

  // Positions of the first five dots; memchr is vectorised by the C library.
  std::array<std::size_t, 5> dots{};
  std::size_t count = 0;
  const char* const begin = token.data();
  const char* const end = begin + token.size();
  const char* p = begin;
  while (p < end) {
    const void* hit = std::memchr(p, '.', static_cast<std::size_t>(end - p));
    if (hit == nullptr) break;
    const char* dot = static_cast<const char*>(hit);
    if (count == dots.size()) return status::bad_segments;  // six or more segments
    dots[count++] = static_cast<std::size_t>(dot - begin);
    p = dot + 1;
  }
  if (count == 4) return status::unsupported_serialization;  // JWE compact: 5 segments
  if (count != 2) return status::bad_segments;

  out.header = token.substr(0, dots[0]);
  out.payload = token.substr(dots[0] + 1, dots[1] - dots[0] - 1);
  out.signature = token.substr(dots[1] + 1);
  out.signing_input = token.substr(0, dots[1]);
  return status::ok;
}

}  // namespace jwtbatch::detail
