#include "scan_extractor.hpp"

#include <chrono>

namespace jwtbatch::cli {

void set_syslog_year(log_time_options& t, int year, std::optional<double> reference) {
  if (year != 0) {
    t.syslog_year = year;
  } else if (reference) {
    t.syslog_reference = *reference;
  } else {
    t.syslog_reference =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
}

std::unique_ptr<line_extractor::state> scan_extractor::make_state() const {
  return std::make_unique<scan_state>();
}

void scan_extractor::extract(std::string_view line, bool /*cut*/, line_tokens& out,
                             state* s) const noexcept {
  add_found(
      line, true, o_, [&] { return log_time(line, o_.times); }, static_cast<scan_state&>(*s), out);
}

}  // namespace jwtbatch::cli
