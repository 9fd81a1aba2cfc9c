#include "extract.hpp"

#include <optional>
#include <vector>

#include "rsyslog.hpp"

namespace jwtbatch::cli {
namespace {

struct json_state : scan_state {
  std::string value;
  fulljson_reader fulljson;
};

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
        line, true, o_, [] { return std::optional<double>(); }, st, out);
    return;
  }
  add_found(
      st.fulljson.msg(), false, o_,
      [&] { return log_time(st.fulljson.time(), log_time_options{}); }, st, out);
}

}  // namespace jwtbatch::cli
