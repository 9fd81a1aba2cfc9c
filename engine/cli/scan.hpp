// scan.hpp: the pure core of `jwtbatch scan`: where the tokens are in one log line (when
// it was written: log_time.hpp). No engine calls, no I/O, no exceptions, and no
// allocation per line once the caller's output vector has grown to the line's token
// count: it runs once per log line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace jwtbatch::cli {

// found_token is one token found in a line: `token` views into the line passed to
// find_tokens (valid as long as that line's bytes are), `offset` is its byte offset in
// the line, so line.substr(offset, token.size()) == token.
struct found_token {
  std::size_t offset = 0;
  std::string_view token;
  bool percent_encoded = false;  // the text holds %XX escapes; the token is its percent_decode
};

// Tokens reported per line at most; a line holding more is reported as cut.
inline constexpr std::size_t k_max_tokens_per_line = 64;

// find_tokens clears `out` and appends every token of `line`, in line order, never
// overlapping. The caller owns `out` and reuses it from line to line; find_tokens
// allocates only when `out` must grow (allocation failure terminates: it is noexcept,
// like the engine's hot path). Work is linear in line.size() whatever the bytes.
//
// What counts as a token. The line is read left to right; at each position the first
// rule that applies takes its bytes and reading resumes after them:
//
//  1. Bearer: the word "Bearer" (any case, not preceded by a letter, digit, '_' or '-')
//     followed by one or more spaces or tabs; the token is the unquoted value after
//     them. This covers "Authorization: Bearer <t>" header lines and the quoted
//     "Bearer <t>" field of nginx/Apache access logs; the header name is not required
//     because access logs usually print the value alone.
//  2. Parameter: `name=value` where `=` follows a letter, digit, '_', '-' or '.'; covers
//     URL query strings, form bodies, logfmt fields and cookie pairs
//     ("Cookie: a=1; session=<t>", "Set-Cookie: id=<t>; Path=/"). The token is the
//     unquoted value after '='.
//  3. JSON string value: a '"' preceded (spaces and tabs allowed) by ':' and a '"'
//     closing the member name, e.g. "token":"<t>" or "jwt" : "<t>", any member name,
//     any nesting depth. The token is the string's raw content up to its closing
//     unescaped quote; a string left unterminated by the end of the line is no token.
//  4. Bare: a maximal run of base64url characters [A-Za-z0-9_-] and '.' containing
//     exactly two dots whose first segment starts with "ey" (the base64url spelling of
//     `{"` or `{ `, the start of every real JOSE header). Empty payload or signature
//     segments are allowed, so the unsigned `alg:none` form "eyJ..eyJ..." ending in '.'
//     is found (the verifier then reports it). One refinement: a run of exactly three
//     dots ending in '.' is a token followed by sentence punctuation, and that final dot
//     is not part of the token ("see eyJa.eyJb.sig." finds "eyJa.eyJb.sig"). Runs with
//     more dots (JWE's five segments, version numbers, host names) are not tokens.
//
// An unquoted value (rules 1 and 2) ends at ASCII whitespace, '"', '\'', '&', ';', ',',
// a backslash followed by '"' (the escaped quote that closes it when the whole log
// record was itself JSON-escaped), or the end of the line. ',' is not in RFC 6750's
// token alphabet and separates fields in CSV, logfmt and header lists, so it ends the
// value too.
//
// Explicit contexts (rules 1-3) take the whole value up to its delimiter even when it
// holds bytes outside base64url ('+', '/', '=' padding, '%', JSON escapes such as "\/"):
// a hostile or mangled token is then verified and reported (bad_base64, malformed, ...)
// instead of being skipped or silently cut to a clean-looking prefix. They do not take
// values that cannot be JWTs, so opaque credentials are never reported as bad JWTs:
//  - a Bearer value, or the value of a parameter or JSON member named access_token,
//    id_token or token (any case): taken when it contains a '.' or starts with "ey"
//    ("Bearer abc123", "token=0a1b2c" are opaque tokens, not reported);
//  - any other parameter or JSON member (cookies, "?jwt=", "session":...): taken only
//    when it starts with "ey" and contains a '.', since host names, IP addresses,
//    URLs, "_ga=GA1.2.3.4" cookies and prose all contain dots;
//  - a JSON value that starts with "Bearer " is left to rule 1.
// A value that is not taken is read again byte by byte, so a token inside it (a URL
// in a JSON "url" member, a message mentioning a token) is still found by the rules
// above.
//
// What is not decoded: percent-encoding, JSON escapes and HTML entities stay as they are
// in the line, since the token views into the line and nothing is copied. No real
// writer escapes base64url characters, so an escape inside a token already means a
// token that is not well-formed base64url; it is reported as such (bad_base64), and the
// report shows the bytes the log actually held. Bare tokens (rule 4) are only ever
// clean base64url: a hostile token outside any explicit context is found only up to its
// first foreign byte, or not at all.
// Returns true when the line held more than `max_tokens` tokens: the first max_tokens
// are reported and the line is cut.
bool find_tokens(std::string_view line, std::vector<found_token>& out,
                 std::size_t max_tokens = k_max_tokens_per_line) noexcept;

// percent_decode appends to `out` the bytes `text` percent-decodes to (RFC 3986 §2.1:
// %XX with hex digits in either case; a '%' not followed by two hex digits stays as is).
void percent_decode(std::string_view text, std::string& out);

}  // namespace jwtbatch::cli
