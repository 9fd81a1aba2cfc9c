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

// k_max_tokens_per_line: find_tokens' default cap. A line holding more tokens is reported
// as cut (the caller marks it), so one line of tiny tokens cannot multiply the work and
// the output.
inline constexpr std::size_t k_max_tokens_per_line = 64;

// found_token is one token found in a line: `token` views into the line passed to
// find_tokens (valid as long as that line's bytes are), `offset` is its byte offset in
// the line, so line.substr(offset, token.size()) == token. When `percent_encoded` is
// true the text holds percent-escapes (RFC 3986 §2.1) and the token to verify is
// percent_decode(token); the view still shows the bytes the log held.
struct found_token {
  std::size_t offset = 0;
  std::string_view token;
  bool percent_encoded = false;
};

// find_tokens clears `out` and appends the tokens of `line`, in line order, never
// overlapping, at most `max_tokens` of them; it returns true when the line held more
// (the line is then cut: the first max_tokens are in `out`). The caller owns `out` and
// reuses it from line to line; find_tokens allocates only when `out` must grow
// (allocation failure terminates: it is noexcept, like the engine's hot path). Work is
// linear in line.size() whatever the bytes. Thread-safe (no shared state).
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
//     URL query strings and fragments, form bodies, logfmt fields and cookie pairs
//     ("Cookie: a=1; session=<t>", "Set-Cookie: id=<t>; Path=/"). The token is the
//     unquoted value after '='.
//  3. JSON string value: a '"' preceded (spaces and tabs allowed) by ':' and a '"'
//     closing the member name, e.g. "token":"<t>" or "jwt" : "<t>", any member name,
//     any nesting depth. The token is the string's raw content up to its closing
//     unescaped quote; a string left unterminated by the end of the line is no token.
//  4. Bare: a maximal run of base64url characters [A-Za-z0-9_-] and '.' containing
//     exactly two dots whose first segment starts like a JOSE header (below). Empty
//     payload or signature segments are allowed, so the unsigned `alg:none` form
//     "eyJ..eyJ..." ending in '.' is found (the verifier then reports it). One
//     refinement: a run of exactly three dots ending in '.' is a token followed by
//     sentence punctuation, and that final dot is not part of the token ("see
//     eyJa.eyJb.sig." finds "eyJa.eyJb.sig"). Runs with more dots (JWE's five segments,
//     version numbers, host names) are not tokens.
//
// Header start. A JOSE header is a JSON object (RFC 7515 §4), and JSON allows
// whitespace (RFC 8259 §2: space, tab, LF, CR) around its tokens; verifiers (jwtbatch
// verify, jose, fast-jwt) accept `{\n"alg":...}` as well as `{"alg":...}`. A segment
// starts like a header when its base64url decodes to JSON whitespace, '{', JSON
// whitespace, then '"'. That is: "eyI" "eyJ" "eyK" "eyL" (`{"` and any byte), or
// "eyA" "ewk" "ewo" "ew0" (`{` and a space, tab, LF or CR) followed by "g" "J" "K" "N"
// or "i" (more whitespace or the '"'); with whitespace before '{' the segment starts
// with 'I' (space), 'C' (tab, LF) or 'D' (CR) and must decode to its '{' within its
// first 16 characters, or to 12 bytes of whitespace. Only the decoded prefix is
// checked: a short first segment ("eyJ") qualifies when it is consistent so far.
//
// An unquoted value (rules 1 and 2) ends at ASCII whitespace, '"', '\'', '&', ';', ',',
// '#' (URL fragment), '|' (pipe-delimited logs), '<', '>', '(', ')' (markup, prose), a
// backslash followed by '"' (the escaped quote that closes it when the whole log record
// was itself JSON-escaped), a percent-escape (%XX, either case) of any byte other than
// [A-Za-z0-9_.-+/=] (so "%20", "%22", "%23", "%26", "%3B", "%2C", "%7C", "%25", ... end
// it), or the end of the line. None of these is in RFC 6750's b64token alphabet; ','
// separates fields in CSV, logfmt and header lists.
//
// Explicit contexts (rules 1-3) take the whole value up to its delimiter even when it
// holds bytes outside base64url ('+', '/', '=' padding, '%', JSON escapes such as "\/",
// and percent-escapes of '+', '/', '='): a hostile or mangled token is then verified and
// reported (bad_base64, malformed, ...) instead of being skipped or silently cut to a
// clean-looking prefix. They do not take values that cannot be JWTs, so opaque
// credentials are never reported as bad JWTs:
//  - a Bearer value, or the value of a parameter or JSON member named access_token,
//    id_token or token (any case): taken when it contains a '.' or starts like a
//    header ("Bearer abc123", "token=0a1b2c" are opaque tokens, not reported);
//  - any other parameter or JSON member (cookies, "?jwt=", "session":...): taken only
//    when it starts like a header and contains a '.', since host names, IP addresses,
//    URLs, "_ga=GA1.2.3.4" cookies and prose all contain dots;
//  - a JSON value that starts with "Bearer " is left to rule 1.
// These checks read the value percent-decoded ("%65yJ" starts like a header, "%2E" is a
// dot). A value that is not taken is read again byte by byte, so a token inside it (a
// URL in a JSON "url" member, a message mentioning a token) is still found by the rules
// above.
//
// Percent-encoding. A value of an explicit context that holds a percent-escape is found
// as the line holds it, with percent_encoded set; the caller verifies its
// percent_decode (jwt=%65yJ..., dots as %2E, any byte escaped). Bare tokens (rule 4)
// are never decoded: every base64url character and '.' is unreserved (RFC 3986 §2.3),
// which URI producers do not escape, so escaped token bytes appear only where someone
// chose to escape them, in a parameter or header value, and those are explicit
// contexts. JSON escapes and HTML entities are not decoded: an escape inside a token
// means it is not well-formed base64url; it is reported as such (bad_base64) with the
// bytes the log held. A hostile token outside any explicit context is found only up to
// its first foreign byte, or not at all.
bool find_tokens(std::string_view line, std::vector<found_token>& out,
                 std::size_t max_tokens = k_max_tokens_per_line) noexcept;

// percent_decode appends to `out` the bytes `text` percent-decodes to (RFC 3986 §2.1:
// %XX with hex digits in either case; a '%' not followed by two hex digits stays as it
// is). Single pass; no allocation beyond `out` growing (std::bad_alloc from it).
void percent_decode(std::string_view text, std::string& out);

namespace detail {
// candidate_search: how find_tokens looks for the bytes where a rule may start.
// find_tokens uses `best` (AVX2 when the CPU has it, else SSE2 on x86-64, else bytewise);
// the others exist so that tests and benchmarks can hold each search to the reference.
enum class candidate_search { bytewise, portable_simd, best };
bool find_tokens_using(candidate_search how, std::string_view line, std::vector<found_token>& out,
                       std::size_t max_tokens = k_max_tokens_per_line) noexcept;

// find_tokens_bytewise is find_tokens trying the rules at every byte instead of only at
// the vectorised search's candidates: the reference the differential tests and the
// fuzzer hold find_tokens to (same results, byte for byte).
bool find_tokens_bytewise(std::string_view line, std::vector<found_token>& out,
                          std::size_t max_tokens = k_max_tokens_per_line) noexcept;
}  // namespace detail

}  // namespace jwtbatch::cli
