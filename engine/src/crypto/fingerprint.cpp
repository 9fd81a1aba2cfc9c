#include "crypto/fingerprint.hpp"

#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace jwtbatch::detail {

void token_fingerprint(std::string_view token, std::span<char, k_fingerprint_chars> out) noexcept {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const std::uint8_t*>(token.data()), token.size(), digest.data());
  for (std::size_t i = 0; i < out.size() / 2; ++i) {
    out[2 * i] = k_hex[digest[i] >> 4U];
    out[2 * i + 1] = k_hex[digest[i] & 0xFU];
  }
}

}  // namespace jwtbatch::detail
