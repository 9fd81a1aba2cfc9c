// key_loaders.hpp: turning configuration documents into keys (jwk.cpp, pem.cpp).
#pragma once

#include <optional>
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

}  // namespace jwtbatch::detail
