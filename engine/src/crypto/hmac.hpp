// crypto/hmac.hpp: HMAC-SHA-2 with the key's inner and outer hash states computed once.
//
// HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). The two padded key
// blocks never change, so a key stores the hash state after absorbing each; a token
// then costs a copy of two small structs plus its own blocks. The states are
// immutable after construction: one hmac_key is shared by every thread.
#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/sha2.hpp"

namespace jwtbatch::detail {

class hmac_key {
 public:
  // Precomputes the states for `hash` from `secret` (any length; RFC 2104 §2 hashes a
  // key longer than the block first).
  hmac_key(sha2 hash, std::span<const std::uint8_t> secret) noexcept;

  [[nodiscard]] sha2 hash() const noexcept { return hash_; }

  // mac writes sha2_size(hash()) bytes of HMAC(secret, message) to out.
  void mac(std::string_view message, std::uint8_t* out) const noexcept;

  // verify: `tag` must have exactly the full output length, then constant-time
  // compare (CRYPTO_memcmp over the whole tag).
  [[nodiscard]] bool verify(std::string_view message,
                            std::span<const std::uint8_t> tag) const noexcept;

 private:
  sha2 hash_;
  SHA256_CTX inner256_{};
  SHA256_CTX outer256_{};
  SHA512_CTX inner512_{};  // SHA-384 shares SHA-512's state type
  SHA512_CTX outer512_{};
};

}  // namespace jwtbatch::detail
