// crypto/memory.hpp: wiping secrets, for every layer that holds one (key files, JWK
// members, generated keys) without including BoringSSL itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace jwtbatch::detail {

// cleanse overwrites `len` bytes at `ptr` with zeros in a way the compiler may not drop
// as a dead store (OPENSSL_cleanse). `ptr` may be null when `len` is 0.
void cleanse(void* ptr, std::size_t len) noexcept;

// secret_bytes is a byte buffer that is wiped (cleanse) when it goes away: a key's
// secret members, a decoded JWK member. Move-only, so no unwiped copy is made by
// accident.
struct secret_bytes {
  std::vector<std::uint8_t> bytes;

  secret_bytes() = default;
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;
  secret_bytes(secret_bytes&&) = default;
  secret_bytes& operator=(secret_bytes&&) = default;
  ~secret_bytes() { cleanse(bytes.data(), bytes.size()); }
};

}  // namespace jwtbatch::detail
