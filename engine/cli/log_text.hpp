// log_text.hpp: the byte classes and small readers that the log-line parsers (scan.cpp,
// log_time.cpp) share. ASCII only, locale-free, noexcept.
#pragma once

#include <cstddef>
#include <string_view>

namespace jwtbatch::cli::log_text {

inline constexpr std::size_t k_none = std::string_view::npos;

constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum(char c) noexcept {
  return is_alpha(c) || is_digit(c);
}
// RFC 4648 §5 alphabet.
constexpr bool is_b64url(char c) noexcept {
  return is_alnum(c) || c == '-' || c == '_';
}
constexpr bool is_run_char(char c) noexcept {
  return is_b64url(c) || c == '.';
}
// Characters that glue a word to the one before it: "x-token" is not "token".
constexpr bool is_word(char c) noexcept {
  return is_b64url(c);
}
constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// RFC 8259 §2: the four bytes JSON allows between tokens.
constexpr bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// hex_value of a character for which is_hex holds.
constexpr unsigned hex_value(char c) noexcept {
  if (is_digit(c)) return static_cast<unsigned>(c - '0');
  return static_cast<unsigned>((c | 0x20) - 'a' + 10);
}
// is_escape tells whether s[i] starts a percent-escape, '%' and two hex digits
// (RFC 3986 §2.1; either case).
inline bool is_escape(std::string_view s, std::size_t i) noexcept {
  return i + 2 < s.size() && s[i] == '%' && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}
// escape_value is the byte the escape at s[i] stands for (is_escape(s, i) holds).
inline char escape_value(std::string_view s, std::size_t i) noexcept {
  return static_cast<char>((hex_value(s[i + 1]) << 4) | hex_value(s[i + 2]));
}
constexpr char to_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// iequals compares ASCII case-insensitively; `lower` is already lower case.
inline bool iequals(std::string_view s, std::string_view lower) noexcept {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (to_lower(s[i]) != lower[i]) return false;
  }
  return true;
}

inline bool starts_with_ey(std::string_view v) noexcept {
  return v.size() >= 2 && v[0] == 'e' && v[1] == 'y';
}

// json_string_end returns the index of the quote closing the JSON string whose content
// starts at `from` (backslash escapes skipped), or k_none when the line ends first.
inline std::size_t json_string_end(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
  while (i < s.size()) {
    if (s[i] == '\\') {
      i += 2;
    } else if (s[i] == '"') {
      return i;
    } else {
      ++i;
    }
  }
  return k_none;
}

}  // namespace jwtbatch::cli::log_text
