#include "jwtbatch/sign.hpp"
#include "core/access.hpp"

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <vector>

#include "codec/base64url.hpp"
#include "codec/json_out.hpp"
#include "crypto/digest.hpp"
#include "crypto/signature.hpp"
#include "keys/store.hpp"

namespace jwtbatch {
namespace {

std::string b64(std::span<const std::uint8_t> bytes) {
  std::string out(detail::base64url_encoded_size(bytes.size()), '\0');
  out.resize(detail::base64url_encode(bytes, out.data()));
  return out;
}

std::string b64_bn(const BIGNUM* bn, std::size_t padded_len = 0) {
  const std::size_t len = padded_len != 0 ? padded_len : BN_num_bytes(bn);
  std::vector<std::uint8_t> bytes(len);
  if (BN_bn2bin_padded(bytes.data(), len, bn) != 1) throw config_error("key export failed");
  std::string out = b64(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return out;
}

// Builds {"kty":..., <members>, "kid":..., "use":"sig", "alg":...} in a fixed order.
class jwk_writer {
 public:
  jwk_writer(std::string_view kty) { member("kty", kty); }
  void member(std::string_view name, std::string_view value) {
    text_ += text_.empty() ? "{" : ",";
    detail::append_json_string(text_, name);
    text_ += ':';
    detail::append_json_string(text_, value);
  }
  std::string finish(std::string_view kid, alg a) {
    if (!kid.empty()) member("kid", kid);
    member("use", "sig");
    member("alg", alg_name(a));
    return text_ + "}";
  }

 private:
  std::string text_;
};

}  // namespace

std::string sign_compact(const key_set& keys, std::string_view kid, alg a, std::string_view payload,
                         std::optional<std::string_view> header_json) {
  const detail::key* k = nullptr;
  const status st = detail::access::key_store_of(keys).select(
      a, kid.empty() ? std::nullopt : std::optional(kid), false, &k);
  if (st != status::ok) {
    throw config_error("sign: no key for kid \"" + std::string(kid) + "\" and " +
                       std::string(alg_name(a)) + " (" + std::string(status_name(st)) + ")");
  }
  std::string header;
  if (header_json) {
    header = std::string(*header_json);
  } else {
    header = R"({"alg":")" + std::string(alg_name(a)) + R"(","typ":"JWT")";
    if (!kid.empty()) {
      header += R"(,"kid":)";
      detail::append_json_string(header, kid);
    }
    header += "}";
  }
  std::string token = detail::base64url_encode(header) + "." + detail::base64url_encode(payload);
  std::vector<std::uint8_t> sig;
  if (!detail::sign_signature(*k, a, token, sig)) {
    throw config_error("sign: key " + k->origin + " cannot sign (no private part?)");
  }
  token += ".";
  token += b64(sig);
  return token;
}

generated_key generate_key(alg a, std::string_view kid, unsigned rsa_bits) {
  generated_key out;
  switch (a) {
    case alg::hs256:
    case alg::hs384:
    case alg::hs512: {
      std::vector<std::uint8_t> secret(detail::sha2_size(detail::alg_hash(a)));
      RAND_bytes(secret.data(), secret.size());
      jwk_writer w("oct");
      w.member("k", b64(secret));
      OPENSSL_cleanse(secret.data(), secret.size());
      out.private_jwk = w.finish(kid, a);
      out.public_jwk = out.private_jwk;
      return out;
    }
    case alg::rs256:
    case alg::rs384:
    case alg::rs512:
    case alg::ps256:
    case alg::ps384:
    case alg::ps512: {
      if (rsa_bits < 2048 || rsa_bits > 16384) {
        throw config_error("RSA key size must be 2048..16384 bits, not " +
                           std::to_string(rsa_bits));
      }
      bssl::UniquePtr<RSA> rsa(RSA_new());
      bssl::UniquePtr<BIGNUM> e(BN_new());
      if (!rsa || !e || BN_set_word(e.get(), RSA_F4) != 1 ||
          RSA_generate_key_ex(rsa.get(), static_cast<int>(rsa_bits), e.get(), nullptr) != 1) {
        throw config_error("RSA key generation failed");
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
      jwk_writer pub("RSA");
      pub.member("n", b64_bn(n));
      pub.member("e", b64_bn(pe));
      jwk_writer priv = pub;
      priv.member("d", b64_bn(d));
      priv.member("p", b64_bn(p));
      priv.member("q", b64_bn(q));
      priv.member("dp", b64_bn(dp));
      priv.member("dq", b64_bn(dq));
      priv.member("qi", b64_bn(qi));
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
    }
    case alg::es256:
    case alg::es384:
    case alg::es512: {
      const int nid = a == alg::es256   ? NID_X9_62_prime256v1
                      : a == alg::es384 ? NID_secp384r1
                                        : NID_secp521r1;
      const char* crv = a == alg::es256 ? "P-256" : a == alg::es384 ? "P-384" : "P-521";
      bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(nid));
      if (!ec || EC_KEY_generate_key(ec.get()) != 1) throw config_error("EC key generation failed");
      const EC_GROUP* group = EC_KEY_get0_group(ec.get());
      const std::size_t field = (EC_GROUP_get_degree(group) + 7) / 8;
      bssl::UniquePtr<BIGNUM> x(BN_new());
      bssl::UniquePtr<BIGNUM> y(BN_new());
      if (!x || !y ||
          EC_POINT_get_affine_coordinates_GFp(group, EC_KEY_get0_public_key(ec.get()), x.get(),
                                              y.get(), nullptr) != 1) {
        throw config_error("EC key export failed");
      }
      jwk_writer pub("EC");
      pub.member("crv", crv);
      pub.member("x", b64_bn(x.get(), field));
      pub.member("y", b64_bn(y.get(), field));
      jwk_writer priv = pub;
      priv.member("d", b64_bn(EC_KEY_get0_private_key(ec.get()), field));
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
    }
    case alg::eddsa: {
      std::array<std::uint8_t, 32> pub_key{};
      std::array<std::uint8_t, 64> priv_key{};
      ED25519_keypair(pub_key.data(), priv_key.data());
      jwk_writer pub("OKP");
      pub.member("crv", "Ed25519");
      pub.member("x", b64(pub_key));
      jwk_writer priv = pub;
      priv.member("d", b64(std::span(priv_key.data(), 32)));  // the seed (RFC 8037 §2)
      OPENSSL_cleanse(priv_key.data(), priv_key.size());
      out.public_jwk = pub.finish(kid, a);
      out.private_jwk = priv.finish(kid, a);
      return out;
    }
  }
  throw config_error("generate_key: unknown algorithm");
}

}  // namespace jwtbatch
