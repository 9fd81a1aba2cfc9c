#include "crypto/pem.hpp"

#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>

#include "crypto/internal.hpp"

namespace jwtbatch::detail {
namespace {

key_or_error from_evp(EVP_PKEY* pkey, bool has_private, std::optional<alg> bind) {
  switch (EVP_PKEY_id(pkey)) {
    case EVP_PKEY_RSA:
      return make_rsa_key(bssl::UniquePtr<RSA>(EVP_PKEY_get1_RSA(pkey)), has_private, bind);
    case EVP_PKEY_EC:
      return make_ec_key(bssl::UniquePtr<EC_KEY>(EVP_PKEY_get1_EC_KEY(pkey)), has_private, bind);
    case EVP_PKEY_ED25519: {
      std::array<std::uint8_t, 32> pub{};
      std::size_t pub_len = pub.size();
      if (EVP_PKEY_get_raw_public_key(pkey, pub.data(), &pub_len) != 1) {
        return {std::nullopt, "cannot read the Ed25519 public key"};
      }
      std::array<std::uint8_t, 32> seed{};
      std::size_t seed_len = seed.size();
      if (has_private && EVP_PKEY_get_raw_private_key(pkey, seed.data(), &seed_len) != 1) {
        return {std::nullopt, "cannot read the Ed25519 private key"};
      }
      key_or_error r = make_ed25519_key(
          std::span(pub.data(), pub_len),
          has_private ? std::span(seed.data(), seed_len) : std::span<const std::uint8_t>(), bind);
      OPENSSL_cleanse(seed.data(), seed.size());
      return r;
    }
    default:
      return {std::nullopt, "key type is not RSA, EC or Ed25519"};
  }
}

}  // namespace

key_or_error key_from_pem(std::string_view pem, pem_block block, std::string_view label,
                          std::optional<alg> bind) {
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return {std::nullopt, "out of memory"};

  bssl::UniquePtr<EVP_PKEY> pkey;
  bool has_private = false;
  switch (block) {
    case pem_block::public_key:
      pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
      break;
    case pem_block::rsa_public_key: {
      bssl::UniquePtr<RSA> rsa(PEM_read_bio_RSAPublicKey(bio.get(), nullptr, nullptr, nullptr));
      if (rsa) {
        pkey.reset(EVP_PKEY_new());
        if (pkey && EVP_PKEY_assign_RSA(pkey.get(), rsa.get()) == 1) {
          static_cast<void>(rsa.release());  // owned by pkey now
        }
      }
      break;
    }
    case pem_block::certificate: {
      bssl::UniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (cert) pkey.reset(X509_get_pubkey(cert.get()));
      break;
    }
    case pem_block::private_key:
      pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
      has_private = true;
      break;
  }
  if (!pkey) {
    ERR_clear_error();
    return {std::nullopt, "cannot parse the PEM \"" + std::string(label) + "\" block"};
  }
  key_or_error r = from_evp(pkey.get(), has_private, bind);
  if (!r.value) ERR_clear_error();
  return r;
}

std::string public_key_der(std::span<const std::uint8_t> der) {
  std::string what;
  CBS cbs;
  CBS_init(&cbs, der.data(), der.size());
  if (bssl::UniquePtr<EVP_PKEY> spki(EVP_parse_public_key(&cbs)); spki && CBS_len(&cbs) == 0) {
    what = "a DER SubjectPublicKeyInfo (a public key)";
  }
  CBS_init(&cbs, der.data(), der.size());
  if (bssl::UniquePtr<RSA> rsa(RSA_parse_public_key(&cbs));
      what.empty() && rsa && CBS_len(&cbs) == 0) {
    what = "a DER PKCS#1 RSAPublicKey (a public key)";
  }
  if (what.empty() && der.size() <= static_cast<std::size_t>(INT32_MAX)) {
    const std::uint8_t* p = der.data();
    bssl::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (cert && p == der.data() + der.size()) what = "a DER X.509 certificate (a public key)";
  }
  // SEC 1 §2.3.3: 04||X||Y or 02/03||X. An HMAC keyed with the issuer's public point
  // is as public as the point.
  for (const int nid : {NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1}) {
    if (!what.empty() || der.empty() || der[0] < 2 || der[0] > 4) break;
    bssl::UniquePtr<EC_GROUP> group(EC_GROUP_new_by_curve_name(nid));
    if (!group) continue;
    const std::size_t field = (EC_GROUP_get_degree(group.get()) + 7) / 8;
    if (der.size() != 1 + field && der.size() != 1 + 2 * field) continue;
    bssl::UniquePtr<EC_POINT> point(EC_POINT_new(group.get()));
    if (point &&
        EC_POINT_oct2point(group.get(), point.get(), der.data(), der.size(), nullptr) == 1) {
      what = std::string("an EC point on ") + OBJ_nid2sn(nid) + " (a public key)";
    }
  }
  ERR_clear_error();
  return what;
}

std::vector<std::uint8_t> public_key_spki(const key& k) {
  bssl::UniquePtr<EVP_PKEY> pkey;
  if (const auto* r = std::get_if<rsa_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new());
    if (pkey && EVP_PKEY_set1_RSA(pkey.get(), r->rsa.get()) != 1) pkey.reset();
  } else if (const auto* e = std::get_if<ec_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new());
    if (pkey && EVP_PKEY_set1_EC_KEY(pkey.get(), e->ec.get()) != 1) pkey.reset();
  } else if (const auto* d = std::get_if<ed25519_material>(&k.material)) {
    pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, d->public_key.data(),
                                           d->public_key.size()));
  } else {
    return {};
  }
  bssl::ScopedCBB cbb;
  std::uint8_t* der = nullptr;
  std::size_t len = 0;
  if (!pkey || CBB_init(cbb.get(), 0) != 1 || EVP_marshal_public_key(cbb.get(), pkey.get()) != 1 ||
      CBB_finish(cbb.get(), &der, &len) != 1) {
    ERR_clear_error();
    return {};
  }
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace jwtbatch::detail
