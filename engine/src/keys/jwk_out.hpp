// keys/jwk_out.hpp: writing JWKs (RFC 7517), the inverse of keys/jwk.cpp: the one JWK
// writer of the engine, behind generate_key, key_info::public_jwk and the exports of
// jwtbatch/sign.hpp, and the RFC 7638 thumbprint. Not the hot path: these allocate.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crypto/key.hpp"
#include "crypto/key_export.hpp"
#include "jwtbatch/alg.hpp"

namespace jwtbatch::detail {

// What a written JWK says besides its key material.
struct jwk_labels {
  std::optional<std::string_view> kid;  // "kid" (RFC 7517 §4.5), when set (even empty)
  std::optional<alg> bound;             // "alg" (RFC 7517 §4.4), when set
  bool use_sig = false;                 // "use":"sig" (RFC 7517 §4.2)
};

// labels_of: the kid of `k` when it has one, and the algorithm when `k` is bound to
// exactly one (an RSA key serving all of RS* and PS* gets no "alg").
[[nodiscard]] jwk_labels labels_of(const key& k);

// Which members write_jwk puts in.
enum class jwk_part : std::uint8_t {
  public_key,   // kty, crv, the `required` members, the labels
  private_key,  // those and the private part
};

// The order of a written JWK's members; either way there is no whitespace.
enum class jwk_layout : std::uint8_t {
  sorted,  // by name, as RFC 7638 §3.3 orders them: key_info::public_jwk, the exports
  keygen,  // kty, crv, the members in RFC 7518 §6 order, the private part, kid, use, alg:
           // what generate_key (jwtbatch keygen) has always written
};

// write_jwk returns `m` as a JWK object in `layout`. For an oct key `required` holds the
// secret: callers decide whether it may be written.
[[nodiscard]] std::string write_jwk(const key_members& m, jwk_part part, const jwk_labels& labels,
                                    jwk_layout layout = jwk_layout::sorted);

// jwk_thumbprint is the RFC 7638 thumbprint of `m`: SHA-256 of the JSON object of its
// required members only (kty, crv when present, and `required`), sorted by name, no
// whitespace (§3.2-3.3), as base64url without padding: 43 characters.
[[nodiscard]] std::string jwk_thumbprint(const key_members& m);

}  // namespace jwtbatch::detail
