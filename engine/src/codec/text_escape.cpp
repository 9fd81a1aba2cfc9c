#include "codec/text_escape.hpp"

#include <algorithm>
#include <cstdint>

#include "codec/hex.hpp"

namespace jwtbatch::detail {

std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t left = s.size() - i;
  const auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0U) == 0x80U; };
  const unsigned char c = b(0);
  if (c < 0x80U) return 1;
  if (c >= 0xC2U && c <= 0xDFU) return cont(1) ? 2 : 0;
  if (c >= 0xE0U && c <= 0xEFU) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0U && b(1) < 0xA0U) return 0;   // overlong
    if (c == 0xEDU && b(1) >= 0xA0U) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0U && c <= 0xF4U) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0U && b(1) < 0x90U) return 0;   // overlong
    if (c == 0xF4U && b(1) >= 0x90U) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

namespace {

std::uint32_t code_point(std::string_view seq) noexcept {
  const auto b = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(seq[k]));
  };
  switch (seq.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1FU) << 6U) | (b(1) & 0x3FU);
    case 3:
      return ((b(0) & 0x0FU) << 12U) | ((b(1) & 0x3FU) << 6U) | (b(2) & 0x3FU);
    default:
      return ((b(0) & 0x07U) << 18U) | ((b(1) & 0x3FU) << 12U) | ((b(2) & 0x3FU) << 6U) |
             (b(3) & 0x3FU);
  }
}

// Code points a terminal acts on instead of showing (append_text in text_escape.hpp).
bool invisible_control(std::uint32_t cp) noexcept {
  return (cp >= 0x80U && cp <= 0x9FU) || cp == 0x2028U || cp == 0x2029U || cp == 0x061CU ||
         cp == 0x200EU || cp == 0x200FU || (cp >= 0x202AU && cp <= 0x202EU) ||
         (cp >= 0x2066U && cp <= 0x2069U);
}

}  // namespace

void append_text(std::string& out, std::string_view s, bool quoted) {
  if (quoted) out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    if (c == '\\') {
      out += "\\\\";
    } else if (quoted && c == '"') {
      out += "\\\"";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20U || c == 0x7FU || n == 0) {
      out += "\\x";
      append_hex(out, c, 2);
      ++i;
      continue;
    } else if (const std::uint32_t cp = code_point(s.substr(i, n)); invisible_control(cp)) {
      out += "\\u";
      append_hex(out, cp, 4);  // every code point here fits in 4 digits
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  if (quoted) out += '"';
}

std::string escape_text(std::string_view s, bool quoted) {
  std::string out;
  append_text(out, s, quoted);
  return out;
}

std::string_view cut_text(std::string_view s, std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s;
  // Walk whole sequences (an invalid byte counts as one) so no character is split.
  std::size_t end = 0;
  while (end < s.size()) {
    const std::size_t n = std::max<std::size_t>(utf8_length(s, end), 1);
    if (end + n > max_bytes) break;
    end += n;
  }
  return s.substr(0, end);
}

}  // namespace jwtbatch::detail
