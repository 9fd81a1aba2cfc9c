// jwtbatch/json_text.hpp: JSON and plain text written safely from untrusted bytes, and
// a JSON text read the way the verifier reads a token's header and payload.
//
// For programs that print what a token or a key file contained (the jwtbatch command
// line writes its NDJSON records and its messages with these): whatever the bytes,
// the output stays one valid JSON string, or one line of harmless text.
//
// The writers allocate only by growing `out`, throw only std::bad_alloc, and are
// thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/status.hpp"

namespace jwtbatch {

// append_json_string appends `s` to `out` as a quoted JSON string (RFC 8259 §7): the
// quote, the backslash and control characters escaped; bytes that are not valid UTF-8
// become the escape \ufffd (U+FFFD), so every output line is valid JSON whatever a token contained.
void append_json_string(std::string& out, std::string_view s);

// append_text appends `s` escaped for a line of text a person or a line-based tool
// reads (TSV fields, summaries, messages naming a kid): the text cannot end the line,
// add a field, move the cursor or change the terminal's state.
//   \\ for a backslash, \t \n \r for tab, line feed and carriage return;
//   \xHH for every other C0 control byte, DEL (0x7f) and each byte that is not part of
//        valid UTF-8 (RFC 3629: overlong forms, surrogates, stray continuation bytes);
//   \uHHHH for the C1 controls U+0080..U+009F, U+2028 and U+2029, and the bidirectional
//        controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 ("Trojan
//        Source": they reorder what a terminal shows).
// With `quoted`, the text is wrapped in double quotes and a '"' inside becomes \", so a
// name cannot imitate the columns after it. Valid printable UTF-8 is kept as is.
void append_text(std::string& out, std::string_view s, bool quoted = false);

// escape_text returns what append_text would append to an empty string.
[[nodiscard]] std::string escape_text(std::string_view s, bool quoted = false);

// rfc3339_utc: `at` (Unix seconds, years 1970..9999) as an RFC 3339 date-time in UTC,
// "2026-03-01T00:00:00Z", with milliseconds ("...00:00:00.250Z") when the fraction
// rounds to some; for messages and listings (a key's window, a fetch time).
[[nodiscard]] std::string rfc3339_utc(double at);

// cut_text returns the longest head of `s` of at most `max_bytes` bytes that does not
// end inside a UTF-8 sequence (a multi-byte character is kept whole or dropped whole).
// The view points into `s`. Does not allocate.
[[nodiscard]] std::string_view cut_text(std::string_view s, std::size_t max_bytes) noexcept;

// A JSON text as read_json_text saw it.
struct json_text {
  // ok when `text` is one JSON text the verifier would accept as a header or payload:
  // no byte-order mark (RFC 8259 §8.1), valid grammar and UTF-8, no member name twice
  // in one object (RFC 7515 §4, RFC 8725 §2.6), and the verifier's bounds on depth,
  // member and element counts and string length kept. Otherwise the first failure:
  // bad_json, duplicate_member, json_limit_exceeded...
  status code = status::bad_json;
  bool ok = false;         // code == status::ok
  bool is_object = false;  // ok, and the root is an object
  std::string minified;    // when ok: the text without insignificant whitespace, bytes kept
  std::string problem;     // when !ok: why, in words for a person (e.g. "not JSON (...)")
  std::vector<std::pair<std::string, std::string>> members;  // the root object's (name,
                                                             // value as minified JSON)
};

// read_json_text checks `text` as the verifier checks a decoded header or payload and
// returns what it found; a bad text is a verdict in the result, never an exception
// (only std::bad_alloc is thrown). Allocates; not for the hot path. Thread-safe.
[[nodiscard]] json_text read_json_text(std::string_view text);

}  // namespace jwtbatch
