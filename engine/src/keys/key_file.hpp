// keys/key_file.hpp: reading a key file whole, with the checks of
// key_set_builder::add_file (key_set.cpp), for the other readers of key files in this
// layer (history.cpp).
#pragma once

#include <string>

#include "crypto/memory.hpp"

namespace jwtbatch::detail {

// file_bytes: the contents of a key file, wiped when it goes away (it may be a secret).
struct file_bytes {
  std::string text;
  file_bytes() = default;
  file_bytes(const file_bytes&) = delete;
  file_bytes& operator=(const file_bytes&) = delete;
  ~file_bytes() { cleanse(text.data(), text.size()); }
};

// read_key_file reads the whole regular file `path` into `out`, at most
// max_key_file_bytes (key_set.hpp). A FIFO, a device or a directory is refused before
// anything is read, without blocking. Throws config_error "<path>: <why>" (with
// strerror() when the system refused).
void read_key_file(const std::string& path, file_bytes& out);

}  // namespace jwtbatch::detail
