#include "crypto/spki.hpp"

#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>

#include <variant>

namespace jwtbatch::detail {

std::vector<std::uint8_t> public_key_spki_der(const key& k, bool* ok) {
  *ok = true;
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
    return {};  // an HMAC secret has no public part
  }
  bssl::ScopedCBB cbb;
  std::uint8_t* der = nullptr;
  std::size_t len = 0;
  if (!pkey || CBB_init(cbb.get(), 0) != 1 || EVP_marshal_public_key(cbb.get(), pkey.get()) != 1 ||
      CBB_finish(cbb.get(), &der, &len) != 1) {
    ERR_clear_error();  // nothing may leak into the next call on this thread
    *ok = false;
    return {};
  }
  std::vector<std::uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace jwtbatch::detail
