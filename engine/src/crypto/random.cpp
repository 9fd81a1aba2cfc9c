#include "crypto/random.hpp"

#include <openssl/rand.h>
#include <openssl/siphash.h>

namespace jwtbatch::detail {

void random_bytes(std::span<std::uint8_t> out) noexcept {
  RAND_bytes(out.data(), out.size());
}

std::uint64_t siphash24(std::span<const std::uint64_t, 2> key, std::string_view data) noexcept {
  return SIPHASH_24(key.data(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

}  // namespace jwtbatch::detail
