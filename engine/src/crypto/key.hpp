// key.hpp: a configured key, parsed once into a ready-to-use object (its material
// held in BoringSSL objects), and the builders that validate key material.
//
// A key is typed (oct / RSA / EC curve / Ed25519) and carries the set of algorithms
// it may be used with; the token's `alg` only has to be in that set. There is no
// operation that turns asymmetric key material into HMAC bytes (SECURITY.md S2).
// Keys are immutable once built and shared by every thread.
#pragma once

#include <openssl/ec_key.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/hmac.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// A set of algorithms as a bit mask (bit i = alg with value i).
using alg_mask = std::uint16_t;
[[nodiscard]] constexpr alg_mask alg_bit(alg a) noexcept {
  return static_cast<alg_mask>(1U << static_cast<unsigned>(a));
}
[[nodiscard]] constexpr bool has_alg(alg_mask m, alg a) noexcept {
  return (m & alg_bit(a)) != 0;
}

struct hmac_material {
  // One precomputed state per hash the key may be used with (HS256/384/512).
  std::optional<hmac_key> sha256, sha384, sha512;
  std::vector<std::uint8_t> secret;  // kept for export (keygen); wiped on destruction
  hmac_material() = default;
  hmac_material(const hmac_material&) = delete;
  hmac_material& operator=(const hmac_material&) = delete;
  hmac_material(hmac_material&&) = default;
  hmac_material& operator=(hmac_material&&) = default;
  ~hmac_material();
};

struct rsa_material {
  bssl::UniquePtr<RSA> rsa;  // public key, plus private parts when loaded for signing
  bool has_private = false;
};

struct ec_material {
  bssl::UniquePtr<EC_KEY> ec;
  int curve_nid = 0;
  std::size_t field_bytes = 0;  // 32, 48, 66: each of R and S in a JWS signature
  bool has_private = false;
};

struct ed25519_material {
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> private_key{};  // seed || public, when has_private
  bool has_private = false;
  ed25519_material() = default;
  ed25519_material(const ed25519_material&) = delete;
  ed25519_material& operator=(const ed25519_material&) = delete;
  ed25519_material(ed25519_material&&) = default;
  ed25519_material& operator=(ed25519_material&&) = default;
  ~ed25519_material();
};

using key_material = std::variant<hmac_material, rsa_material, ec_material, ed25519_material>;

// visit_material calls `f` with the alternative `m` holds. Unlike std::visit it cannot
// throw (a key is never valueless: it is built once and never assigned), so the hot
// path stays noexcept.
template <class F>
decltype(auto) visit_material(const key_material& m, F&& f) noexcept {
  if (const auto* h = std::get_if<hmac_material>(&m)) return f(*h);
  if (const auto* r = std::get_if<rsa_material>(&m)) return f(*r);
  if (const auto* e = std::get_if<ec_material>(&m)) return f(*e);
  return f(*std::get_if<ed25519_material>(&m));
}

struct key {
  std::string kid;  // exact bytes; meaningful when has_kid
  bool has_kid = false;
  alg_mask algs = 0;  // algorithms this key may verify and sign with
  key_material material;
  std::string origin;  // "FILE: key 2 (kid "x")": names the key in messages

  [[nodiscard]] bool can_sign() const noexcept;
};

// The algorithms a key of each kind can ever serve. A key's own `alg` (or the
// caller's binding) narrows this to one.
inline constexpr alg_mask k_hmac_algs =
    alg_bit(alg::hs256) | alg_bit(alg::hs384) | alg_bit(alg::hs512);
inline constexpr alg_mask k_rsa_algs = alg_bit(alg::rs256) | alg_bit(alg::rs384) |
                                       alg_bit(alg::rs512) | alg_bit(alg::ps256) |
                                       alg_bit(alg::ps384) | alg_bit(alg::ps512);

// What the loaders warn about an RSA key that no "alg" (JWK) or binding (PEM) narrows
// to one algorithm: it is accepted by PKCS#1 v1.5 and PSS with every hash, which
// RFC 8725 §3.1 advises against ("each key used with exactly one algorithm").
inline constexpr const char* k_unbound_rsa_warning =
    "this RSA key verifies RS256, RS384, RS512, PS256, PS384 and PS512 alike";

// Builders shared by the JWK and PEM loaders. Each validates the material with the
// rules of SECURITY.md §2.2 and returns the key, or an error message naming what is
// wrong (never a half-usable key). `bind` narrows the algorithms to one.
struct key_or_error {
  std::optional<key> value;
  std::string error;
};
// public_key_material says what `secret` is when it is public-key material rather
// than a secret ("a PEM block ...", "a DER SubjectPublicKeyInfo ...", ...), or returns
// an empty string. See key_set_builder::add_secret for the forms recognised.
[[nodiscard]] std::string public_key_material(std::span<const std::uint8_t> secret);

// make_hmac_key refuses public-key material (public_key_material) and short secrets.
[[nodiscard]] key_or_error make_hmac_key(std::span<const std::uint8_t> secret,
                                         std::optional<alg> bind);
[[nodiscard]] key_or_error make_rsa_key(bssl::UniquePtr<RSA> rsa, bool has_private,
                                        std::optional<alg> bind);
[[nodiscard]] key_or_error make_ec_key(bssl::UniquePtr<EC_KEY> ec, bool has_private,
                                       std::optional<alg> bind);
[[nodiscard]] key_or_error make_ed25519_key(std::span<const std::uint8_t> public_key,
                                            std::span<const std::uint8_t> seed,
                                            std::optional<alg> bind);

}  // namespace jwtbatch::detail
