#include "crypto/memory.hpp"

#include <openssl/mem.h>

namespace jwtbatch::detail {

void cleanse(void* ptr, std::size_t len) noexcept {
  OPENSSL_cleanse(ptr, len);
}

}  // namespace jwtbatch::detail
