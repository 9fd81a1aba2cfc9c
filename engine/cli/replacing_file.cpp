#include "replacing_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/core.h>

#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {

replacing_file::replacing_file(std::string path, std::string flag)
    : path_(std::move(path)), flag_(std::move(flag)) {
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw config_error(
        fmt::format("{} {}: exists and is not a regular file; not replaced", flag_, path_));
  }
  // Beside the target, so the rename stays within one file system and is atomic.
  for (unsigned attempt = 0;; ++attempt) {
    temp_ = fmt::format("{}.tmp-{}-{}", path_, ::getpid(), attempt);
    const int fd =
        ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) {
      file_ = ::fdopen(fd, "wb");
      if (file_ == nullptr) {
        const int e = errno;
        ::close(fd);
        ::unlink(temp_.c_str());
        throw config_error(fmt::format("{} {}: cannot write: {}", flag_, path_, std::strerror(e)));
      }
      return;
    }
    if (errno != EEXIST || attempt >= 100) {
      throw config_error(
          fmt::format("{} {}: cannot write: {}", flag_, path_, std::strerror(errno)));
    }
  }
}

replacing_file::~replacing_file() {
  if (file_ != nullptr) {
    std::fclose(file_);
    ::unlink(temp_.c_str());
  }
}

void replacing_file::commit() {
  std::FILE* f = std::exchange(file_, nullptr);
  int error = 0;
  if (std::fflush(f) != 0 || std::ferror(f) != 0) error = errno != 0 ? errno : EIO;
  if (std::fclose(f) != 0 && error == 0) error = errno;
  if (error == 0) {
    // The target may have become something else since the check at open: look again
    // right before replacing it.
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      ::unlink(temp_.c_str());
      throw config_error(
          fmt::format("{} {}: exists and is not a regular file; not replaced", flag_, path_));
    }
    if (::rename(temp_.c_str(), path_.c_str()) == 0) return;
    error = errno;
  }
  ::unlink(temp_.c_str());
  throw config_error(fmt::format("{} {}: write failed: {}", flag_, path_, std::strerror(error)));
}

}  // namespace jwtbatch::cli
