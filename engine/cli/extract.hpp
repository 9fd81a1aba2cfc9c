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
#include "log_time.hpp"

namespace jwtbatch::cli {

// Log lines (scan, --field, --rsyslog) longer than this are cut: their head is read.
inline constexpr std::size_t k_max_log_line = std::size_t{16} << 20;

// line_token::tag bits.
inline constexpr std::uint32_t k_tag_percent_encoded = 1;  // found percent-encoded, decoded
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

// How scan judges time.
struct scan_time_options {
  bool at_log_time = false;       // judge each token at its line's own time
  bool require_log_time = false;  // a token on a line without one: no_log_time
  log_time_options times;         // where a line's time is (its views outlive the run)
};

// `scan`: every token find_tokens reports (percent-encoded ones decoded, tagged
// k_tag_percent_encoded), at most k_max_tokens_per_line per line (more: the line is
// cut), each judged at the line's own time with at_log_time.
class scan_extractor final : public line_extractor {
 public:
  explicit scan_extractor(scan_time_options o) : o_(o) {}
  [[nodiscard]] std::unique_ptr<state> make_state() const override;
  void extract(std::string_view line, bool cut, line_tokens& out, state* s) const noexcept override;

 private:
  scan_time_options o_;
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
