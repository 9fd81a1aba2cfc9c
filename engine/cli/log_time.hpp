// log_time.hpp: the pure core of `jwtbatch scan --at-log-time`: when a log line was
// written. No engine calls, no I/O, no exceptions, no allocation: it runs once per line.
#pragma once

#include <optional>
#include <string_view>

namespace jwtbatch::cli {

// log_time_options tells log_time where the line's own timestamp is.
struct log_time_options {
  // When non-empty, the name of the JSON member holding the time (e.g. "ts",
  // "@timestamp"); it views into memory the caller keeps alive during the call.
  std::string_view time_field;
  // The year of syslog timestamps ("Oct 10 13:55:36" carries none): the CLI sets it
  // from the file's modification time or the current year. Unset: syslog timestamps
  // are not recognised.
  std::optional<int> syslog_year;
  // Unix time the log was last written (the file's modification time, or now for a
  // pipe): the year of syslog timestamps is inferred from it when syslog_year is unset.
  std::optional<double> syslog_reference;
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
