// crypto/spki.hpp: a key's public part exported as a DER SubjectPublicKeyInfo.
#pragma once

#include <cstdint>
#include <vector>

#include "crypto/key.hpp"

namespace jwtbatch::detail {

// public_key_spki_der returns the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; RFC 3279
// for RSA and EC, RFC 8410 for Ed25519) of `k`'s public part, or an empty vector for an
// HMAC key. Returns false in *ok (and an empty vector) when BoringSSL cannot export it.
// Leaves the BoringSSL error queue empty. Not for the hot path (allocates).
[[nodiscard]] std::vector<std::uint8_t> public_key_spki_der(const key& k, bool* ok);

}  // namespace jwtbatch::detail
