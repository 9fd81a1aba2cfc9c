// log_time.cpp: the time a log line was written (rules documented in log_time.hpp).
#include "log_time.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "log_text.hpp"

namespace jwtbatch::cli {
namespace {

using namespace log_text;  // NOLINT(google-build-using-namespace): the byte classes

// days_from_civil counts days from 1970-01-01 to y-m-d in the proleptic Gregorian
// calendar, by C++20 <chrono> (whose calendar arithmetic is H. Hinnant's
// days_from_civil). The caller has checked the date (year_month_day::ok()).
constexpr std::int64_t days_from_civil(const std::chrono::year_month_day& date) noexcept {
  return std::chrono::sys_days(date).time_since_epoch().count();
}

// civil_date is y-m-d as a calendar date, valid or not (ok() tells). Each field is
// range-checked first: std::chrono leaves values beyond 255 (month, day) unspecified.
constexpr std::chrono::year_month_day civil_date(std::int64_t y, int m, int d) noexcept {
  if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return {};  // !ok()
  return {std::chrono::year(static_cast<int>(y)), std::chrono::month(static_cast<unsigned>(m)),
          std::chrono::day(static_cast<unsigned>(d))};
}
static_assert(days_from_civil(civil_date(1970, 1, 1)) == 0);
static_assert(days_from_civil(civil_date(2000, 3, 1)) == 11017);
static_assert(days_from_civil(civil_date(1969, 12, 31)) == -1);
static_assert(days_from_civil(civil_date(0, 1, 1)) == -719528);
static_assert(!civil_date(2023, 2, 29).ok() && civil_date(2024, 2, 29).ok());
static_assert(!civil_date(1900, 2, 29).ok() && civil_date(2000, 2, 29).ok());
static_assert(!civil_date(10000, 1, 1).ok() && !civil_date(-1, 12, 31).ok());

struct civil_time {
  std::int64_t year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::int64_t nanos = 0;
  int offset_seconds = 0;  // east of UTC
};

// to_unix validates every field (log_time.hpp) and converts.
std::optional<double> to_unix(const civil_time& t) noexcept {
  const std::chrono::year_month_day date = civil_date(t.year, t.month, t.day);
  // ok(): year 0..9999 (civil_date), month 1..12, the day within its month (29 February
  // only in leap years).
  if (!date.ok() || t.hour > 23 || t.minute > 59 || t.second > 60) return std::nullopt;
  const std::int64_t secs = days_from_civil(date) * 86400 + std::int64_t{t.hour} * 3600 +
                            std::int64_t{t.minute} * 60 + t.second - t.offset_seconds;
  return static_cast<double>(secs) + static_cast<double>(t.nanos) / 1e9;
}

// cursor reads a line through checked getters only. A failed getter may leave `pos`
// anywhere: every caller gives up on the candidate at the first failure.
struct cursor {
  std::string_view s;
  std::size_t pos = 0;

  [[nodiscard]] bool at_end() const noexcept { return pos >= s.size(); }
  [[nodiscard]] char peek() const noexcept { return pos < s.size() ? s[pos] : '\0'; }
  bool lit(char c) noexcept {
    if (peek() != c || at_end()) return false;
    ++pos;
    return true;
  }
  // digits reads exactly `count` decimal digits.
  bool digits(int count, int& out) noexcept {
    int v = 0;
    for (int k = 0; k < count; ++k) {
      if (at_end() || !is_digit(s[pos])) return false;
      v = v * 10 + (s[pos] - '0');
      ++pos;
    }
    out = v;
    return true;
  }
  // fraction reads one or more digits after a '.', keeping nanoseconds.
  bool fraction(std::int64_t& nanos) noexcept {
    std::int64_t v = 0;
    int kept = 0;
    const std::size_t start = pos;
    while (!at_end() && is_digit(s[pos])) {
      if (kept < 9) {
        v = v * 10 + (s[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == start) return false;
    for (; kept < 9; ++kept) v *= 10;
    nanos = v;
    return true;
  }
};

// How an RFC 3339 timestamp was spelled, for the header shapes that are stricter than
// the general rule (RFC 5424 §6.2.3: "T" and an offset are required).
struct rfc3339_form {
  bool t_separator = false;  // 'T' or 't', not a space
  bool zoned = false;        // 'Z', 'z' or a numeric offset
};

// parse_rfc3339 reads an RFC 3339 timestamp at c.pos (see log_time.hpp for the accepted
// spellings); c.pos ends after it.
std::optional<double> parse_rfc3339(cursor& c, rfc3339_form* form = nullptr) noexcept {
  civil_time t;
  int year = 0;
  if (!c.digits(4, year) || !c.lit('-') || !c.digits(2, t.month) || !c.lit('-') ||
      !c.digits(2, t.day)) {
    return std::nullopt;
  }
  t.year = year;
  const char sep = c.peek();
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  ++c.pos;
  if (form != nullptr) form->t_separator = sep != ' ';
  if (!c.digits(2, t.hour) || !c.lit(':') || !c.digits(2, t.minute) || !c.lit(':') ||
      !c.digits(2, t.second)) {
    return std::nullopt;
  }
  if (c.peek() == '.' && c.pos + 1 < c.s.size() && is_digit(c.s[c.pos + 1])) {
    ++c.pos;
    c.fraction(t.nanos);
  }
  const char z = c.peek();
  if (form != nullptr) form->zoned = true;  // reset below when there is no zone
  if (z == 'Z' || z == 'z') {
    ++c.pos;
  } else if ((z == '+' || z == '-') && c.pos + 1 < c.s.size() && is_digit(c.s[c.pos + 1])) {
    ++c.pos;
    int oh = 0;
    int om = 0;
    if (!c.digits(2, oh)) return std::nullopt;
    c.lit(':');
    if (!c.digits(2, om) || oh > 23 || om > 59) return std::nullopt;
    t.offset_seconds = (z == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else if (form != nullptr) {
    form->zoned = false;
  }
  if (is_digit(c.peek())) return std::nullopt;  // "13:55:367", "+02:001": not a timestamp
  return to_unix(t);
}

// month_number maps "Jan".."Dec" to 1..12, case-insensitively or exactly, else 0.
int month_number(std::string_view m, bool any_case) noexcept {
  constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (m.size() != 3) return 0;
  for (std::size_t k = 0; k < k_months.size(); ++k) {
    const std::string_view name = k_months[k];
    bool same = true;
    for (std::size_t i = 0; i < 3; ++i) {
      same = same && (any_case ? to_lower(m[i]) == to_lower(name[i]) : m[i] == name[i]);
    }
    if (same) return static_cast<int>(k) + 1;
  }
  return 0;
}

// parse_clf reads "[10/Oct/2000:13:55:36 -0700]" at c.pos (the '[').
std::optional<double> parse_clf(cursor& c) noexcept {
  civil_time t;
  int year = 0;
  if (!c.lit('[') || !c.digits(2, t.day) || !c.lit('/')) return std::nullopt;
  if (c.s.size() - c.pos < 3) return std::nullopt;
  t.month = month_number(c.s.substr(c.pos, 3), true);
  c.pos += 3;
  if (t.month == 0 || !c.lit('/') || !c.digits(4, year) || !c.lit(':') || !c.digits(2, t.hour) ||
      !c.lit(':') || !c.digits(2, t.minute) || !c.lit(':') || !c.digits(2, t.second) ||
      !c.lit(' ')) {
    return std::nullopt;
  }
  t.year = year;
  const char sign = c.peek();
  int oh = 0;
  int om = 0;
  if ((sign != '+' && sign != '-') || !c.lit(sign) || !c.digits(2, oh) || !c.digits(2, om) ||
      oh > 23 || om > 59 || !c.lit(']')) {
    return std::nullopt;
  }
  t.offset_seconds = (sign == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  return to_unix(t);
}

// parse_syslog_stamp reads the RFC 3164 §4.1.2 TIMESTAMP "Oct 10 13:55:36" /
// "Oct  1 13:55:36" at c.pos into t, all but the year (which the stamp does not carry).
bool parse_syslog_stamp(cursor& c, civil_time& t) noexcept {
  if (c.s.size() - c.pos < 3) return false;
  t.month = month_number(c.s.substr(c.pos, 3), false);
  c.pos += 3;
  if (t.month == 0 || !c.lit(' ')) return false;
  if (c.lit(' ')) {  // space-padded single digit
    if (!c.digits(1, t.day)) return false;
  } else if (!c.digits(1, t.day)) {
    return false;
  } else if (is_digit(c.peek())) {
    int second_digit = 0;
    c.digits(1, second_digit);
    t.day = t.day * 10 + second_digit;
  }
  return c.lit(' ') && c.digits(2, t.hour) && c.lit(':') && c.digits(2, t.minute) && c.lit(':') &&
         c.digits(2, t.second) && !is_digit(c.peek());
}

// parse_epoch reads a whole span as epoch seconds: a JSON number, or (in a string)
// digits with an optional fraction. Values past year 9999 as seconds are read as
// milliseconds; past that too, or non-finite, nothing.
std::optional<double> parse_epoch(std::string_view v, bool json_number) noexcept {
  // Check the grammar first: from_chars would also take "inf", "nan" and hex-free
  // forms JSON does not have.
  std::size_t i = 0;
  if (json_number && i < v.size() && v[i] == '-') ++i;
  const std::size_t int_start = i;
  while (i < v.size() && is_digit(v[i])) ++i;
  if (i == int_start) return std::nullopt;
  if (i < v.size() && v[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == frac_start) return std::nullopt;
  }
  if (json_number && i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    const std::size_t exp_start = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    if (i == exp_start) return std::nullopt;
  }
  if (i != v.size()) return std::nullopt;
  double out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(out)) {
    return std::nullopt;
  }
  // Seconds from year 0 to year 9999, as for calendar timestamps. Beyond that, JSON logs
  // usually hold milliseconds (1696946136325): read so when that lands in the range.
  if (out >= k_first_timestamp && out <= k_last_timestamp) return out;
  if (out / 1000 >= k_first_timestamp && out / 1000 <= k_last_timestamp) return out / 1000;
  return std::nullopt;
}

// string_time reads a whole string value (JSON, logfmt) as a time: epoch seconds or
// milliseconds in digits, or one RFC 3339 timestamp and nothing else.
std::optional<double> string_time(std::string_view v) noexcept {
  if (auto epoch = parse_epoch(v, false)) return epoch;
  cursor c{v, 0};
  auto t = parse_rfc3339(c);
  if (t && c.pos == v.size()) return t;
  return std::nullopt;
}

// ---- syslog ---------------------------------------------------------------------

// civil_year returns the proleptic Gregorian year of the day `days` after 1970-01-01
// (C++20 <chrono>: H. Hinnant's civil_from_days).
constexpr std::int64_t civil_year(std::int64_t days) noexcept {
  const std::chrono::year_month_day date{std::chrono::sys_days(std::chrono::days(days))};
  return static_cast<int>(date.year());
}
static_assert(civil_year(0) == 1970);
static_assert(civil_year(-1) == 1969);
static_assert(civil_year(days_from_civil(civil_date(2024, 2, 29))) == 2024);
static_assert(civil_year(days_from_civil(civil_date(2000, 12, 31))) == 2000);
static_assert(civil_year(days_from_civil(civil_date(2001, 1, 1))) == 2001);
static_assert(civil_year(days_from_civil(civil_date(0, 1, 1))) == 0);
static_assert(civil_year(days_from_civil(civil_date(9999, 12, 31))) == 9999);

// How far after the reference a syslog stamp may lie and still be of the reference's
// year. Stamps are local time read as UTC (up to 14 hours off), clocks drift, and a
// file's mtime can be a little behind its last line: a month covers all of that, and
// no log line is written a month after the file was last modified.
constexpr double k_syslog_rollover_seconds = 31.0 * 86400;

// syslog_time gives an RFC 3164 stamp (t, without its year) its year: o.syslog_year;
// else the year of o.syslog_reference, or the year before when the stamp would then lie
// more than k_syslog_rollover_seconds after the reference (December lines in a file
// last written in January) or is no date of that year (29 February). Neither set, or a
// reference outside years 0-9999: nullopt.
std::optional<double> syslog_time(civil_time t, const log_time_options& o) noexcept {
  if (o.syslog_year) {
    t.year = *o.syslog_year;
    return to_unix(t);
  }
  if (!o.syslog_reference) return std::nullopt;
  const double ref = *o.syslog_reference;
  if (!(ref >= k_first_timestamp && ref <= k_last_timestamp)) return std::nullopt;  // NaN fails too
  t.year = civil_year(static_cast<std::int64_t>(std::floor(ref / 86400)));
  if (const auto v = to_unix(t); v && *v <= ref + k_syslog_rollover_seconds) return v;
  t.year -= 1;
  return to_unix(t);
}

// syslog_3164_at reads the RFC 3164 §4.1.2 TIMESTAMP at `pos` and the space that ends
// it (HOSTNAME follows).
std::optional<double> syslog_3164_at(std::string_view s, std::size_t pos,
                                     const log_time_options& o) noexcept {
  cursor c{s, pos};
  civil_time t;
  if (!parse_syslog_stamp(c, t) || !c.lit(' ')) return std::nullopt;
  return syslog_time(t, o);
}

// syslog_header_time reads the header of a line that starts with a PRI (RFC 3164 §4.1.1,
// RFC 5424 §6.2.1: '<', 1-3 digits of 0..191, '>'). `recognised` says whether the PRI
// was one; if so, the time is the header's or none:
//  - RFC 5424 §6.2: VERSION (1-3 digits, not starting with 0) SP TIMESTAMP SP, where
//    TIMESTAMP is NILVALUE '-' (no time) or RFC 3339 with 'T' and an offset (§6.2.3);
//  - rsyslog's forwarding format: RFC 3339 with 'T' and an offset right after the PRI;
//  - RFC 3164: its TIMESTAMP right after the PRI.
std::optional<double> syslog_header_time(std::string_view s, const log_time_options& o,
                                         bool& recognised) noexcept {
  recognised = false;
  std::size_t i = 1;
  int pri = 0;
  while (i < s.size() && i <= 3 && is_digit(s[i])) {
    pri = pri * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 1 || i >= s.size() || s[i] != '>' || pri > 191) return std::nullopt;
  recognised = true;
  ++i;
  std::size_t v = i;
  while (v < s.size() && v - i < 3 && is_digit(s[v])) ++v;
  const bool is_5424 = v > i && s[i] != '0' && v < s.size() && s[v] == ' ';
  if (is_5424 || (i < s.size() && is_digit(s[i]))) {
    const std::size_t at = is_5424 ? v + 1 : i;
    if (is_5424 && at < s.size() && s[at] == '-') return std::nullopt;  // NILVALUE
    cursor c{s, at};
    rfc3339_form form;
    const auto t = parse_rfc3339(c, &form);
    if (!t || !form.t_separator || !form.zoned || !c.lit(' ')) return std::nullopt;
    return t;
  }
  return syslog_3164_at(s, i, o);
}

// ---- plain, logfmt and combined logs ----------------------------------------------

// plain_time reads RFC 3339 at the very start of the line (not glued to a letter or
// digit after it), or inside '[' ']' at the start (Monolog, Laravel).
std::optional<double> plain_time(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  if (is_digit(s[0])) {
    cursor c{s, 0};
    const auto t = parse_rfc3339(c);
    if (t && (c.at_end() || !is_alnum(c.peek()))) return t;
  } else if (s[0] == '[') {
    cursor c{s, 1};
    const auto t = parse_rfc3339(c);
    if (t && c.lit(']')) return t;
  }
  return std::nullopt;
}

// logfmt_time reads a logfmt line whose first pair is the time: key "ts", "time" or
// "timestamp" (only `field` when set), then '=' and a value, bare up to a blank or in
// double quotes without escapes, followed by a blank or the end; the value as in JSON.
std::optional<double> logfmt_time(std::string_view s, std::string_view field) noexcept {
  std::size_t k = 0;
  while (k < s.size() && s[k] != '=' && s[k] != '"' && !is_blank(s[k])) ++k;
  if (k == 0 || k >= s.size() || s[k] != '=') return std::nullopt;
  const std::string_view key = s.substr(0, k);
  if (field.empty() ? key != "ts" && key != "time" && key != "timestamp" : key != field) {
    return std::nullopt;
  }
  std::size_t from = k + 1;
  std::size_t end = from;
  std::size_t after = from;
  if (from < s.size() && s[from] == '"') {
    ++from;
    end = s.find('"', from);
    if (end == k_none) return std::nullopt;
    after = end + 1;
  } else {
    while (end < s.size() && !is_blank(s[end])) ++end;
    after = end;
  }
  if (after < s.size() && !is_blank(s[after])) return std::nullopt;
  const std::string_view value = s.substr(from, end - from);
  if (value.find('\\') != k_none) return std::nullopt;
  return string_time(value);
}

// combined_time reads the NCSA common/combined log's %t: the fourth field, after three
// fields (%h %l %u) of one or more bytes other than a space, each followed by one space.
// It must be followed by ` "` (the quoted %r request line): a user name with spaces
// that carries a bracketed time of its own shifts that time into the fourth place, but
// cannot supply the unescaped quote after it (Apache and nginx escape '"' in %u).
std::optional<double> combined_time(std::string_view s) noexcept {
  std::size_t i = 0;
  for (int field = 0; field < 3; ++field) {
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i == start || i >= s.size()) return std::nullopt;
    ++i;
  }
  cursor c{s, i};
  const auto t = parse_clf(c);
  if (!t || !c.lit(' ') || !c.lit('"')) return std::nullopt;
  return t;
}

// ---- JSON lines ------------------------------------------------------------------

std::size_t skip_json_space(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_json_space(s[i])) ++i;
  return i;
}

bool read_hex4(std::string_view s, std::size_t i, std::uint32_t& out) noexcept {
  if (i > s.size() || s.size() - i < 4) return false;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    if (!is_hex(s[i + k])) return false;
    v = v * 16 + hex_value(s[i + k]);
  }
  out = v;
  return true;
}

// json_unescape decodes the content of a JSON string (RFC 8259 §7) byte by byte into
// put(char), which returns false to stop. False when put stops, on an unknown escape and
// on a lone surrogate (no text decodes to one).
template <class Put>
bool json_unescape(std::string_view raw, Put&& put) noexcept {
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != '\\') {
      if (!put(raw[i])) return false;
      ++i;
      continue;
    }
    if (i + 1 >= raw.size()) return false;
    const char e = raw[i + 1];
    i += 2;
    char simple = 0;
    switch (e) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return false;
    }
    if (e != 'u') {
      if (!put(simple)) return false;
      continue;
    }
    std::uint32_t cp = 0;
    if (!read_hex4(raw, i, cp)) return false;
    i += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (raw.size() - i < 6 || raw[i] != '\\' || raw[i + 1] != 'u' ||
          !read_hex4(raw, i + 2, low) || low < 0xDC00 || low > 0xDFFF) {
        return false;
      }
      i += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;
    }
    // UTF-8 (RFC 3629 §3).
    std::array<char, 4> u{};
    std::size_t n = 0;
    if (cp < 0x80) {
      u[n++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
      u[n++] = static_cast<char>(0xC0 | (cp >> 6));
      u[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      u[n++] = static_cast<char>(0xE0 | (cp >> 12));
      u[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      u[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      u[n++] = static_cast<char>(0xF0 | (cp >> 18));
      u[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      u[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      u[n++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    for (std::size_t k = 0; k < n; ++k) {
      if (!put(u[k])) return false;
    }
  }
  return true;
}

// json_name_is compares a member name as written (escapes and all) with `name` after
// unescaping, as every JSON reader does: "t\u0073" is "ts".
bool json_name_is(std::string_view raw, bool escaped, std::string_view name) noexcept {
  if (!escaped) return raw == name;
  std::size_t k = 0;
  const bool same = json_unescape(raw, [&](char c) noexcept {
    if (k >= name.size() || name[k] != c) return false;
    ++k;
    return true;
  });
  return same && k == name.size();
}

// is_time_member: `field` when set, else one of the names JSON loggers give the time
// (zap "ts", logrus/pino/bunyan/Docker "time", "timestamp", Logstash/ECS "@timestamp").
bool is_time_member(std::string_view raw, std::string_view field) noexcept {
  const bool escaped = raw.find('\\') != k_none;
  if (!field.empty()) return json_name_is(raw, escaped, field);
  for (const std::string_view name : {"ts", "time", "timestamp", "@timestamp"}) {
    if (json_name_is(raw, escaped, name)) return true;
  }
  return false;
}

// Nesting limit, the top-level object included: deeper lines have no time rather than
// a stack that grows with the line.
constexpr std::size_t k_max_json_depth = 1024;

constexpr bool is_json_scalar_char(char c) noexcept {
  return is_alnum(c) || c == '-' || c == '+' || c == '.';
}

// json_value_end returns the index just past the JSON value that starts at s[i], or
// k_none when the line ends inside it or its brackets do not match. Strings are read
// with their escapes; nested objects and arrays are skipped in one pass with a stack
// of the open brackets' kinds (one bit each), so "[}" is refused; numbers and literals
// are a run of the bytes they are made of (this walk only needs to know where the value
// ends, not that it is valid).
std::size_t json_value_end(std::string_view s, std::size_t i) noexcept {
  const char first = s[i];
  if (first == '"') {
    const std::size_t e = json_string_end(s, i + 1);
    return e == k_none ? k_none : e + 1;
  }
  if (first != '{' && first != '[') {
    std::size_t j = i;
    while (j < s.size() && is_json_scalar_char(s[j])) ++j;
    return j == i ? k_none : j;
  }
  std::array<std::uint64_t, k_max_json_depth / 64> is_object{};
  std::size_t depth = 0;
  for (std::size_t j = i; j < s.size(); ++j) {
    const char b = s[j];
    if (b == '"') {
      j = json_string_end(s, j + 1);
      if (j == k_none) return k_none;
    } else if (b == '{' || b == '[') {
      if (depth + 1 >= k_max_json_depth) return k_none;  // + 1: the top-level object
      const std::uint64_t bit = std::uint64_t{1} << (depth % 64);
      if (b == '{') {
        is_object[depth / 64] |= bit;
      } else {
        is_object[depth / 64] &= ~bit;
      }
      ++depth;
    } else if (b == '}' || b == ']') {
      --depth;  // depth > 0: the walk returns when it reaches 0
      const bool opened_object = (is_object[depth / 64] >> (depth % 64)) & 1U;
      if (opened_object != (b == '}')) return k_none;
      if (depth == 0) return j + 1;
    }
  }
  return k_none;
}

// json_value_time reads a member's value (as written) as a time: a number of epoch
// seconds or milliseconds, or a string holding one or an RFC 3339 timestamp. An escaped
// string is unescaped into a small buffer first (longer than any timestamp: no time).
std::optional<double> json_value_time(std::string_view v) noexcept {
  if (v.empty() || v.front() != '"') return parse_epoch(v, true);
  const std::string_view raw = v.substr(1, v.size() - 2);
  if (raw.find('\\') == k_none) return string_time(raw);
  std::array<char, 64> buf{};
  std::size_t n = 0;
  const bool fits = json_unescape(raw, [&](char c) noexcept {
    if (n == buf.size()) return false;
    buf[n++] = c;
    return true;
  });
  if (!fits) return std::nullopt;
  return string_time(std::string_view(buf.data(), n));
}

// json_time walks the object that starts at s[i] ('{') member by member, skipping each
// value whole, so only top-level members are seen and every byte is read a bounded
// number of times. The time is the value of the one top-level time member; none, more
// than one (RFC 8259 §4 leaves duplicates to the reader, and readers disagree), or a
// line that is not one object followed by whitespace: no time.
std::optional<double> json_time(std::string_view s, std::size_t i,
                                std::string_view field) noexcept {
  std::string_view value;
  int candidates = 0;
  i = skip_json_space(s, i + 1);
  if (i < s.size() && s[i] == '}') {
    ++i;
  } else {
    while (true) {
      if (i >= s.size() || s[i] != '"') return std::nullopt;
      const std::size_t key_end = json_string_end(s, i + 1);
      if (key_end == k_none) return std::nullopt;
      const std::string_view key = s.substr(i + 1, key_end - i - 1);
      i = skip_json_space(s, key_end + 1);
      if (i >= s.size() || s[i] != ':') return std::nullopt;
      i = skip_json_space(s, i + 1);
      if (i >= s.size()) return std::nullopt;
      const std::size_t value_end = json_value_end(s, i);
      if (value_end == k_none) return std::nullopt;
      if (is_time_member(key, field)) {
        if (++candidates > 1) return std::nullopt;
        value = s.substr(i, value_end - i);
      }
      i = skip_json_space(s, value_end);
      if (i >= s.size()) return std::nullopt;
      if (s[i] == '}') {
        ++i;
        break;
      }
      if (s[i] != ',') return std::nullopt;
      i = skip_json_space(s, i + 1);
    }
  }
  if (skip_json_space(s, i) != s.size() || candidates == 0) return std::nullopt;
  return json_value_time(value);
}

}  // namespace

std::optional<double> log_time(std::string_view line, const log_time_options& o) noexcept {
  // Each shape is told by how the line starts, which the program writing the log
  // controls, and each reads its time field at a fixed place in that shape: text a
  // client controls later in the line is never read as the time.
  const std::size_t first = skip_json_space(line, 0);
  if (first < line.size() && line[first] == '{') return json_time(line, first, o.time_field);
  if (!line.empty() && line[0] == '<') {
    bool recognised = false;
    const auto t = syslog_header_time(line, o, recognised);
    if (recognised) return t;
  }
  // The combined log's first field can be anything, so it can also read as one of the
  // others: a line that reads as two shapes has no time (its client chose one of them).
  std::optional<double> found;
  int shapes = 0;
  for (const std::optional<double>& t : {plain_time(line), logfmt_time(line, o.time_field),
                                         syslog_3164_at(line, 0, o), combined_time(line)}) {
    if (t) {
      ++shapes;
      found = t;
    }
  }
  return shapes == 1 ? found : std::nullopt;
}

std::optional<rfc3339_reading> read_rfc3339(std::string_view text) noexcept {
  cursor c{text, 0};
  rfc3339_form form;
  const auto t = parse_rfc3339(c, &form);
  if (!t || c.pos != text.size()) return std::nullopt;
  return rfc3339_reading{.seconds = *t, .zoned = form.zoned};
}

}  // namespace jwtbatch::cli
