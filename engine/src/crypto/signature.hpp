// crypto/signature.hpp: verifying and producing JWS signatures (RFC 7518 §3) with a
// configured key. One entry point per direction; the per-family code lives in
// rsa.cpp, ecdsa.cpp, eddsa.cpp and hmac.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/key.hpp"
#include "jwtbatch/alg.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch::detail {

// signature_size is the exact signature length for `a` with `k`: HS 32/48/64, RS/PS
// the modulus size, ES 64/96/132, EdDSA 64.
[[nodiscard]] std::size_t signature_size(const key& k, alg a) noexcept;

// verify_signature checks `sig` over `signing_input` (the received ASCII bytes
// "header.payload", RFC 7515 §5.2 step 8). The caller guarantees has_alg(k.algs, a).
// Returns ok, bad_signature_length (checked before any crypto) or bad_signature.
// Leaves the BoringSSL error queue empty. noexcept; thread-safe.
[[nodiscard]] status verify_signature(const key& k, alg a, std::string_view signing_input,
                                      std::span<const std::uint8_t> sig) noexcept;

// sign_signature computes the signature of `signing_input` into `out` (resized).
// Returns false if the key has no private part or BoringSSL fails. Not for the hot path.
[[nodiscard]] bool sign_signature(const key& k, alg a, std::string_view signing_input,
                                  std::vector<std::uint8_t>& out);

// Per-family implementations (same contracts as above, length already checked).
[[nodiscard]] bool rsa_verify(const rsa_material& m, alg a, std::string_view input,
                              std::span<const std::uint8_t> sig) noexcept;
[[nodiscard]] bool rsa_sign(const rsa_material& m, alg a, std::string_view input,
                            std::vector<std::uint8_t>& out);
[[nodiscard]] bool ecdsa_verify(const ec_material& m, alg a, std::string_view input,
                                std::span<const std::uint8_t> sig) noexcept;
[[nodiscard]] bool ecdsa_sign(const ec_material& m, alg a, std::string_view input,
                              std::vector<std::uint8_t>& out);
// ecdsa_rs_out_of_range says whether the JWS signature `sig` (R || S, 2 * field_bytes)
// carries an r or s outside [1, n-1], n the curve's order: the shape of the "psychic
// signature" (CVE-2022-21449, r = s = 0), which ecdsa_verify refuses (docs/SECURITY.md S6)
// and the attack label names. False for any other length, and if memory runs out.
[[nodiscard]] bool ecdsa_rs_out_of_range(const ec_material& m,
                                         std::span<const std::uint8_t> sig) noexcept;
[[nodiscard]] bool eddsa_verify(const ed25519_material& m, std::string_view input,
                                std::span<const std::uint8_t> sig) noexcept;
[[nodiscard]] bool eddsa_sign(const ed25519_material& m, std::string_view input,
                              std::vector<std::uint8_t>& out);

}  // namespace jwtbatch::detail
