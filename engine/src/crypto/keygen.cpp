#include "crypto/keygen.hpp"

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>

#include "crypto/internal.hpp"

namespace jwtbatch::detail {
namespace {

// The big-endian bytes of `bn`, left-padded to `padded_len` (0: its minimal length).
bool export_bn(const BIGNUM* bn, secret_bytes& out, std::size_t padded_len = 0) {
  const std::size_t len = padded_len != 0 ? padded_len : BN_num_bytes(bn);
  out.bytes.resize(len);
  return BN_bn2bin_padded(out.bytes.data(), len, bn) == 1;
}

}  // namespace

std::string generate_rsa_key(unsigned bits, rsa_key_members& out) {
  bssl::UniquePtr<RSA> rsa(RSA_new());
  bssl::UniquePtr<BIGNUM> e(BN_new());
  if (!rsa || !e || BN_set_word(e.get(), RSA_F4) != 1 ||
      RSA_generate_key_ex(rsa.get(), static_cast<int>(bits), e.get(), nullptr) != 1) {
    return "RSA key generation failed";
  }
  const BIGNUM* n = nullptr;
  const BIGNUM* pe = nullptr;
  const BIGNUM* d = nullptr;
  const BIGNUM* p = nullptr;
  const BIGNUM* q = nullptr;
  const BIGNUM* dp = nullptr;
  const BIGNUM* dq = nullptr;
  const BIGNUM* qi = nullptr;
  RSA_get0_key(rsa.get(), &n, &pe, &d);
  RSA_get0_factors(rsa.get(), &p, &q);
  RSA_get0_crt_params(rsa.get(), &dp, &dq, &qi);
  if (!export_bn(n, out.n) || !export_bn(pe, out.e) || !export_bn(d, out.d) ||
      !export_bn(p, out.p) || !export_bn(q, out.q) || !export_bn(dp, out.dp) ||
      !export_bn(dq, out.dq) || !export_bn(qi, out.qi)) {
    return "key export failed";
  }
  return {};
}

std::string generate_ec_key(ec_curve curve, ec_key_members& out) {
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(ec_curve_nid(curve)));
  if (!ec || EC_KEY_generate_key(ec.get()) != 1) return "EC key generation failed";
  const EC_GROUP* group = EC_KEY_get0_group(ec.get());
  const std::size_t field = ec_field_bytes(curve);
  bssl::UniquePtr<BIGNUM> x(BN_new());
  bssl::UniquePtr<BIGNUM> y(BN_new());
  if (!x || !y ||
      EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(ec.get()), x.get(), y.get(),
                                          nullptr) != 1) {
    return "EC key export failed";
  }
  if (!export_bn(x.get(), out.x, field) || !export_bn(y.get(), out.y, field) ||
      !export_bn(EC_KEY_get0_private_key(ec.get()), out.d, field)) {
    return "key export failed";
  }
  return {};
}

void generate_ed25519_key(ed25519_key_members& out) {
  std::array<std::uint8_t, 32> pub_key{};
  std::array<std::uint8_t, 64> priv_key{};  // seed || public key
  ED25519_keypair(pub_key.data(), priv_key.data());
  out.x.bytes.assign(pub_key.begin(), pub_key.end());
  out.d.bytes.assign(priv_key.begin(), priv_key.begin() + 32);  // the seed (RFC 8037 §2)
  OPENSSL_cleanse(priv_key.data(), priv_key.size());
}

}  // namespace jwtbatch::detail
