// crypto/keygen.hpp: new key pairs, as the members of their JWK (RFC 7518 §6.2-6.3,
// RFC 8037 §2) in big-endian bytes. Writing them as a JWK is the caller's business
// (token/sign.cpp generate_key). Not the hot path: these allocate. Thread-safe.
#pragma once

#include <string>

#include "crypto/key.hpp"
#include "crypto/memory.hpp"

namespace jwtbatch::detail {

// An RSA key's JWK members, each at its minimal length (RFC 7518 §6.3).
struct rsa_key_members {
  secret_bytes n, e, d, p, q, dp, dq, qi;
};

// An EC key's JWK members, each exactly ec_field_bytes long (RFC 7518 §6.2.1.2-3,
// §6.2.2.1).
struct ec_key_members {
  secret_bytes x, y, d;
};

// An Ed25519 key's JWK members: the public key x and the private seed d (RFC 8037 §2).
struct ed25519_key_members {
  secret_bytes x, d;
};

// generate_rsa_key makes an RSA key of `bits` bits (the caller checks the range) with
// public exponent 65537 into `out`. Returns an empty string, or what failed: "RSA key
// generation failed", "key export failed".
[[nodiscard]] std::string generate_rsa_key(unsigned bits, rsa_key_members& out);

// generate_ec_key makes a key on `curve` into `out`. Returns an empty string, or what
// failed: "EC key generation failed", "EC key export failed", "key export failed".
[[nodiscard]] std::string generate_ec_key(ec_curve curve, ec_key_members& out);

// generate_ed25519_key makes an Ed25519 key into `out`. Cannot fail (but allocate).
void generate_ed25519_key(ed25519_key_members& out);

}  // namespace jwtbatch::detail
