// PEM key files: SPKI public keys, PKCS#1 RSA public keys, X.509 certificates (their
// subject public key), and PKCS#8 / PKCS#1 / SEC1 private keys.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "codec/text_escape.hpp"
#include "jwtbatch/key_set.hpp"
#include "keys/loaders.hpp"

namespace jwtbatch::detail {
namespace {

// The label of the first PEM block ("PUBLIC KEY", "CERTIFICATE", ...), or empty.
std::string_view first_label(std::string_view pem) {
  constexpr std::string_view begin = "-----BEGIN ";
  const std::size_t at = pem.find(begin);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + begin.size();
  const std::size_t end = pem.find("-----", start);
  return end == std::string_view::npos ? std::string_view{} : pem.substr(start, end - start);
}

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

key load_pem(std::string_view pem, std::string_view source, std::string_view kid,
             std::optional<alg> bind) {
  const std::string where(source);
  const std::string_view label = first_label(pem);
  if (label.empty()) throw config_error(where + ": no PEM block (-----BEGIN ...-----)");
  if (pem.size() > (1U << 24)) throw config_error(where + ": PEM file larger than 16 MiB");
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw config_error(where + ": out of memory");

  bssl::UniquePtr<EVP_PKEY> pkey;
  bool has_private = false;
  if (label == "PUBLIC KEY") {
    pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  } else if (label == "RSA PUBLIC KEY") {
    bssl::UniquePtr<RSA> rsa(PEM_read_bio_RSAPublicKey(bio.get(), nullptr, nullptr, nullptr));
    if (rsa) {
      pkey.reset(EVP_PKEY_new());
      if (pkey && EVP_PKEY_assign_RSA(pkey.get(), rsa.get()) == 1) {
        static_cast<void>(rsa.release());  // owned by pkey now
      }
    }
  } else if (label == "CERTIFICATE") {
    // The certificate only carries the key: it is not checked as a certificate
    // (no chain, no dates); trusting it is the configuration's decision.
    bssl::UniquePtr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) pkey.reset(X509_get_pubkey(cert.get()));
  } else if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    has_private = true;
  } else if (label == "ENCRYPTED PRIVATE KEY") {
    throw config_error(where + ": encrypted private keys are not supported; decrypt it first");
  } else {
    throw config_error(where + ": unsupported PEM block \"" + std::string(label) + "\"");
  }
  if (!pkey) {
    ERR_clear_error();
    throw config_error(where + ": cannot parse the PEM \"" + std::string(label) + "\" block");
  }
  key_or_error r = from_evp(pkey.get(), has_private, bind);
  if (!r.value) throw config_error(where + ": " + r.error);
  r.value->kid = std::string(kid);
  r.value->has_kid = !kid.empty();
  r.value->origin = kid.empty() ? where : where + " (kid " + escape_text(kid, true) + ")";
  return std::move(*r.value);
}

}  // namespace jwtbatch::detail
