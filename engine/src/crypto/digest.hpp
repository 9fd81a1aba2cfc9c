// crypto/digest.hpp: SHA-2 digests through BoringSSL, for the crypto layer's own files
// (and benchmarks that call BoringSSL beside it). Layers above name hashes through
// crypto/sha2.hpp, which holds no BoringSSL type.
#pragma once

#include <openssl/digest.h>
#include <openssl/nid.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/sha2.hpp"
#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

[[nodiscard]] inline int sha2_nid(sha2 h) noexcept {
  return h == sha2::sha256 ? NID_sha256 : h == sha2::sha384 ? NID_sha384 : NID_sha512;
}

[[nodiscard]] inline const EVP_MD* sha2_md(sha2 h) noexcept {
  return h == sha2::sha256 ? EVP_sha256() : h == sha2::sha384 ? EVP_sha384() : EVP_sha512();
}

struct digest {
  std::array<std::uint8_t, 64> bytes{};
  std::size_t size = 0;
};

// digest_of hashes `message` with `h` (one-shot, no allocation).
[[nodiscard]] inline digest digest_of(sha2 h, std::string_view message) noexcept {
  digest d;
  const auto* m = reinterpret_cast<const std::uint8_t*>(message.data());
  switch (h) {
    case sha2::sha256:
      SHA256(m, message.size(), d.bytes.data());
      break;
    case sha2::sha384:
      SHA384(m, message.size(), d.bytes.data());
      break;
    case sha2::sha512:
      SHA512(m, message.size(), d.bytes.data());
      break;
  }
  d.size = sha2_size(h);
  return d;
}

}  // namespace jwtbatch::detail
