#include "replacing_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <utility>

#include <fmt/core.h>

#include "jwtbatch/key_set.hpp"

namespace jwtbatch::cli {
namespace {

// lstat, not stat: a symlink is itself "not a regular file" and is never followed.
bool exists_not_regular(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

}  // namespace

std::optional<file_identity> identify(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return file_identity{true, st.st_dev, st.st_ino, {}};
  if (errno != ENOENT) return std::nullopt;
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  if (::stat(dir.c_str(), &st) != 0) return std::nullopt;
  return file_identity{false, st.st_dev, st.st_ino,
                       slash == std::string::npos ? path : path.substr(slash + 1)};
}

replacing_file::replacing_file(std::string path, std::string flag, std::optional<mode_t> mode)
    : path_(std::move(path)), flag_(std::move(flag)) {
  if (exists_not_regular(path_)) fail("exists and is not a regular file; not replaced");
  // Beside the target, so the rename stays within one file system and is atomic.
  for (unsigned attempt = 0;; ++attempt) {
    const std::string temp = fmt::format("{}.tmp-{}-{}", path_, ::getpid(), attempt);
    // With an explicit mode the file is created with at most that mode (the umask can
    // only take bits away) and then set to exactly it.
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          mode.value_or(0666));
    if (fd >= 0) {
      temp_ = temp;
      if ((mode && ::fchmod(fd, *mode) != 0) || (file_ = ::fdopen(fd, "wb")) == nullptr) {
        const int e = errno;
        ::close(fd);
        fail(fmt::format("cannot write: {}", std::generic_category().message(e)));
      }
      return;
    }
    if (errno != EEXIST || attempt >= 100)
      fail(fmt::format("cannot write: {}", std::generic_category().message(errno)));
  }
}

replacing_file::~replacing_file() {
  // Nothing was committed: what closing or removing the temporary file says changes nothing.
  if (file_ != nullptr) static_cast<void>(std::fclose(file_));
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void replacing_file::fail(const std::string& what) {
  if (file_ != nullptr) static_cast<void>(std::fclose(std::exchange(file_, nullptr)));
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
  throw config_error(fmt::format("{} {}: {}", flag_, path_, what));
}

void replacing_file::write(std::string_view text) {
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
    fail(fmt::format("write failed: {}", std::generic_category().message(errno)));
  }
}

void replacing_file::finish() {
  if (finished_) return;
  finished_ = true;
  std::FILE* f = std::exchange(file_, nullptr);
  int error = 0;
  if (std::fflush(f) != 0 || std::ferror(f) != 0) error = errno != 0 ? errno : EIO;
  if (std::fclose(f) != 0 && error == 0) error = errno;
  if (error != 0) fail(fmt::format("write failed: {}", std::generic_category().message(error)));
}

void replacing_file::commit(on_existing existing) {
  finish();
  if (existing == on_existing::refuse) {
    if (!rename_no_replace()) {
      if (errno == EEXIST) fail("appeared while jwtbatch ran; not replaced");
      fail(fmt::format("write failed: {}", std::generic_category().message(errno)));
    }
  } else {
    // The target may have become something else since the check at open: look again
    // right before replacing it.
    if (exists_not_regular(path_)) fail("exists and is not a regular file; not replaced");
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      fail(fmt::format("write failed: {}", std::generic_category().message(errno)));
    }
  }
  temp_.clear();
}

// RENAME_NOREPLACE where the file system has it; else link() (which also refuses an
// existing target, atomically) and the temporary name removed.
bool replacing_file::rename_no_replace() const {
  if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (::link(temp_.c_str(), path_.c_str()) != 0) return false;
  ::unlink(temp_.c_str());
  return true;
}

}  // namespace jwtbatch::cli
