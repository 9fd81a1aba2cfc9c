// jwtbatch/alg.hpp: the JWS algorithms jwtbatch implements (RFC 7518 §3, RFC 8037).
//
// There is no value for "none": an unsecured JWS cannot be represented, so it cannot
// be allowed by any policy. Names are compared byte-exact and case-sensitive, as
// RFC 7515 §4.1.1 requires ("hs256" and "HS256\0" are not HS256).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace jwtbatch {

enum class alg : std::uint8_t {
  hs256,
  hs384,
  hs512,  // HMAC with SHA-2
  rs256,
  rs384,
  rs512,  // RSASSA-PKCS1-v1_5
  ps256,
  ps384,
  ps512,  // RSASSA-PSS, MGF1 with the same hash, salt = hash length
  es256,
  es384,
  es512,  // ECDSA on P-256 / P-384 / P-521, raw R||S
  eddsa,  // EdDSA with Ed25519
};

inline constexpr std::size_t alg_count = 13;

// alg_name returns the JWS name ("HS256", "EdDSA"); static storage. "unknown" for a
// value outside the enum.
[[nodiscard]] std::string_view alg_name(alg a) noexcept;

// alg_from_name maps an unescaped `alg` header value to the enum: exact bytes, exact
// length. nullopt for anything else, including "none".
[[nodiscard]] std::optional<alg> alg_from_name(std::string_view name) noexcept;

// all_algs lists every algorithm in enum order.
[[nodiscard]] const std::array<alg, alg_count>& all_algs() noexcept;

}  // namespace jwtbatch
