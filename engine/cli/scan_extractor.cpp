#include "scan_extractor.hpp"

namespace jwtbatch::cli {

std::unique_ptr<line_extractor::state> scan_extractor::make_state() const {
  return std::make_unique<scan_state>();
}

void scan_extractor::extract(std::string_view line, bool /*cut*/, line_tokens& out,
                             state* s) const noexcept {
  add_found(
      line, true, o_, [&] { return log_time(line, o_.times); }, static_cast<scan_state&>(*s), out);
}

}  // namespace jwtbatch::cli
