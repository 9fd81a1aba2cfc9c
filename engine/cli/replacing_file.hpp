// replacing_file.hpp: an output file that appears whole or not at all. The data goes
// to a temporary file beside the target and is renamed over it only once every byte
// is written and flushed, so a failed or interrupted run (disk full, file size limit,
// a configuration error found late) leaves no empty or half-written file behind.
#pragma once

#include <cstdio>
#include <string>

namespace jwtbatch::cli {

class replacing_file {
 public:
  // Opens the temporary file beside `path` (created with mode 0666 less the umask, as a
  // plain open would). Refuses a target that exists and is not a regular file, checked
  // with lstat: a symlink, FIFO or device node is never followed or replaced (rename
  // over a device node as root would replace it machine-wide). Throws config_error
  // naming `flag` and `path`.
  replacing_file(std::string path, std::string flag);
  ~replacing_file();  // without commit(): closes and removes the temporary file
  replacing_file(const replacing_file&) = delete;
  replacing_file& operator=(const replacing_file&) = delete;

  // The stream to write to; valid until commit() or destruction.
  [[nodiscard]] std::FILE* get() const noexcept { return file_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  // commit flushes and closes the temporary file and renames it over the target.
  // Throws config_error naming the flag and file ("write failed: File too large")
  // when any write, the flush, the close or the rename failed; the temporary file is
  // removed and the target left as it was.
  void commit();

 private:
  std::string path_, flag_, temp_;
  std::FILE* file_ = nullptr;
};

}  // namespace jwtbatch::cli
