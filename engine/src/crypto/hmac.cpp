#include "crypto/hmac.hpp"

#include <openssl/mem.h>

#include <cstring>

namespace jwtbatch::detail {
namespace {

constexpr std::size_t block_size(sha2 h) {
  return h == sha2::sha256 ? 64 : 128;
}

// The key as one block: hashed if longer than a block, zero-padded (RFC 2104 §2).
std::array<std::uint8_t, 128> key_block(sha2 h, std::span<const std::uint8_t> secret) {
  std::array<std::uint8_t, 128> block{};
  if (secret.size() > block_size(h)) {
    switch (h) {
      case sha2::sha256:
        SHA256(secret.data(), secret.size(), block.data());
        break;
      case sha2::sha384:
        SHA384(secret.data(), secret.size(), block.data());
        break;
      case sha2::sha512:
        SHA512(secret.data(), secret.size(), block.data());
        break;
    }
  } else if (!secret.empty()) {
    std::memcpy(block.data(), secret.data(), secret.size());
  }
  return block;
}

}  // namespace

hmac_key::hmac_key(sha2 hash, std::span<const std::uint8_t> secret) noexcept : hash_(hash) {
  const std::size_t bs = block_size(hash);
  const std::array<std::uint8_t, 128> key = key_block(hash, secret);
  std::array<std::uint8_t, 128> ipad{};
  std::array<std::uint8_t, 128> opad{};
  for (std::size_t i = 0; i < bs; ++i) {
    ipad[i] = static_cast<std::uint8_t>(key[i] ^ 0x36U);
    opad[i] = static_cast<std::uint8_t>(key[i] ^ 0x5cU);
  }
  switch (hash) {
    case sha2::sha256:
      SHA256_Init(&inner256_);
      SHA256_Update(&inner256_, ipad.data(), bs);
      SHA256_Init(&outer256_);
      SHA256_Update(&outer256_, opad.data(), bs);
      break;
    case sha2::sha384:
      SHA384_Init(&inner512_);
      SHA384_Update(&inner512_, ipad.data(), bs);
      SHA384_Init(&outer512_);
      SHA384_Update(&outer512_, opad.data(), bs);
      break;
    case sha2::sha512:
      SHA512_Init(&inner512_);
      SHA512_Update(&inner512_, ipad.data(), bs);
      SHA512_Init(&outer512_);
      SHA512_Update(&outer512_, opad.data(), bs);
      break;
  }
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
}

void hmac_key::mac(std::string_view message, std::uint8_t* out) const noexcept {
  std::array<std::uint8_t, k_max_mac_size> inner_digest{};
  const auto* msg = reinterpret_cast<const std::uint8_t*>(message.data());
  switch (hash_) {
    case sha2::sha256: {
      SHA256_CTX ctx = inner256_;
      SHA256_Update(&ctx, msg, message.size());
      SHA256_Final(inner_digest.data(), &ctx);
      ctx = outer256_;
      SHA256_Update(&ctx, inner_digest.data(), 32);
      SHA256_Final(out, &ctx);
      break;
    }
    case sha2::sha384: {
      SHA512_CTX ctx = inner512_;
      SHA384_Update(&ctx, msg, message.size());
      SHA384_Final(inner_digest.data(), &ctx);
      ctx = outer512_;
      SHA384_Update(&ctx, inner_digest.data(), 48);
      SHA384_Final(out, &ctx);
      break;
    }
    case sha2::sha512: {
      SHA512_CTX ctx = inner512_;
      SHA512_Update(&ctx, msg, message.size());
      SHA512_Final(inner_digest.data(), &ctx);
      ctx = outer512_;
      SHA512_Update(&ctx, inner_digest.data(), 64);
      SHA512_Final(out, &ctx);
      break;
    }
  }
}

bool hmac_key::verify(std::string_view message, std::span<const std::uint8_t> tag) const noexcept {
  const std::size_t n = sha2_size(hash_);
  if (tag.size() != n) return false;  // RFC 7518 §3.2: the full output, never truncated
  std::array<std::uint8_t, k_max_mac_size> expected{};
  mac(message, expected.data());
  return CRYPTO_memcmp(expected.data(), tag.data(), n) == 0;
}

}  // namespace jwtbatch::detail
