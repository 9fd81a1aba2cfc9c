// ES256/384/512 (RFC 7518 §3.4): the JWS signature is R || S, each left-padded to the
// curve's field size. It is split in half and turned into an ECDSA_SIG through
// BN_bin2bn, never through a DER parser (docs/SECURITY.md S7). r and s outside [1, n-1]
// are rejected by ECDSA_do_verify (S6).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>

#include "crypto/digest.hpp"
#include "crypto/signature.hpp"

namespace jwtbatch::detail {

bool ecdsa_verify(const ec_material& m, alg a, std::string_view input,
                  std::span<const std::uint8_t> sig) noexcept {
  const digest d = digest_of(alg_hash(a), input);
  const std::size_t half = m.field_bytes;
  bssl::UniquePtr<ECDSA_SIG> s(ECDSA_SIG_new());
  if (!s) return false;
  if (BN_bin2bn(sig.data(), half, s->r) == nullptr ||
      BN_bin2bn(sig.data() + half, half, s->s) == nullptr) {
    return false;
  }
  return ECDSA_do_verify(d.bytes.data(), d.size, s.get(), m.ec.get()) == 1;
}

bool ecdsa_sign(const ec_material& m, alg a, std::string_view input,
                std::vector<std::uint8_t>& out) {
  if (!m.has_private) return false;
  const digest d = digest_of(alg_hash(a), input);
  bssl::UniquePtr<ECDSA_SIG> s(ECDSA_do_sign(d.bytes.data(), d.size, m.ec.get()));
  if (!s) return false;
  out.resize(2 * m.field_bytes);
  return BN_bn2bin_padded(out.data(), m.field_bytes, s->r) == 1 &&
         BN_bn2bin_padded(out.data() + m.field_bytes, m.field_bytes, s->s) == 1;
}

bool ecdsa_rs_out_of_range(const ec_material& m, std::span<const std::uint8_t> sig) noexcept {
  if (sig.size() != 2 * m.field_bytes) return false;
  const BIGNUM* order = EC_GROUP_get0_order(EC_KEY_get0_group(m.ec.get()));
  bssl::UniquePtr<BIGNUM> r(BN_bin2bn(sig.data(), m.field_bytes, nullptr));
  bssl::UniquePtr<BIGNUM> s(BN_bin2bn(sig.data() + m.field_bytes, m.field_bytes, nullptr));
  if (!r || !s) return false;
  return BN_is_zero(r.get()) != 0 || BN_is_zero(s.get()) != 0 || BN_cmp(r.get(), order) >= 0 ||
         BN_cmp(s.get(), order) >= 0;
}

}  // namespace jwtbatch::detail
