#include "crypto/key_export.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <span>
#include <type_traits>
#include <variant>

#include "crypto/internal.hpp"

namespace jwtbatch::detail {
namespace {

// Appends member `name` holding `bn` big-endian, left-padded to `padded_len` (0: its
// minimal length). False when `bn` is absent or does not fit.
bool add_bn(std::vector<jwk_member>& to, std::string_view name, const BIGNUM* bn,
            std::size_t padded_len = 0) {
  if (bn == nullptr) return false;
  jwk_member m{name, {}};
  const std::size_t len = padded_len != 0 ? padded_len : BN_num_bytes(bn);
  m.value.bytes.resize(len);
  if (BN_bn2bin_padded(m.value.bytes.data(), len, bn) != 1) return false;
  to.push_back(std::move(m));
  return true;
}

void add_bytes(std::vector<jwk_member>& to, std::string_view name,
               std::span<const std::uint8_t> bytes) {
  jwk_member m{name, {}};
  m.value.bytes.assign(bytes.begin(), bytes.end());
  to.push_back(std::move(m));
}

bool export_rsa(const rsa_material& r, bool with_private, key_members& out) {
  const BIGNUM* n = nullptr;
  const BIGNUM* e = nullptr;
  const BIGNUM* d = nullptr;
  RSA_get0_key(r.rsa.get(), &n, &e, &d);
  out.kty = "RSA";
  out.bits = RSA_bits(r.rsa.get());
  // RFC 7518 §6.3.1: n, e (kty is the writer's).
  if (!add_bn(out.required, "n", n) || !add_bn(out.required, "e", e)) return false;
  if (!with_private || !r.has_private) return true;
  const BIGNUM* p = nullptr;
  const BIGNUM* q = nullptr;
  const BIGNUM* dp = nullptr;
  const BIGNUM* dq = nullptr;
  const BIGNUM* qi = nullptr;
  RSA_get0_factors(r.rsa.get(), &p, &q);
  RSA_get0_crt_params(r.rsa.get(), &dp, &dq, &qi);
  // Every member of RFC 7518 §6.3.2: a loaded private key always has the CRT form
  // (key.hpp rsa_components; PKCS#1 and PKCS#8 carry it).
  return add_bn(out.private_part, "d", d) && add_bn(out.private_part, "p", p) &&
         add_bn(out.private_part, "q", q) && add_bn(out.private_part, "dp", dp) &&
         add_bn(out.private_part, "dq", dq) && add_bn(out.private_part, "qi", qi);
}

bool export_ec(const ec_material& e, bool with_private, key_members& out) {
  const ec_curve curve = e.curve_nid == NID_X9_62_prime256v1 ? ec_curve::p256
                         : e.curve_nid == NID_secp384r1      ? ec_curve::p384
                                                             : ec_curve::p521;
  out.kty = "EC";
  out.crv = ec_curve_name(curve);
  out.bits = curve == ec_curve::p256 ? 256 : curve == ec_curve::p384 ? 384 : 521;
  const EC_GROUP* group = EC_KEY_get0_group(e.ec.get());
  bssl::UniquePtr<BIGNUM> x(BN_new());
  bssl::UniquePtr<BIGNUM> y(BN_new());
  if (!x || !y ||
      EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(e.ec.get()), x.get(),
                                          y.get(), nullptr) != 1) {
    return false;
  }
  const std::size_t field = ec_field_bytes(curve);
  if (!add_bn(out.required, "x", x.get(), field) || !add_bn(out.required, "y", y.get(), field)) {
    return false;
  }
  if (!with_private || !e.has_private) return true;
  return add_bn(out.private_part, "d", EC_KEY_get0_private_key(e.ec.get()), field);
}

}  // namespace

std::string export_key_members(const key& k, bool with_private, key_members& out) {
  out = key_members{};
  const bool ok = visit_material(k.material, [&](const auto& m) {
    using T = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<T, hmac_material>) {
      out.kty = "oct";
      out.bits = static_cast<unsigned>(m.secret.size() * 8);
      add_bytes(out.required, "k", m.secret);
      return true;
    } else if constexpr (std::is_same_v<T, rsa_material>) {
      return export_rsa(m, with_private, out);
    } else if constexpr (std::is_same_v<T, ec_material>) {
      return export_ec(m, with_private, out);
    } else {
      out.kty = "OKP";
      out.crv = "Ed25519";
      out.bits = 256;
      add_bytes(out.required, "x", m.public_key);
      if (with_private && m.has_private) {
        // RFC 8037 §2: d is the 32-byte seed, the first half of BoringSSL's form.
        add_bytes(out.private_part, "d", std::span(m.private_key).first(32));
      }
      return true;
    }
  });
  if (!ok) {
    ERR_clear_error();
    out = key_members{};
    return "key export failed";
  }
  return {};
}

}  // namespace jwtbatch::detail
