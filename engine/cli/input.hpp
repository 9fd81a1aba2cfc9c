// input.hpp: command inputs as plain bytes: a file or standard input, decompressed on
// the fly when it starts with the gzip or zstd magic bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace jwtbatch::cli {

// write_full writes all `n` bytes to `fd` (retrying short writes and EINTR); false
// when the reader has gone (EPIPE: SIGPIPE is ignored by the program) or on error.
bool write_full(int fd, const char* data, std::size_t n) noexcept;

class input_source {
 public:
  // open: "-" is standard input. Throws config_error naming the file when it cannot
  // be opened; decompression problems found later are reported by finish().
  static std::unique_ptr<input_source> open(const std::string& path);
  ~input_source();
  input_source(const input_source&) = delete;
  input_source& operator=(const input_source&) = delete;

  // The descriptor to read the plain bytes from (a pipe fed by a decompressing thread
  // when the input is compressed or not seekable).
  [[nodiscard]] int fd() const noexcept { return read_fd_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // "gzip", "zstd" or "" (plain).
  [[nodiscard]] const std::string& compression() const noexcept { return compression_; }
  // Size of the input file in bytes, when it is a regular file (for progress).
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept { return size_; }
  // Bytes of the input file consumed so far (compressed bytes for compressed input).
  [[nodiscard]] std::uint64_t consumed() const noexcept;

  // finish waits for the feeding thread and returns what went wrong while reading
  // or decompressing ("truncated gzip stream", ...), or "" when nothing did. The
  // bytes decoded before a problem were all delivered: they still give records.
  std::string finish();

 private:
  input_source() = default;
  void feed(std::string prefix) noexcept;

  std::string name_;
  std::string compression_;
  std::optional<std::uint64_t> size_;
  int source_fd_ = -1;  // the file (or 0)
  int read_fd_ = -1;    // what the consumer reads
  int write_fd_ = -1;   // the pipe's write end, owned by the thread
  std::thread feeder_;
  std::string problem_;
  std::atomic<std::uint64_t> consumed_{0};
};

// open_inputs opens every path ("-" = standard input; none given = standard input)
// before anything is written, so an unreadable file is a usage error with nothing
// partial on stdout.
std::vector<std::unique_ptr<input_source>> open_inputs(const std::vector<std::string>& paths);

// finish_input waits for `in` and names on `err` what went wrong while reading it (a
// truncated or corrupt compressed file: every line before the damage got its
// record). True when something did.
bool finish_input(input_source& in, std::FILE* err);

}  // namespace jwtbatch::cli
