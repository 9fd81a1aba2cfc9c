#include "config_words.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

namespace jwtbatch::cli {

config_error mixed_keys_error(const mixed_key_set_error& e) {
  return config_error{
      "the key set mixes " + e.mix() +
      ": refused by default, since one set serving both kinds is where algorithm confusion "
      "starts (RFC 8725 §2.1) and usually means a key went to the wrong flag; verify each "
      "kind in its own run, or give --allow-mixed-keys if one run must accept both (every key "
      "stays bound to its own algorithms)"};
}

alg parse_alg(std::string_view name, std::string_view flag, alg_use use) {
  // The JWS names exactly as RFC 7518 §3.1 spells them: the engine's own table.
  if (const auto a = alg_from_name(name)) return *a;
  if (name == "none" || name == "NONE" || name == "None") {
    throw config_error(
        std::string(flag) + ": \"none\" " +
        (use == alg_use::verify ? "is never accepted" : "is not a signing algorithm") +
        " (unsigned tokens)");
  }
  throw config_error(std::string(flag) + ": unknown algorithm \"" + std::string(name) + "\" (" +
                     std::string(k_alg_names) + ")");
}

void rethrow_naming(const config_error& e, std::string_view flag, const std::string& path) {
  const std::string_view what = e.what();
  const std::string named = std::string(flag) + " ";
  throw config_error(what.rfind(path + ":", 0) == 0 ? named + std::string(what)
                                                    : named + path + ": " + std::string(what));
}

// --at (and gen's --base-time, sign's --iat): Unix seconds, or an RFC 3339 date-time
// read by the one date-time parser of the program, the one of log timestamps
// (log_time.hpp read_rfc3339), which must name its zone: a time without one would be
// read as UTC here and as local time by the person who typed it, and the run would then
// judge tokens at the wrong time without a word.
double parse_time(const std::string& text, std::string_view flag) {
  // FLAG "TEXT": why
  const auto refused = [&](std::string_view why) {
    return config_error(std::string(flag) + " \"" + text + "\": " + std::string(why));
  };
  const auto in_range = [&](double t) {
    if (t >= 0 && t <= k_max_unix_time) return t;
    throw refused("out of range (expected a time from 1970 to 9999)");
  };
  // Decimal digits with an optional fraction only: "nan", "inf", "1e9", "0x10" and ""
  // are refused, not read as some surprising time.
  const std::size_t dot = text.find('.');
  const std::string_view whole = std::string_view(text).substr(0, dot);
  const std::string_view decimals =
      dot == std::string::npos ? std::string_view("0") : std::string_view(text).substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (digits(whole) && digits(decimals)) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc() && ptr == end && std::isfinite(value)) return in_range(value);
  }
  if (const std::optional<rfc3339_reading> t = read_rfc3339(text)) {
    if (!t->zoned) {
      throw refused(
          "an RFC 3339 date-time needs its zone (Z for UTC, or an offset such as +02:00)");
    }
    return in_range(t->seconds);
  }
  throw refused("expected Unix seconds or an RFC 3339 date-time");
}

}  // namespace jwtbatch::cli
