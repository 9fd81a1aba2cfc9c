#include "extract.hpp"

#include <optional>
#include <vector>

#include "rsyslog.hpp"
#include "scan.hpp"

namespace jwtbatch::cli {
namespace {

// Per-thread working memory of the extractors (one per pipeline chunk, reused).
struct scan_state : line_extractor::state {
  std::vector<found_token> found;
  std::string decoded;
};

struct json_state : scan_state {
  std::string value;
  fulljson_reader fulljson;
};

// Adds the tokens find_tokens reports in `text`, judged at the line's own time
// `line_time()` (nullopt: the line has none) with at_log_time; it is read only for a
// line that holds a token, which most log lines do not. `in_line`: text is the line
// itself, so tokens are views into it; otherwise (a decoded message) they are copied.
template <typename LineTime>
void add_found(std::string_view text, bool in_line, bool at_log_time, bool require_log_time,
               const LineTime& line_time, scan_state& st, line_tokens& out) {
  if (find_tokens(text, st.found)) out.set_cut();
  if (st.found.empty()) return;
  const std::optional<double> when = at_log_time ? line_time() : std::nullopt;
  const bool untimed = at_log_time && !when;
  if (at_log_time && when) out.set_time(*when, time_source::line);
  for (const found_token& f : st.found) {
    std::string_view token = f.token;
    std::uint32_t tag = 0;
    if (f.percent_encoded) {
      st.decoded.clear();
      percent_decode(f.token, st.decoded);
      token = st.decoded;
      tag = k_tag_percent_encoded;
    }
    if (untimed && require_log_time) {
      out.add_verdict(status::no_log_time, token, f.offset, tag, "line without a time of its own");
    } else if (in_line && !f.percent_encoded) {
      out.add(token, f.offset, tag);
    } else {
      out.add_copy(token, f.offset, tag);
    }
  }
}

}  // namespace

std::unique_ptr<line_extractor::state> field_extractor::make_state() const {
  return std::make_unique<json_state>();
}

void field_extractor::extract(std::string_view line, bool cut, line_tokens& out,
                              state* s) const noexcept {
  if (cut) {
    out.add_verdict(status::token_too_large, {}, 0, 0, "line longer than 16 MiB");
    return;
  }
  auto& st = static_cast<json_state&>(*s);
  switch (find_member(line, path_, st.value)) {
    case member_lookup::found:
      out.add_copy(st.value, 0);
      return;
    case member_lookup::missing:
      out.add_verdict(status::no_token, {}, 0, 0, "no member at the --field path");
      return;
    case member_lookup::not_string:
      out.add_verdict(status::no_token, {}, 0, 0, "the member is not a string");
      return;
    case member_lookup::duplicate:
      out.add_verdict(status::no_token, {}, 0, 0, "a member on the path is duplicated");
      return;
    case member_lookup::not_object:
      break;
  }
  out.add_verdict(status::no_token, {}, 0, 0, "not one JSON object");
}

std::unique_ptr<line_extractor::state> scan_extractor::make_state() const {
  return std::make_unique<scan_state>();
}

void scan_extractor::extract(std::string_view line, bool /*cut*/, line_tokens& out,
                             state* s) const noexcept {
  auto& st = static_cast<scan_state&>(*s);
  add_found(
      line, true, o_.at_log_time, o_.require_log_time, [&] { return log_time(line, o_.times); }, st,
      out);
}

std::unique_ptr<line_extractor::state> rsyslog_extractor::make_state() const {
  return std::make_unique<json_state>();
}

void rsyslog_extractor::extract(std::string_view line, bool cut, line_tokens& out,
                                state* s) const noexcept {
  if (!fulljson_) {
    scan_.extract(line, cut, out, s);
    return;
  }
  auto& st = static_cast<json_state&>(*s);
  if (!st.fulljson.read(line)) {
    // Not rsyslog's object: scanned as text, with no time of its own (the text is the
    // sender's).
    out.mark(k_mark_not_fulljson);
    add_found(
        line, true, o_.at_log_time, o_.require_log_time, [] { return std::optional<double>(); }, st,
        out);
    return;
  }
  add_found(
      st.fulljson.msg(), false, o_.at_log_time, o_.require_log_time,
      [&] { return log_time(st.fulljson.time(), log_time_options{}); }, st, out);
}

}  // namespace jwtbatch::cli
