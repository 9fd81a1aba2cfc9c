// log_time.hpp: the pure core of `jwtbatch scan --at-log-time`: when a log line was
// written. No engine calls, no I/O, no exceptions, no allocation: it runs once per line.
#pragma once

#include <optional>
#include <string_view>

namespace jwtbatch::cli {

// log_time_options tells log_time how to read a line's own time.
struct log_time_options {
  // --time-field NAME: when non-empty, the only name of a JSON line's time member (and
  // of a logfmt line's leading time key) instead of the defaults "ts", "time",
  // "timestamp" and "@timestamp". It views into memory the caller keeps alive during
  // the call.
  std::string_view time_field;
  // --syslog-year: the year of every RFC 3164 stamp ("Oct 10 13:55:36" carries none).
  // When set, syslog_reference is not used.
  std::optional<int> syslog_year;
  // The Unix time the log was last written (the file's modification time, or now for a
  // pipe): the year of an RFC 3164 stamp is the reference's (UTC) year, or the year
  // before when the stamp would then lie more than 31 days after the reference
  // (December lines in a file last written in January) or is no date of that year
  // (29 February). A reference outside years 0-9999, or neither field set: RFC 3164
  // stamps are not recognised.
  std::optional<double> syslog_reference;
};

// log_time returns the time the line says it was written, as Unix seconds (a fraction
// when the timestamp has one), from the line's own time field only, or nullopt when the
// line has none that is recognised. Never throws, never allocates, linear in
// line.size(), independent of the TZ environment and of the C library's time functions.
//
// The shape of the line is told by how it starts (which the program writing the log
// controls), and each shape's time is read at its fixed place; no other text in the
// line is ever taken for the time (a client's user name, query parameter or JSON
// member can hold anything that looks like a timestamp):
//  - JSON line ('{' after optional whitespace): the value of the one top-level member
//    named "ts", "time", "timestamp" or "@timestamp" (o.time_field instead when set),
//    names compared after unescaping. Nested members and string values never count.
//    More than one such member (the same name twice, or two of the defaults, even with
//    equal values), none, or a line that is not exactly one object (with whitespace
//    around) whose nesting is at most 1024 levels: nullopt. The value is a JSON number
//    of epoch seconds (1696946136, 1696946136.25, 1.696946136e9), a string of epoch
//    digits with an optional fraction, or a string holding exactly one RFC 3339
//    timestamp; an escaped string is unescaped first (over 64 bytes unescaped: no
//    time). Epoch values must fall in years 0-9999 like every other timestamp; one that
//    would lie beyond as seconds is read as milliseconds (1696946136325), and one beyond
//    that too is no time.
//  - syslog with a PRI ('<' 1-3 digits of 0..191 '>'; RFC 3164 §4.1.1, RFC 5424
//    §6.2.1): RFC 5424's VERSION SP TIMESTAMP SP, where TIMESTAMP is RFC 3339 with 'T'
//    and a zone (§6.2.3) or NILVALUE '-' (no time); rsyslog's forwarding format (the
//    same RFC 3339 stamp right after the PRI, then SP); or an RFC 3164 stamp right
//    after the PRI, then SP. Nothing else: a line with a PRI and no such header has no
//    time.
//  - RFC 3339 at the very start of the line, not followed by a letter or digit
//    (RSYSLOG_FileFormat, Python's logging "2023-10-10 13:55:36,123", most plain logs),
//    or "[RFC 3339]" at the very start (Monolog, Laravel).
//  - logfmt whose first pair is the time: ts=, time= or timestamp= (o.time_field= when
//    set) at the very start, the value bare or in double quotes without escapes, read
//    as a JSON string value (go-kit, Prometheus, logrus' text format).
//  - RFC 3164 stamp at the very start, followed by a space (syslog files in rsyslog's
//    traditional format), with the year from o.syslog_year or o.syslog_reference.
//  - NCSA common/combined log: the fourth field after three fields of one or more bytes
//    other than a space, each followed by one space (%h %l %u), "[10/Oct/2000:13:55:36
//    -0700]", followed by ` "` (the quoted request). A user name holding spaces shifts
//    the fields and, since servers escape '"' in it, cannot supply that quote: such a
//    line has no time. vhost_combined (a field more in front) is not this shape.
//  - A line that reads as two of the last four shapes (the combined log's first field
//    can be anything) has no time; so has any other line.
//
// Timestamp spellings:
//  - RFC 3339 / ISO 8601 extended: 2023-10-10T13:55:36Z; 't' or a space instead of 'T'
//    (where the shape allows it); a fraction of any length (.5, .123456789: beyond
//    nanoseconds ignored); zone 'Z', 'z', +02:00 or +0200; no zone means UTC. Seconds
//    are required (no "13:55Z"), and the basic form 20231010T135536Z is not recognised.
//  - Common Log Format: [10/Oct/2000:13:55:36 -0700] (month name in any case, the
//    zone is required).
//  - syslog (RFC 3164): Oct 10 13:55:36 or Oct  1 13:55:36, month names capitalised
//    as RFC 3164 writes them, read as UTC since the line names no zone.
// Every field is range-checked: year 0-9999, month 1-12, day within its month (29
// February only in leap years of the Gregorian calendar), hour 0-23, minute 0-59, second
// 0-60 (a leap second reads as the first second of the next minute: POSIX time has
// none), zone offset under 24 hours. A line whose own time fails a check has no time.
[[nodiscard]] std::optional<double> log_time(std::string_view line,
                                             const log_time_options& o) noexcept;

// The range of every timestamp read here: 0000-01-01T00:00:00Z and
// 9999-12-31T23:59:59Z as Unix seconds (four-digit years).
inline constexpr double k_first_timestamp = -62167219200.0;
inline constexpr double k_last_timestamp = 253402300799.0;

// rfc3339_reading: one date-time read by read_rfc3339.
struct rfc3339_reading {
  double seconds = 0;  // Unix seconds, with the fraction (to nanoseconds) when it has one
  bool zoned = false;  // it named its zone ('Z', 'z' or an offset); false: none, taken as UTC
};

// read_rfc3339 reads all of `text` as one RFC 3339 date-time, with the spellings and
// range checks of log_time's timestamps ("Timestamp spellings" above): the one parser of
// date-times in the program, also behind the flags that take one (--at, gen's
// --base-time, sign's --iat). nullopt when `text` is anything else, a byte before or
// after it included. Whether a time without a zone will do is the caller's rule, hence
// `zoned`: a log line that names none was written in UTC by convention, while a flag
// must name its zone (engine_flags.cpp parse_time). Never throws, never allocates.
[[nodiscard]] std::optional<rfc3339_reading> read_rfc3339(std::string_view text) noexcept;

}  // namespace jwtbatch::cli
