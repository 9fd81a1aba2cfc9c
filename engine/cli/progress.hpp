// progress.hpp: a one-line progress report on stderr for long runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace jwtbatch::cli {

// progress_meter rewrites one stderr line ("\r...") at most ten times a second:
// records done, records/s, and percent and ETA when the input size is known. It is
// on when `mode` is "always", or "auto" and the stream is a terminal; never on stdout.
class progress_meter {
 public:
  progress_meter(std::FILE* err, const std::string& mode);
  // due: whether a line should be shown now (cheap: a clock read every 256 calls).
  [[nodiscard]] bool due();
  // show writes the line.
  void show(std::uint64_t records, std::uint64_t bytes_done,
            std::optional<std::uint64_t> bytes_total);
  // finish erases the progress line (so the summary starts on a clean line).
  void finish();
  [[nodiscard]] bool enabled() const noexcept { return enabled_; }

 private:
  std::FILE* err_;
  bool enabled_ = false;
  bool shown_ = false;
  std::uint32_t calls_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace jwtbatch::cli
