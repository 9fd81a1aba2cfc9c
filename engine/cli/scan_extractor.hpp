// scan_extractor.hpp: `jwtbatch scan`'s extractor for the library's pipeline
// (jwtbatch/pipeline.hpp): the tokens find_tokens reports in a log line (scan.hpp), each
// judged at the line's own time (log_time.hpp) when asked. With scan.cpp and
// log_time.cpp it makes the log scanner, built as its own library (jwtbatch_cli_shared,
// engine/CMakeLists.txt) over the public API only, which the program and the Python
// module (python/jwtbatch_module.cpp: jwtbatch.scan) share, so that a log line gives
// the same records in both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/pipeline.hpp"
#include "log_time.hpp"
#include "scan.hpp"

namespace jwtbatch::cli {

// Log lines (scan, --field, --rsyslog) longer than this are cut: their head is read.
inline constexpr std::size_t k_max_log_line = std::size_t{16} << 20;

// line_token::tag bits.
inline constexpr std::uint32_t k_tag_percent_encoded = 1;  // found percent-encoded, decoded

// How scan judges time.
struct scan_time_options {
  bool at_log_time = false;       // judge each token at its line's own time
  bool require_log_time = false;  // a token on a line without one: no_log_time
  log_time_options times;         // where a line's time is (its views outlive the run)
};

// set_syslog_year: where the year of an RFC 3164 stamp comes from (--syslog-year): `year`
// unless it is 0, else the year of `reference` (when the log was last written), else
// that of the clock now (a pipe).
void set_syslog_year(log_time_options& t, int year, std::optional<double> reference);

// Per-thread working memory of the log extractors (one per pipeline chunk, reused).
struct scan_state : line_extractor::state {
  std::vector<found_token> found;
  std::string decoded;
};

// add_found adds the tokens find_tokens reports in `text` (percent-encoded ones decoded,
// tagged k_tag_percent_encoded; more than k_max_tokens_per_line: the line is cut),
// judged at the line's own time `line_time()` (nullopt: the line has none) with
// o.at_log_time; it is read only for a text that holds a token, which most log lines do
// not. `in_line`: text is the line itself, so tokens are views into it; otherwise (a
// message decoded from the line) they are copied.
template <typename LineTime>
void add_found(std::string_view text, bool in_line, const scan_time_options& o,
               const LineTime& line_time, scan_state& st, line_tokens& out) {
  if (find_tokens(text, st.found)) out.set_cut();
  if (st.found.empty()) return;
  const std::optional<double> when = o.at_log_time ? line_time() : std::nullopt;
  const bool untimed = o.at_log_time && !when;
  if (o.at_log_time && when) out.set_time(*when, time_source::line);
  for (const found_token& f : st.found) {
    std::string_view token = f.token;
    std::uint32_t tag = 0;
    if (f.percent_encoded) {
      st.decoded.clear();
      percent_decode(f.token, st.decoded);
      token = st.decoded;
      tag = k_tag_percent_encoded;
    }
    if (untimed && o.require_log_time) {
      out.add_verdict(status::no_log_time, token, f.offset, tag, "line without a time of its own");
    } else if (in_line && !f.percent_encoded) {
      out.add(token, f.offset, tag);
    } else {
      out.add_copy(token, f.offset, tag);
    }
  }
}

// `scan`: every token of a log line (add_found), at most k_max_tokens_per_line per line
// (more: the line is cut), each judged at the line's own time with at_log_time.
class scan_extractor final : public line_extractor {
 public:
  explicit scan_extractor(scan_time_options o) : o_(o) {}
  [[nodiscard]] std::unique_ptr<state> make_state() const override;
  void extract(std::string_view line, bool cut, line_tokens& out, state* s) const noexcept override;

 private:
  scan_time_options o_;
};

}  // namespace jwtbatch::cli
