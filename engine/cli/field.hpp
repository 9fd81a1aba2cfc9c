// field.hpp: `verify --field NAME`: the token of each NDJSON input line is the string
// value of its top-level member NAME.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace jwtbatch::cli {

// field_extractor reads lines from `source` on a thread of its own and writes, for
// each, one line to a pipe: the member's string value (JSON escapes decoded), or an
// empty line when the line is not a JSON object with a string member of that name (the
// record then says bad_segments, and missing() counts it). One line out per line in,
// so line numbers are the input's.
class field_extractor {
 public:
  // `stop_fd` (stop_signals::fd(), or -1): once readable, reading stops and a last
  // line without its "\n" is dropped (it is not whole).
  field_extractor(int source, std::string name, int stop_fd = -1);
  ~field_extractor();
  field_extractor(const field_extractor&) = delete;
  field_extractor& operator=(const field_extractor&) = delete;

  [[nodiscard]] int fd() const noexcept { return read_fd_; }
  // Closes the reading end (a thread still writing ends) and waits for the thread; the
  // number of lines without the field.
  std::uint64_t finish();

 private:
  void run() noexcept;

  int source_;
  std::string name_;
  int stop_fd_ = -1;
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::atomic<std::uint64_t> missing_{0};
  std::thread worker_;
};

}  // namespace jwtbatch::cli
