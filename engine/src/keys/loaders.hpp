// key_loaders.hpp: turning configuration documents into keys (jwk.cpp, pem.cpp,
// secret.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/key.hpp"
#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

// load_jwks appends every usable key of a JWKS (or single JWK) document to `out`.
// A key that cannot be used is skipped with a message in `warnings` naming `source`,
// the key's index and kid, and the reason. Throws config_error when the document is
// not a JWK or JWKS, or when it yields no usable key.
void load_jwks(std::string_view json, std::string_view source, std::vector<key>& out,
               std::vector<std::string>& warnings);

// load_pem returns the key in one PEM document (see key_set_builder::add_pem).
// Throws config_error naming `source` on any problem.
[[nodiscard]] key load_pem(std::string_view pem, std::string_view source, std::string_view kid,
                           std::optional<alg> bind);

// public_key_material says what `secret` is when it is public-key material rather
// than a secret ("a PEM block ...", "a DER SubjectPublicKeyInfo ...", ...), or returns
// an empty string. See key_set_builder::add_secret for the forms recognised.
[[nodiscard]] std::string public_key_material(std::span<const std::uint8_t> secret);

// make_hmac_key is the loaders' way to an HMAC key: the secret is judged first
// (public_key_material), then built by crypto/key.hpp's make_hmac_key, which refuses
// public-key material, a `bind` that is not HS256/384/512, and short secrets.
[[nodiscard]] key_or_error make_hmac_key(std::span<const std::uint8_t> secret,
                                         std::optional<alg> bind);

}  // namespace jwtbatch::detail
