// scan_fuzzer: the pure core of `jwtbatch scan` (engine/cli/scan.hpp) on arbitrary bytes
// taken as one log line.
//
// find_tokens:
//  - every found token views into the line at its offset: the same data pointer as
//    line.data() + offset, and line.substr(offset, size) == token; it is non-empty
//    (no rule takes an empty value);
//  - offsets strictly increase and tokens never overlap;
//  - the result does not depend on what the caller's vector held before (it is cleared);
//  - percent_encoded is set exactly when the text holds a percent-escape, i.e. when
//    percent_decode changes it;
//  - the vectorised search (find_tokens, and the portable SSE2 one) gives the same
//    tokens, flags and cut as the byte-by-byte reference (detail::find_tokens_bytewise);
//  - with a cap of k tokens: the first k tokens of the uncapped result, and the return
//    value says whether there were more.
// log_time, with no options, with a time_field ("ts", "@timestamp", "time") and with
// syslog_year (several years of 0-9999): nullopt or a finite value in the range the
// documented field checks allow: year 0 to 9999, zone offsets under 24 hours, i.e.
// [0000-01-01T00:00:00+23:59, 9999-12-31T23:59:60-23:59]. (This is wider at the bottom
// than 0001-01-01, -62135596800, because the contract accepts year 0.) Out-of-contract
// syslog years (negative, huge) must still give nullopt or a finite value, and no UB.
// log_time with syslog_reference (the file's modification time): fixed references
// (0, now-ish, just after New Year for the December rollover, 29 February, the ends of
// years 0-9999 and just beyond, +-1e300, +-infinity, NaN) and two taken from the input
// (its first 8 bytes as a double's bits, and as seconds inside years 0-9999):
//  - nullopt or a finite value; inside years 0-9999 when the reference is;
//  - with syslog_year set too, the reference is not used: the same answer as the year
//    alone;
//  - when the reference changes the answer (an RFC 3164 stamp, which without a year or
//    a reference is not recognised), the time lies in the reference's year or the one
//    before, and at most 31 days (plus a day for the stamp's own seconds and the
//    leap second) after the reference.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log_time.hpp"
#include "scan.hpp"

namespace {

namespace cli = jwtbatch::cli;

std::string_view g_input;

[[noreturn]] void fail(const char* what, double value = 0) {
  std::fprintf(stderr, "scan_fuzzer: invariant violated: %s (value %.17g)\n", what, value);
  std::fprintf(stderr, "input (%zu bytes):", g_input.size());
  for (const char c : g_input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fprintf(stderr, "\n");
  std::abort();
}

// 0000-01-01T00:00:00 is -62167219200; 10000-01-01T00:00:00 is 253402300800.
constexpr double k_min_time = -62167219200.0 - 86400.0;
constexpr double k_max_time = 253402300800.0 + 86400.0;

bool same_tokens(const std::vector<cli::found_token>& a, const std::vector<cli::found_token>& b,
                 std::size_t count) {
  if (a.size() < count || b.size() < count) return false;
  for (std::size_t i = 0; i < count; ++i) {
    if (a[i].offset != b[i].offset || a[i].token.data() != b[i].token.data() ||
        a[i].token.size() != b[i].token.size() || a[i].percent_encoded != b[i].percent_encoded) {
      return false;
    }
  }
  return true;
}

void check_tokens(std::string_view line) {
  static std::vector<cli::found_token> out;
  static std::vector<cli::found_token> again;
  static std::vector<cli::found_token> ref;
  static std::string decoded;
  const std::size_t unlimited = line.size() + 1;
  if (cli::find_tokens(line, out, unlimited)) fail("cut without a cap");
  std::size_t end = 0;
  bool first = true;
  for (const cli::found_token& t : out) {
    if (t.token.empty()) fail("empty token", static_cast<double>(t.offset));
    if (t.offset > line.size() || t.token.size() > line.size() - t.offset) {
      fail("token outside the line", static_cast<double>(t.offset));
    }
    if (t.token.data() != line.data() + t.offset) {
      fail("token does not view into the line at its offset", static_cast<double>(t.offset));
    }
    if (line.substr(t.offset, t.token.size()) != t.token) {
      fail("line.substr(offset, size) != token", static_cast<double>(t.offset));
    }
    if (!first && t.offset < end)
      fail("tokens overlap or are out of order", static_cast<double>(t.offset));
    first = false;
    end = t.offset + t.token.size();
    decoded.clear();
    cli::percent_decode(t.token, decoded);
    if (t.percent_encoded != (decoded != t.token)) {
      fail("percent_encoded does not match the text", static_cast<double>(t.offset));
    }
  }
  // The vectorised searches against the byte-by-byte reference.
  const bool ref_cut = cli::detail::find_tokens_bytewise(line, ref, unlimited);
  if (ref_cut || ref.size() != out.size() || !same_tokens(ref, out, out.size())) {
    fail("find_tokens differs from the bytewise reference");
  }
  const bool portable_cut = cli::detail::find_tokens_using(
      cli::detail::candidate_search::portable_simd, line, again, unlimited);
  if (portable_cut || again.size() != out.size() || !same_tokens(again, out, out.size())) {
    fail("portable vector search differs from the bytewise reference");
  }
  // Caps: the first k tokens, and the cut exactly when there were more.
  for (const std::size_t cap : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {
    const bool cut = cli::find_tokens(line, again, cap);
    const std::size_t want = out.size() < cap ? out.size() : cap;
    if (cut != (out.size() > cap) || again.size() != want || !same_tokens(again, out, want)) {
      fail("capped result is not a prefix of the uncapped one", static_cast<double>(cap));
    }
  }
  // Stale contents in the caller's vector must not matter.
  again.assign(3, cli::found_token{7, line.substr(0, line.size() / 2), true});
  cli::find_tokens(line, again, unlimited);
  if (again.size() != out.size()) fail("result depends on the vector's previous contents");
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (again[i].offset != out[i].offset || again[i].token.data() != out[i].token.data() ||
        again[i].token.size() != out[i].token.size() ||
        again[i].percent_encoded != out[i].percent_encoded) {
      fail("result depends on the vector's previous contents", static_cast<double>(i));
    }
  }
}

void check_time(std::string_view line, const cli::log_time_options& o, bool in_contract) {
  const std::optional<double> t = cli::log_time(line, o);
  if (!t) return;
  if (!std::isfinite(*t)) fail("log_time returned a non-finite value", *t);
  if (in_contract && (*t < k_min_time || *t > k_max_time)) {
    fail("log_time returned a value outside years 0-9999", *t);
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
double days_from_civil(long long y, long long m, long long d) {
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<double>(era * 146097 + doe - 719468);
}

// The UTC year of Unix time t (t finite, inside years 0-9999).
long long year_of(double t) {
  long long y = 1970 + static_cast<long long>(std::floor(t / 31556952.0));
  while (days_from_civil(y, 1, 1) * 86400.0 > t) --y;
  while (days_from_civil(y + 1, 1, 1) * 86400.0 <= t) ++y;
  return y;
}

void check_reference(std::string_view line, double reference) {
  cli::log_time_options o;
  const std::optional<double> without = cli::log_time(line, o);
  o.syslog_reference = reference;
  const bool in_contract =
      std::isfinite(reference) && reference >= -62167219200.0 && reference < 253402300800.0;
  check_time(line, o, in_contract);
  const std::optional<double> with = cli::log_time(line, o);
  // A year given wins over the reference.
  for (const int year : {2024, 1970}) {
    o.syslog_year = year;
    const std::optional<double> both = cli::log_time(line, o);
    cli::log_time_options year_only;
    year_only.syslog_year = year;
    const std::optional<double> alone = cli::log_time(line, year_only);
    if (both.has_value() != alone.has_value() || (both && *both != *alone)) {
      fail("syslog_reference changed the answer although syslog_year was set", reference);
    }
  }
  if (!in_contract || with == without || !with) return;
  const long long year = year_of(reference);
  const double earliest = days_from_civil(year - 1, 1, 1) * 86400.0;
  const double latest = days_from_civil(year + 1, 1, 1) * 86400.0;
  // "Dec 31 23:59:60" is the first second of the next year (the leap second).
  if (*with < earliest || *with > latest) {
    fail("RFC 3164 time outside the reference's year and the one before", *with);
  }
  if (*with > reference + 32 * 86400.0) {
    fail("RFC 3164 time more than 31 days after the reference", *with);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  g_input = line;
  check_tokens(line);

  cli::log_time_options o;
  check_time(line, o, true);
  for (const std::string_view field : {"ts", "@timestamp", "time"}) {
    o.time_field = field;
    check_time(line, o, true);
  }
  o.time_field = {};
  for (const int year : {2023, 2024, 0, 9999, 1900}) {
    o.syslog_year = year;
    check_time(line, o, true);
  }
  for (const int year :
       {-1, 10000, std::numeric_limits<int>::max(), std::numeric_limits<int>::min()}) {
    o.syslog_year = year;
    check_time(line, o, false);
  }
  o.syslog_year = 2023;
  o.time_field = "ts";
  check_time(line, o, true);

  constexpr double inf = std::numeric_limits<double>::infinity();
  for (const double reference :
       {0.0, 1764633600.0, 1735689600.5, 1735689599.0, 1709164800.0, 1677628800.0, -62167219200.0,
        253402300799.0, 253402300800.0, -62167219201.0, 1e300, -1e300, inf, -inf,
        std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::min(),
        std::numeric_limits<double>::max()}) {
    check_reference(line, reference);
  }
  if (line.size() >= 8) {
    double bits = 0;
    std::memcpy(&bits, line.data(), sizeof bits);
    check_reference(line, bits);
    std::uint64_t n = 0;
    std::memcpy(&n, line.data(), sizeof n);
    check_reference(line, -62167219200.0 + static_cast<double>(n % 315537897600ULL));
  }
  return 0;
}
