// scan.hpp: the pure core of `jwtbatch scan`: where the tokens are in one log line, and
// when the line was written. No engine calls, no I/O, no exceptions, and no allocation
// per line once the caller's output vector has grown to the line's token count: both
// functions run once per log line.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace jwtbatch::cli {

// found_token is one token found in a line: `token` views into the line passed to
// find_tokens (valid as long as that line's bytes are), `offset` is its byte offset in
// the line, so line.substr(offset, token.size()) == token.
struct found_token {
  std::size_t offset = 0;
  std::string_view token;
};

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
void find_tokens(std::string_view line, std::vector<found_token>& out) noexcept;

// log_time_options tells log_time where the line's own timestamp is.
struct log_time_options {
  // When non-empty, the name of the JSON member holding the time (e.g. "ts",
  // "@timestamp"); it views into memory the caller keeps alive during the call.
  std::string_view time_field;
  // The year of syslog timestamps ("Oct 10 13:55:36" carries none): the CLI sets it
  // from the file's modification time or the current year. Unset: syslog timestamps
  // are not recognised.
  std::optional<int> syslog_year;
};

// log_time returns the time the line was written, as Unix seconds (a fraction when the
// timestamp has one), or nullopt when the line has none it recognises. Never throws,
// never allocates, linear in line.size(), independent of the TZ environment and of the
// C library's time functions.
//
// With o.time_field set, only that member counts (the first member of that name at any
// depth, member names compared exactly): a JSON number of epoch seconds
// (1696946136, 1696946136.25), a string of one (digits with an optional fraction), or a
// string holding an RFC 3339 timestamp. Epoch values must fall in years 0-9999 like
// every other timestamp; one that would lie beyond as seconds is read as milliseconds
// (1696946136325, common in JSON logs), and one beyond that too is no time. Missing or
// unreadable gives nullopt, never a fallback to another timestamp in the line, which
// would not be the time the user named.
//
// Otherwise the leftmost valid timestamp in the line, in any of these forms (the
// line's own timestamp is the prefix in every log format these come from):
//  - RFC 3339 / ISO 8601 extended: 2023-10-10T13:55:36Z; 't' or a space instead of 'T';
//    a fraction of any length (.5, .123456789: beyond nanoseconds ignored); zone 'Z',
//    'z', +02:00 or +0200; no zone means UTC. Seconds are required (no "13:55Z"), and
//    the basic form 20231010T135536Z is not recognised.
//  - Common Log Format: [10/Oct/2000:13:55:36 -0700] (month name in any case, the
//    zone is required).
//  - syslog (RFC 3164): Oct 10 13:55:36 or Oct  1 13:55:36, month names capitalised
//    as RFC 3164 writes them (so prose such as "may 12" is no date), in o.syslog_year,
//    read as UTC since the line names no zone.
// A candidate starts where a digit run starts (RFC 3339), at '[' (CLF), or at a letter
// not glued to a letter or digit (syslog).
// Every field is range-checked: year 0-9999, month 1-12, day within its month (29 February only in
// leap years of the Gregorian calendar), hour 0-23, minute 0-59, second 0-60 (a leap
// second reads as the first second of the next minute: POSIX time has none), zone
// offset under 24 hours. A timestamp that fails is skipped and the search continues
// after it, so a version string such as 2023-13-01T00:00:00 is never a time.
[[nodiscard]] std::optional<double> log_time(std::string_view line,
                                             const log_time_options& o) noexcept;

}  // namespace jwtbatch::cli
