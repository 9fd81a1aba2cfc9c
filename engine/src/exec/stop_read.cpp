#include "exec/stop_read.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace jwtbatch::detail {

ssize_t read_or_stop(int fd, char* buf, std::size_t n, int stop_fd) noexcept {
  if (stop_fd >= 0 && fd >= 0) {
    std::array<pollfd, 2> p{pollfd{stop_fd, POLLIN, 0}, pollfd{fd, POLLIN, 0}};
    while (true) {
      const int r = ::poll(p.data(), p.size(), -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return -1;
      // The stop is looked at first: an input that never pauses (a large file) must
      // not hide it.
      if (p[0].revents != 0) return k_stopped;
      if (p[1].revents != 0) break;
    }
  }
  ssize_t r = 0;
  do {
    r = ::read(fd, buf, n);
  } while (r < 0 && errno == EINTR);
  return r;
}

bool stop_pending(int stop_fd) noexcept {
  if (stop_fd < 0) return false;
  pollfd p{stop_fd, POLLIN, 0};
  int r = 0;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace jwtbatch::detail
