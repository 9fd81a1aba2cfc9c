// EdDSA with Ed25519 (RFC 8037 §3.1). ED25519_verify rejects S >= L (RFC 8032
// §5.1.7) and non-canonical encodings, so malleated signatures fail (docs/SECURITY.md S8).
#include <openssl/curve25519.h>

#include "crypto/signature.hpp"

namespace jwtbatch::detail {

bool eddsa_verify(const ed25519_material& m, std::string_view input,
                  std::span<const std::uint8_t> sig) noexcept {
  return ED25519_verify(reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                        sig.data(), m.public_key.data()) == 1;
}

bool eddsa_sign(const ed25519_material& m, std::string_view input, std::vector<std::uint8_t>& out) {
  if (!m.has_private) return false;
  out.resize(64);
  return ED25519_sign(out.data(), reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                      m.private_key.data()) == 1;
}

}  // namespace jwtbatch::detail
