// input.hpp: command inputs as plain bytes: a file or standard input, decompressed on
// the fly when it starts with the gzip or zstd magic bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>
#include <csignal>

#include "jwtbatch/pipeline.hpp"

namespace jwtbatch::cli {

// stop_signals turns SIGINT, SIGTERM and SIGHUP into a request to stop reading, so a
// run that is stopped still writes whole records and its summary, then exits with
// 128 + the signal's number (exit_code()). Construct it before opening the inputs:
// its descriptor fd() exists from then on and every reader of the run (the input
// feeders, --field, the pipeline) waits on it beside its input, so none stays blocked
// on a silent pipe or FIFO. arm() installs the handlers (SA_RESTART, so writes to
// stdout are never cut by a signal); until then a signal keeps its default action,
// which is right while nothing has been written (e.g. opening a FIFO that has no
// writer yet). A second signal, once stopping, ends the program at once with the
// default action. One instance at a time; the destructor restores the previous
// handlers. Throws std::system_error when the pipe cannot be made.
class stop_signals {
 public:
  // `hangup_stops` false leaves SIGHUP alone (consume reloads its keys on it instead).
  explicit stop_signals(bool hangup_stops = true);
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  // leave_hangup, before arm(): SIGHUP is left alone (a hangup_reloader takes it).
  void leave_hangup() noexcept { hangup_stops_ = false; }
  void arm();
  // Readable (and stays readable) once a signal has come.
  [[nodiscard]] int fd() const noexcept { return read_fd_; }
  // The signal that came (SIGINT...), or 0.
  [[nodiscard]] static int caught() noexcept;
  // 128 + caught(), or 0 when none came.
  [[nodiscard]] static int exit_code() noexcept;
  // "SIGINT", "SIGTERM", "SIGHUP", or "" when none came.
  [[nodiscard]] static const char* name() noexcept;

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  bool hangup_stops_ = true;
  bool armed_ = false;
};

// hangup_reloader: while it lives, SIGHUP runs `reload` on a thread of its own (the
// handler only writes a byte to a pipe), so keys are reloaded while the run goes on
// and a batch in flight keeps the keys it started with. Install it after
// stop_signals(false), which then leaves SIGHUP alone. One instance at a time; the
// destructor restores the previous handler and waits for a reload in progress.
// Throws std::system_error when the pipe or the thread cannot be made.
class hangup_reloader {
 public:
  explicit hangup_reloader(std::function<void()> reload);
  ~hangup_reloader();
  hangup_reloader(const hangup_reloader&) = delete;
  hangup_reloader& operator=(const hangup_reloader&) = delete;

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  struct sigaction previous_ {};
  std::thread thread_;
};

// One input of a command, as plain bytes: a file or standard input, decompressed as it
// is read when it starts with the gzip or zstd magic bytes. It is the pipeline's byte
// source: the reading, and the decompression, happen on the pipeline's serial reader,
// with no thread or pipe of their own.
class input_source final : public byte_source {
 public:
  // open: "-" is standard input. Throws config_error naming the file when it cannot
  // be opened or read; decompression problems found later are reported by finish().
  // `stop_fd` (stop_signals::fd(), or -1) ends the reading early: read() returns
  // byte_source::stopped and finish() reports nothing.
  static std::unique_ptr<input_source> open(const std::string& path, int stop_fd = -1);
  ~input_source() override;
  input_source(const input_source&) = delete;
  input_source& operator=(const input_source&) = delete;

  // The plain (decompressed) bytes. A corrupt or truncated compressed stream, or a
  // read error, ends the input (0) after every byte decoded before the damage; finish()
  // then names the problem.
  std::ptrdiff_t read(char* buf, std::size_t n) override;
  [[nodiscard]] bool would_wait() const override;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // "gzip", "zstd" or "" (plain).
  [[nodiscard]] const std::string& compression() const noexcept { return compression_; }
  // Size of the input file in bytes, when it is a regular file (for progress).
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept { return size_; }
  // Bytes of the input file consumed so far (compressed bytes for compressed input).
  // May be read from another thread than the one reading.
  [[nodiscard]] std::uint64_t consumed() const noexcept {
    return consumed_.load(std::memory_order_relaxed);
  }
  // The device and inode of the input when it is a regular file (so an output file
  // that is also an input can be refused before it is truncated).
  [[nodiscard]] std::optional<std::pair<dev_t, ino_t>> file_id() const noexcept { return file_id_; }
  // The file's modification time (Unix seconds) when it is a regular file.
  [[nodiscard]] std::optional<double> modified() const noexcept { return modified_; }

  // finish returns what went wrong while reading or decompressing ("truncated gzip
  // stream", ...), or "" when nothing did.
  [[nodiscard]] std::string finish() const { return problem_; }

 private:
  struct decoder;
  input_source();
  // Raw bytes of the file: the magic bytes read by open() first, then the descriptor.
  std::ptrdiff_t read_raw(char* buf, std::size_t n);

  std::string name_;
  std::string compression_;
  std::optional<std::uint64_t> size_;
  std::optional<std::pair<dev_t, ino_t>> file_id_;
  std::optional<double> modified_;
  int fd_ = -1;         // the file (or 0)
  fd_source raw_{-1};   // reads fd_, watching the stop descriptor
  std::string prefix_;  // bytes open() read to tell the format, not yet handed on
  std::unique_ptr<decoder> decoder_;
  bool ended_ = false;
  std::string problem_;
  std::atomic<std::uint64_t> consumed_{0};
};

// open_inputs opens every path ("-" = standard input; none given = standard input)
// before anything is written, so an unreadable file is a usage error with nothing
// partial on stdout.
std::vector<std::unique_ptr<input_source>> open_inputs(const std::vector<std::string>& paths,
                                                       int stop_fd = -1);

// finish_input names on `err` what went wrong while reading `in` (a truncated or
// corrupt compressed file, a read error: every line before the damage got its record).
// True when something did: the run then exits 3 (an input ended early).
bool finish_input(input_source& in, std::FILE* err);

}  // namespace jwtbatch::cli
