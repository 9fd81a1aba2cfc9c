// file_kind.hpp: what a file that is not a regular file is, in words, for the messages
// that refuse it (key files, keygen outputs, @file arguments).
#pragma once

#include <sys/types.h>

namespace jwtbatch::detail {

// file_kind names the type in `mode` (st_mode from stat, lstat or fstat): "a symbolic
// link", "a directory", "a FIFO", "a character device", "a block device", "a socket",
// else "not a regular file".
[[nodiscard]] const char* file_kind(mode_t mode) noexcept;

}  // namespace jwtbatch::detail
