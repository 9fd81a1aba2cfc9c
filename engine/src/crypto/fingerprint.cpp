#include "crypto/fingerprint.hpp"

#include <openssl/sha.h>

#include <array>
#include <cstdint>

#include "codec/hex.hpp"

namespace jwtbatch::detail {

void token_fingerprint(std::string_view token, std::span<char, k_fingerprint_chars> out) noexcept {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const std::uint8_t*>(token.data()), token.size(), digest.data());
  hex_encode(std::span(digest).first<k_fingerprint_chars / 2>(), out.data());
}

}  // namespace jwtbatch::detail
