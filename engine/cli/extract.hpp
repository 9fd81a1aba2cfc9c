// extract.hpp: what each line-oriented command takes from a line, as extractors of the
// library's one pipeline (jwtbatch/pipeline.hpp): the member of an NDJSON line
// (`verify --field`), the tokens of a log line and its time (`scan`), and the message of
// an rsyslog line (`scan --rsyslog`). Each runs in the pipeline's parallel stage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "json_member.hpp"
#include "jwtbatch/pipeline.hpp"
#include "scan_extractor.hpp"

namespace jwtbatch::cli {

// line_result::marks bits.
inline constexpr std::uint32_t k_mark_not_fulljson = 1;  // --rsyslog-input fulljson: not an object

// `verify --field PATH`: the token is the string member at PATH of each NDJSON line
// (json_member.hpp: a dotted path, escapes decoded, a "Bearer " scheme removed). A line
// without it gets status no_token, its detail saying why (the member is missing, not a
// string or duplicated, or the line is not one JSON object); a line longer than
// k_max_log_line gets token_too_large. Throws config_error for a malformed PATH.
class field_extractor final : public line_extractor {
 public:
  explicit field_extractor(std::string_view path) : path_(member_path::parse(path)) {}
  [[nodiscard]] std::unique_ptr<state> make_state() const override;
  void extract(std::string_view line, bool cut, line_tokens& out, state* s) const noexcept override;

 private:
  member_path path_;
};

// `scan --rsyslog`: with fulljson input, the tokens of the decoded "msg" member, timed
// by "timegenerated" (when rsyslog received the message: the sender cannot choose it);
// a line that is not such an object is scanned as text (and counted: not_fulljson()).
// With msg input, as scan_extractor (rsyslog's msg carries no time of its own, so the
// CLI refuses --at-log-time there).
class rsyslog_extractor final : public line_extractor {
 public:
  rsyslog_extractor(bool fulljson, scan_time_options o) : fulljson_(fulljson), scan_(o), o_(o) {}
  [[nodiscard]] std::unique_ptr<state> make_state() const override;
  void extract(std::string_view line, bool cut, line_tokens& out, state* s) const noexcept override;

 private:
  bool fulljson_;
  scan_extractor scan_;
  scan_time_options o_;
};

}  // namespace jwtbatch::cli
