// core/ascii.hpp: ASCII letter case, the engine's one home for it. Names the JOSE and
// HTTP rules compare without case (alg "none" in any case, RFC 7515 §4.1.9's media
// types: RFC 2045 §5.1, RFC 9110 §8.3.1) are ASCII, so only A-Z and a-z fold: never the
// C locale's tolower, which a process may have set to something else.
#pragma once

#include <cstddef>
#include <string_view>

namespace jwtbatch::detail {

// ascii_lower is `c` with A-Z turned into a-z; every other byte as it is.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ascii_iequals: `a` and `b` have the same length and bytes, A-Z and a-z compared
// without case.
[[nodiscard]] constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace jwtbatch::detail
