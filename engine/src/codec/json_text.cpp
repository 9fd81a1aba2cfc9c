// The public JSON and text helpers (jwtbatch/json_text.hpp): the codec's escaping under
// its public names, and read_json_text, the verifier's own JSON rules (json_walk) over
// a whole text.
#include "jwtbatch/json_text.hpp"

#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "codec/json_out.hpp"
#include "codec/json_walk.hpp"
#include "codec/text_escape.hpp"

namespace jwtbatch {

void append_json_string(std::string& out, std::string_view s) {
  detail::append_json_string(out, s);
}

void append_text(std::string& out, std::string_view s, bool quoted) {
  detail::append_text(out, s, quoted);
}

std::string escape_text(std::string_view s, bool quoted) {
  return detail::escape_text(s, quoted);
}

std::string_view cut_text(std::string_view s, std::size_t max_bytes) noexcept {
  return detail::cut_text(s, max_bytes);
}

json_text read_json_text(std::string_view text) {
  json_text r;
  if (detail::has_byte_order_mark(text)) {
    r.problem = "not JSON: starts with a byte-order mark (RFC 8259 §8.1)";
    return r;
  }
  const simdjson::padded_string padded(text);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto e = parser.parse(padded).get(root)) {
    r.problem = std::string("not JSON (") + simdjson::error_message(e) + ")";
    return r;
  }
  // The checks verify applies to a header or payload, with its default bounds.
  detail::member_set names;
  if (const status st = detail::validate_value(root, 1, detail::json_limits{}, names);
      st != status::ok) {
    r.code = st;
    r.problem = st == status::duplicate_member
                    ? "a member name appears twice in one object (refused by verify: "
                      "RFC 7515 §4, RFC 8725 §2.6)"
                    : "refused by verify: " + std::string(status_name(st));
    return r;
  }
  std::string min(padded.size() + simdjson::SIMDJSON_PADDING, '\0');
  std::size_t min_len = 0;
  if (simdjson::minify(padded.data(), padded.size(), min.data(), min_len) != simdjson::SUCCESS) {
    r.problem = "not JSON (minify failed)";
    return r;
  }
  min.resize(min_len);
  r.minified = std::move(min);
  r.code = status::ok;
  r.ok = true;
  simdjson::dom::object obj;
  if (root.get(obj) == simdjson::SUCCESS) {
    r.is_object = true;
    for (simdjson::dom::key_value_pair member : obj) {
      r.members.emplace_back(std::string(member.key), simdjson::minify(member.value));
    }
  }
  return r;
}

std::string rfc3339_utc(double at) {
  using namespace std::chrono;
  const double whole = std::floor(at);
  const sys_seconds secs{seconds{static_cast<long long>(whole)}};
  const sys_days day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{secs - day};
  char buf[40];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                    static_cast<int>(hms.seconds().count()));
  if (const long ms = std::lround((at - whole) * 1000); ms > 0 && ms < 1000 && n > 0) {
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03ld", ms);
  }
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0) + "Z";
}

}  // namespace jwtbatch
