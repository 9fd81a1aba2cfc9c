#include "progress.hpp"

#include <unistd.h>

#include <fmt/core.h>

namespace jwtbatch::cli {

progress_meter::progress_meter(std::FILE* err, const std::string& mode)
    : err_(err), enabled_(mode == "always" || (mode == "auto" && ::isatty(::fileno(err)) == 1)) {}

bool progress_meter::due() {
  if (!enabled_ || (++calls_ & 0xFFU) != 0) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return false;
  last_ = now;
  return true;
}

void progress_meter::show(std::uint64_t records, std::uint64_t bytes_done,
                          std::optional<std::uint64_t> bytes_total) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  std::string line = fmt::format("\r{} records, {:.0f} records/s", records, rate);
  if (bytes_total && *bytes_total > 0 && bytes_done <= *bytes_total) {
    const double done = static_cast<double>(bytes_done) / static_cast<double>(*bytes_total);
    line += fmt::format(", {:.1f}%", 100 * done);
    if (done > 0) line += fmt::format(", ETA {:.0f} s", seconds * (1 - done) / done);
  }
  line += "\x1b[K";  // clear what a longer previous line left
  std::fputs(line.c_str(), err_);
  std::fflush(err_);
  shown_ = true;
}

void progress_meter::finish() {
  if (shown_) std::fputs("\r\x1b[K", err_);
  shown_ = false;
}

}  // namespace jwtbatch::cli
