// stop_read.hpp: reading an input that a stop request may interrupt. A stop is a
// descriptor that becomes readable (the CLI's signal self-pipe, pipeline_options::
// stop_fd): readers wait on it beside their input, so none stays blocked on a silent
// pipe once a stop was asked for.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace jwtbatch::detail {

// read_or_stop reads what `fd` has, up to n bytes, waiting until it has some, it ends,
// or `stop_fd` (when >= 0) becomes readable. Returns the bytes read, 0 at the end of
// the input, -1 on error (errno set), or k_stopped once a stop was asked for (checked
// before every read, so a stop is seen even when the input never pauses). A negative
// `fd` is read at once (poll would skip it and wait forever): the read reports EBADF.
inline constexpr ssize_t k_stopped = -2;
ssize_t read_or_stop(int fd, char* buf, std::size_t n, int stop_fd) noexcept;

// stop_pending: whether a stop was asked for on `stop_fd` (false when it is -1), without
// waiting. Readers ask it at the end of their input, which may have ended because its
// writer stopped on the same request: its last line is not whole then.
[[nodiscard]] bool stop_pending(int stop_fd) noexcept;

}  // namespace jwtbatch::detail
