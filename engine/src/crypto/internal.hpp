// crypto/internal.hpp: the crypto layer's own declarations in BoringSSL's types, shared
// by its files (key.cpp, pem.cpp, keygen.cpp) and never included above crypto/ (the
// way BoringSSL keeps an internal.h beside its code).
#pragma once

#include <openssl/ec_key.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

#include <optional>

#include "crypto/key.hpp"
#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

// ec_curve_nid is BoringSSL's name of `curve`.
[[nodiscard]] constexpr int ec_curve_nid(ec_curve curve) noexcept {
  return curve == ec_curve::p256   ? NID_X9_62_prime256v1
         : curve == ec_curve::p384 ? NID_secp384r1
                                   : NID_secp521r1;
}

// The builders of key.hpp on parsed BoringSSL keys (same rules, same messages). They
// take ownership of the key; has_private says whether it holds the private part.
[[nodiscard]] key_or_error make_rsa_key(bssl::UniquePtr<RSA> rsa, bool has_private,
                                        std::optional<alg> bind);
[[nodiscard]] key_or_error make_ec_key(bssl::UniquePtr<EC_KEY> ec, bool has_private,
                                       std::optional<alg> bind);

}  // namespace jwtbatch::detail
