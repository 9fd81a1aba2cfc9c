// key.hpp: a configured key, parsed once into a ready-to-use object (its material
// held in BoringSSL objects), and the builders that validate key material.
//
// A key is typed (oct / RSA / EC curve / Ed25519) and carries the set of algorithms
// it may be used with; the token's `alg` only has to be in that set. There is no
// operation that turns asymmetric key material into HMAC bytes (docs/SECURITY.md S2).
// Keys are immutable once built and shared by every thread.
#pragma once

#include <openssl/ec_key.h>
#include <openssl/rsa.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
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

// The curves of ES256/384/512 (RFC 7518 §3.4), named as JWK "crv" names them
// (RFC 7518 §6.2.1.1).
enum class ec_curve : std::uint8_t { p256, p384, p521 };

// ec_field_bytes is the size of one coordinate, of the private scalar, and of each of
// R and S in a JWS signature: 32, 48, 66.
[[nodiscard]] constexpr std::size_t ec_field_bytes(ec_curve c) noexcept {
  return c == ec_curve::p256 ? 32 : c == ec_curve::p384 ? 48 : 66;
}

// ec_curve_name is the curve's JWK "crv" name: "P-256", "P-384", "P-521".
[[nodiscard]] constexpr std::string_view ec_curve_name(ec_curve c) noexcept {
  return c == ec_curve::p256 ? "P-256" : c == ec_curve::p384 ? "P-384" : "P-521";
}

// Builders shared by the JWK and PEM loaders. Each validates the material with the
// rules of docs/SECURITY.md §2.2 and returns the key, or an error message naming what is
// wrong (never a half-usable key). `bind` narrows the algorithms to one. Key material
// is given as big-endian bytes (as JWK members carry it, RFC 7518 §6): no BoringSSL
// type crosses into the layers above (crypto/internal.hpp has the BoringSSL forms).
struct key_or_error {
  std::optional<key> value;
  std::string error;
};

// make_hmac_key makes an HMAC key of `secret` for HS256/384/512 (those whose output
// size the secret reaches, RFC 7518 §3.2). `public_material` is the loader's verdict
// on the secret (keys/loaders.hpp public_key_material): when it is not empty, the
// secret is public-key material and is refused. Checks, in order: `bind` is an HMAC
// algorithm, the verdict, the length.
[[nodiscard]] key_or_error make_hmac_key(std::span<const std::uint8_t> secret,
                                         std::optional<alg> bind, std::string_view public_material);

// An RSA key's integers (RFC 7518 §6.3), big-endian. With has_private every member of
// §6.3.2 is needed: the key signs with the CRT form.
struct rsa_components {
  std::span<const std::uint8_t> n, e;
  bool has_private = false;
  std::span<const std::uint8_t> d, p, q, dp, dq, qi;
};

[[nodiscard]] key_or_error make_rsa_key(const rsa_components& c, std::optional<alg> bind);

// ec_point_on_curve says whether (x, y) is a point of `curve` (false too if memory
// runs out). make_ec_key checks it again; this lets a loader report a bad point before
// it reads the private part.
[[nodiscard]] bool ec_point_on_curve(ec_curve curve, std::span<const std::uint8_t> x,
                                     std::span<const std::uint8_t> y);

// make_ec_key makes the key of the point (x, y) on `curve`, with the private scalar
// `d` when given. Errors: "out of memory", "EC point is not on <crv>", "bad EC private
// key", then those of the checks every EC key passes.
[[nodiscard]] key_or_error make_ec_key(ec_curve curve, std::span<const std::uint8_t> x,
                                       std::span<const std::uint8_t> y,
                                       std::optional<std::span<const std::uint8_t>> d,
                                       std::optional<alg> bind);

[[nodiscard]] key_or_error make_ed25519_key(std::span<const std::uint8_t> public_key,
                                            std::span<const std::uint8_t> seed,
                                            std::optional<alg> bind);

}  // namespace jwtbatch::detail
