// text_escape.hpp: untrusted bytes made safe for a line of text that a person or a
// line-based tool reads. Used for every name that came from a token or a key file:
// the CLI's TSV fields and summaries, and the kids quoted in key-set messages.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jwtbatch::detail {

// utf8_length returns the length of the valid UTF-8 sequence at s[i] (RFC 3629 §4),
// or 0 when it is not one: overlong forms, surrogates and code points above U+10FFFF
// are invalid. Requires i < s.size().
[[nodiscard]] std::size_t utf8_length(std::string_view s, std::size_t i) noexcept;

// append_text appends `s` escaped for a line of text that a person or a line-based tool
// reads (TSV fields, the stderr summary, --rsyslog-log, the key set's messages): whatever the
// bytes, the text cannot end the line, add a field, move the cursor or change the terminal's state.
//   \\ for a backslash, \t \n \r for tab, line feed and carriage return;
//   \xHH for every other C0 control byte, DEL (0x7f) and each byte that is not part
//        of valid UTF-8 (overlong forms, surrogates, stray continuation bytes...);
//   \uHHHH for the C1 controls U+0080..U+009F (some terminals obey them, e.g. U+009B
//        is CSI), the line and paragraph separators U+2028 and U+2029, and the
//        bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E and
//        U+2066..U+2069 (they reorder what a terminal shows, "Trojan Source").
// With `quoted`, the text is wrapped in double quotes and a '"' inside becomes \", so
// a name cannot imitate the columns after it. Valid printable UTF-8 is kept as is.
void append_text(std::string& out, std::string_view s, bool quoted = false);
[[nodiscard]] std::string escape_text(std::string_view s, bool quoted = false);

// cut_text returns the longest head of `s` of at most `max_bytes` bytes that does not
// end inside a UTF-8 sequence (a multi-byte character is kept whole or dropped whole).
[[nodiscard]] std::string_view cut_text(std::string_view s, std::size_t max_bytes) noexcept;

}  // namespace jwtbatch::detail
