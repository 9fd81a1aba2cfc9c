// replacing_file.hpp: an output file that appears whole or not at all. The data goes
// to a temporary file beside the target and is renamed over it only once every byte
// is written and flushed, so a failed or interrupted run (disk full, file size limit,
// a configuration error found late) leaves no empty or half-written file behind.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace jwtbatch::cli {

// file_identity: what makes two output paths one file before either is written: the
// device and inode of the file when it exists (hard links agree), else those of its
// directory and its last path component ("k.jwks", "./k.jwks" and "d/../k.jwks" agree).
struct file_identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string name;  // the last path component, when the file does not exist yet
  bool operator==(const file_identity&) const = default;
};

// identify: `path`'s identity (symlinks followed), or nullopt with errno set when
// neither the file nor its directory can be looked at.
std::optional<file_identity> identify(const std::string& path);

class replacing_file {
 public:
  // What commit() does when the target exists by then.
  enum class on_existing {
    replace,  // replace it if it is a regular file (checked again right before)
    refuse,   // never replace it: the rename itself refuses (RENAME_NOREPLACE), so a
              // file that appeared since the caller checked is kept
  };

  // Opens the temporary file beside `path`: with mode 0666 less the umask, as a plain
  // open would, or with exactly `mode` when given (e.g. 0600 for private keys; it never
  // has more permissions than `mode` at any moment). Refuses a target that exists and
  // is not a regular file, checked with lstat: a symlink, FIFO or device node is never
  // followed or replaced (rename over a device node as root would replace it
  // machine-wide). Throws config_error naming `flag` and `path`.
  replacing_file(std::string path, std::string flag, std::optional<mode_t> mode = std::nullopt);
  ~replacing_file();  // without commit(): closes and removes the temporary file
  replacing_file(const replacing_file&) = delete;
  replacing_file& operator=(const replacing_file&) = delete;

  // The stream to write to; valid until finish(), commit() or destruction.
  [[nodiscard]] std::FILE* get() const noexcept { return file_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  // write appends `text`; throws config_error naming the flag and file
  // ("write failed: File too large") when the stream refuses it.
  void write(std::string_view text);

  // finish flushes and closes the temporary file without renaming it yet, so that
  // several files can all be known whole before any of them replaces its target.
  // Throws config_error ("write failed: ...") when any write, the flush or the close
  // failed; the temporary file is then removed.
  void finish();

  // commit finishes the file (if finish() was not called) and renames it over the
  // target. Throws config_error naming the flag and file when finishing or the rename
  // failed, or the target is no longer a regular file ("not replaced"), or, with
  // on_existing::refuse, the target exists ("appeared while jwtbatch ran; not
  // replaced"); the temporary file is removed and the target left as it was.
  void commit(on_existing existing = on_existing::replace);

 private:
  [[noreturn]] void fail(const std::string& what);
  [[nodiscard]] bool rename_no_replace() const;

  std::string path_, flag_, temp_;
  std::FILE* file_ = nullptr;
  bool finished_ = false;
};

}  // namespace jwtbatch::cli
