// crypto/sha2.hpp: the SHA-2 function behind each JWS algorithm (RFC 7518 §3.1), as
// plain values: no BoringSSL type, so any layer may name a hash and its size.
#pragma once

#include <cstddef>
#include <cstdint>

#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

enum class sha2 : std::uint8_t { sha256, sha384, sha512 };

// sha2_size is the output size in bytes: 32, 48, 64.
[[nodiscard]] constexpr std::size_t sha2_size(sha2 h) noexcept {
  return h == sha2::sha256 ? 32 : h == sha2::sha384 ? 48 : 64;
}

inline constexpr std::size_t k_max_mac_size = 64;

// alg_hash is the hash `a` signs or MACs with (RFC 7518 §3.2-3.5).
[[nodiscard]] constexpr sha2 alg_hash(alg a) noexcept {
  switch (a) {
    case alg::hs256:
    case alg::rs256:
    case alg::ps256:
    case alg::es256:
      return sha2::sha256;
    case alg::hs384:
    case alg::rs384:
    case alg::ps384:
    case alg::es384:
      return sha2::sha384;
    case alg::hs512:
    case alg::rs512:
    case alg::ps512:
    case alg::es512:
    case alg::eddsa:  // unused: Ed25519 hashes internally (with SHA-512)
      return sha2::sha512;
  }
  return sha2::sha256;
}

}  // namespace jwtbatch::detail
