// log_time.cpp: the time a log line was written (rules documented in log_time.hpp).
#include "log_time.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include "log_text.hpp"

namespace jwtbatch::cli {
namespace {

using namespace log_text;  // NOLINT(google-build-using-namespace): the byte classes

constexpr bool is_leap(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int days_in_month(std::int64_t y, int m) noexcept {
  constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k_days[static_cast<std::size_t>(m - 1)];
}

// days_from_civil counts days from 1970-01-01 to y-m-d in the proleptic Gregorian
// calendar. The year is taken to start on 1 March, so the leap day is the last day of
// its year and the day of the year follows from the month by one linear formula; whole
// 400-year cycles (146097 days) are counted apart. Years here are 0..9999 (four digits),
// so all the arithmetic below is on non-negative values.
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  const std::int64_t march_year = m <= 2 ? y - 1 : y;  // Jan/Feb of year 0: -1
  const std::int64_t shifted = march_year + 400;       // keep division non-negative
  const std::int64_t cycle = shifted / 400;
  const std::int64_t year_of_cycle = shifted % 400;                      // 0..399
  const std::int64_t month_index = m > 2 ? m - 3 : m + 9;                // March = 0
  const std::int64_t day_of_year = (153 * month_index + 2) / 5 + d - 1;  // 0..365
  const std::int64_t day_of_cycle =
      year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
  // 0000-03-01 is day 0 of cycle 1 (the +400 above); it lies 719468 days before
  // 1970-01-01.
  return (cycle - 1) * 146097 + day_of_cycle - 719468;
}
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(1969, 12, 31) == -1);
static_assert(days_from_civil(0, 1, 1) == -719528);

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

// to_unix validates every field (scan.hpp) and converts.
std::optional<double> to_unix(const civil_time& t) noexcept {
  if (t.year < 0 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
      t.day > days_in_month(t.year, t.month) || t.hour > 23 || t.minute > 59 || t.second > 60) {
    return std::nullopt;
  }
  const std::int64_t secs = days_from_civil(t.year, t.month, t.day) * 86400 +
                            std::int64_t{t.hour} * 3600 + std::int64_t{t.minute} * 60 + t.second -
                            t.offset_seconds;
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

// parse_rfc3339 reads an RFC 3339 timestamp at c.pos (see scan.hpp for the accepted
// spellings); c.pos ends after it.
std::optional<double> parse_rfc3339(cursor& c) noexcept {
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
  if (!c.digits(2, t.hour) || !c.lit(':') || !c.digits(2, t.minute) || !c.lit(':') ||
      !c.digits(2, t.second)) {
    return std::nullopt;
  }
  if (c.peek() == '.' && c.pos + 1 < c.s.size() && is_digit(c.s[c.pos + 1])) {
    ++c.pos;
    c.fraction(t.nanos);
  }
  const char z = c.peek();
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

// parse_syslog reads "Oct 10 13:55:36" / "Oct  1 13:55:36" at c.pos.
std::optional<double> parse_syslog(cursor& c, int year) noexcept {
  civil_time t;
  t.year = year;
  if (c.s.size() - c.pos < 3) return std::nullopt;
  t.month = month_number(c.s.substr(c.pos, 3), false);
  c.pos += 3;
  if (t.month == 0 || !c.lit(' ')) return std::nullopt;
  if (c.lit(' ')) {  // space-padded single digit
    if (!c.digits(1, t.day)) return std::nullopt;
  } else if (!c.digits(1, t.day)) {
    return std::nullopt;
  } else if (is_digit(c.peek())) {
    int second_digit = 0;
    c.digits(1, second_digit);
    t.day = t.day * 10 + second_digit;
  }
  if (!c.lit(' ') || !c.digits(2, t.hour) || !c.lit(':') || !c.digits(2, t.minute) || !c.lit(':') ||
      !c.digits(2, t.second) || is_digit(c.peek())) {
    return std::nullopt;
  }
  return to_unix(t);
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
  constexpr double k_first = -62167219200.0;  // 0000-01-01T00:00:00Z
  constexpr double k_last = 253402300799.0;   // 9999-12-31T23:59:59Z
  if (out >= k_first && out <= k_last) return out;
  if (out / 1000 >= k_first && out / 1000 <= k_last) return out / 1000;
  return std::nullopt;
}

constexpr bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// field_time reads the first member named `name`: the line is walked string by string
// (each JSON string read once, escapes skipped), so the work stays linear.
std::optional<double> field_time(std::string_view s, std::string_view name) noexcept {
  std::size_t i = 0;
  while (true) {
    const std::size_t q = s.find('"', i);
    if (q == k_none) return std::nullopt;
    const std::size_t e = json_string_end(s, q + 1);
    if (e == k_none) return std::nullopt;
    i = e + 1;
    if (s.substr(q + 1, e - q - 1) != name) continue;
    std::size_t j = e + 1;
    while (j < s.size() && is_json_space(s[j])) ++j;
    if (j >= s.size() || s[j] != ':') continue;  // a string value equal to the name
    ++j;
    while (j < s.size() && is_json_space(s[j])) ++j;
    if (j >= s.size()) return std::nullopt;
    if (s[j] == '"') {
      const std::size_t ve = json_string_end(s, j + 1);
      if (ve == k_none) return std::nullopt;
      const std::string_view v = s.substr(j + 1, ve - j - 1);
      if (auto epoch = parse_epoch(v, false)) return epoch;
      cursor c{v, 0};
      auto t = parse_rfc3339(c);
      if (t && c.pos == v.size()) return t;
      return std::nullopt;
    }
    std::size_t ve = j;
    while (ve < s.size() && s[ve] != ',' && s[ve] != '}' && s[ve] != ']' && !is_json_space(s[ve])) {
      ++ve;
    }
    return parse_epoch(s.substr(j, ve - j), true);
  }
}

}  // namespace

std::optional<double> log_time(std::string_view line, const log_time_options& o) noexcept {
  if (!o.time_field.empty()) return field_time(line, o.time_field);
  // Each candidate starts at a distinct kind of byte (a digit, '[', a capital letter)
  // and reads a bounded number of bytes, except an RFC 3339 fraction, which is one digit
  // run read once (candidates start only where a digit run starts): linear overall.
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const char prev = i > 0 ? line[i - 1] : ' ';
    cursor cur{line, i};
    std::optional<double> t;
    if (is_digit(c) && !is_digit(prev)) {
      t = parse_rfc3339(cur);
    } else if (c == '[') {
      t = parse_clf(cur);
    } else if (o.syslog_year && is_alpha(c) && !is_alnum(prev)) {
      t = parse_syslog(cur, *o.syslog_year);
    }
    if (t) return t;
  }
  return std::nullopt;
}

}  // namespace jwtbatch::cli
