// crypto/key_export.hpp: a loaded key's JWK members (RFC 7518 §6, RFC 8037 §2), read
// back out of its BoringSSL objects as big-endian bytes. Writing them as a JWK is the
// keys layer's business (keys/jwk_out.hpp): no BoringSSL type crosses upwards. Not the
// hot path: these allocate. Thread-safe (keys are immutable).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/key.hpp"
#include "crypto/memory.hpp"

namespace jwtbatch::detail {

// One base64url-valued JWK member: its name and its value's bytes (wiped on destruction).
struct jwk_member {
  std::string_view name;  // a static string: "n", "e", "x", "d", ...
  secret_bytes value;
};

// A key's JWK members. `required` holds the members RFC 7638 §3.2 puts in the thumbprint
// besides "kty" and "crv", in the order of RFC 7518 §6: oct k; RSA n, e; EC x, y; OKP x.
// For oct that is the secret itself. `private_part` holds the members of RFC 7518 §6.2.2 (EC d),
// §6.3.2 (RSA d, p, q, dp, dq, qi) and RFC 8037 §2 (OKP d, the seed), when asked for and present.
struct key_members {
  std::string_view kty;  // "oct", "RSA", "EC", "OKP"
  std::string_view crv;  // "P-256", "P-384", "P-521", "Ed25519"; empty for oct and RSA
  unsigned bits = 0;     // RSA modulus bits, the curve's size (256, 384, 521; Ed25519 256),
                         // an HMAC secret's length in bits
  std::vector<jwk_member> required;
  std::vector<jwk_member> private_part;
};

// export_key_members fills `out` with the members of `k`; with `with_private` also its
// private part when it has one (an oct key's secret is always in `required`). EC
// coordinates and the EC d are exactly ec_field_bytes long (RFC 7518 §6.2.1.2-3,
// §6.2.2.1); RSA integers at their minimal length (RFC 7518 §6.3). Returns an empty
// string, or what failed ("key export failed"), leaving BoringSSL's error queue empty.
[[nodiscard]] std::string export_key_members(const key& k, bool with_private, key_members& out);

}  // namespace jwtbatch::detail
