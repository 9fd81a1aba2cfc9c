#include "exec/stop_read.hpp"

#include <poll.h>

#include <array>

#include "core/io.hpp"

namespace jwtbatch::detail {

ssize_t read_or_stop(int fd, char* buf, std::size_t n, int stop_fd) noexcept {
  if (stop_fd >= 0 && fd >= 0) {
    std::array<pollfd, 2> p{pollfd{stop_fd, POLLIN, 0}, pollfd{fd, POLLIN, 0}};
    while (true) {
      if (poll_some(p.data(), p.size(), -1) < 0) return -1;
      // The stop is looked at first: an input that never pauses (a large file) must
      // not hide it.
      if (p[0].revents != 0) return k_stopped;
      if (p[1].revents != 0) break;
    }
  }
  return read_some(fd, buf, n);
}

bool stop_pending(int stop_fd) noexcept {
  if (stop_fd < 0) return false;
  pollfd p{stop_fd, POLLIN, 0};
  return poll_some(&p, 1, 0) > 0;
}

}  // namespace jwtbatch::detail
