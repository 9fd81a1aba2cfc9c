// io.hpp: the command line's one home for system calls that a signal may interrupt.
// The program's own handlers use SA_RESTART (input.hpp stop_signals), but a read or
// write still fails with EINTR under a handler installed without it, by anything the
// process loads (signal(7), "Interruption of system calls and library functions by
// signal handlers"): these wrappers retry it, so no caller has a loop of its own. The
// engine has the same for itself (engine/src/core/io.hpp): the command line uses only
// the engine's public API, and these are no JWT API. Header-only, noexcept, no
// allocation.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string_view>

namespace jwtbatch::cli::io {

// read_some reads up to `n` bytes of `fd` into `buf` with one read(2), retried while it
// is interrupted: the bytes read (fewer than n when that is what the input had), 0 at
// the end of the input, -1 on any other error (errno set).
[[nodiscard]] inline ssize_t read_some(int fd, char* buf, std::size_t n) noexcept {
  ssize_t r = 0;
  do {
    r = ::read(fd, buf, n);
  } while (r < 0 && errno == EINTR);
  return r;
}

// read_full reads until `n` bytes are in `buf` or the input ends: the bytes read (fewer
// than n only at the end of the input), or -1 on an error (errno set; what was read
// before it is lost to the caller).
[[nodiscard]] inline ssize_t read_full(int fd, char* buf, std::size_t n) noexcept {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = read_some(fd, buf + got, n - got);
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

// write_all writes all of `data` to `fd`, retrying short writes and interruptions: true
// when every byte went out; false when the reader has gone (EPIPE: the program ignores
// SIGPIPE) or on another error (errno set), or when write(2) wrote nothing.
[[nodiscard]] inline bool write_all(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t w = ::write(fd, data.data(), data.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(w));
  }
  return true;
}

}  // namespace jwtbatch::cli::io
