// core/io.hpp: the engine's one home for system calls that a signal may interrupt.
// Under a handler installed without SA_RESTART (by the application the engine is part
// of, which the engine does not control), and for poll(2) under any handler, a
// blocking call fails with EINTR although nothing went wrong (signal(7), "Interruption
// of system calls and library functions by signal handlers"): these wrappers retry it,
// so no caller has a loop of its own. The command line has its own home,
// engine/cli/io.hpp: it uses only the public API of the engine, and these are no JWT
// API.
#pragma once

#include <poll.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace jwtbatch::detail {

// read_some reads up to `n` bytes of `fd` into `buf` with one read(2), retried while it
// is interrupted: the bytes read (fewer than n when that is what the input had), 0 at
// the end of the input, -1 on any other error (errno set).
[[nodiscard]] inline ssize_t read_some(int fd, void* buf, std::size_t n) noexcept {
  ssize_t r = 0;
  do {
    r = ::read(fd, buf, n);
  } while (r < 0 && errno == EINTR);
  return r;
}

// poll_some is poll(2) on `fds[0..n)`, retried while it is interrupted: the number of
// descriptors with events, 0 when `timeout_ms` passed first, -1 on any other error
// (errno set). A retry waits the whole timeout again: meant for -1 (wait until
// something happens) and 0 (do not wait), the only timeouts the engine uses.
[[nodiscard]] inline int poll_some(pollfd* fds, nfds_t n, int timeout_ms) noexcept {
  int r = 0;
  do {
    r = ::poll(fds, n, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r;
}

}  // namespace jwtbatch::detail
