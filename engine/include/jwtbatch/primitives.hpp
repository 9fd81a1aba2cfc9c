// jwtbatch/primitives.hpp: one configured key of a key_set, and the per-algorithm
// signature primitives behind verify and sign_compact, for programs that time or
// exercise them on their own (jwtbatch bench times sign and verify; jwtbatch gen
// builds attack tokens from the real keys).
//
// A key_handle is a view of one key inside a key_set: it is valid while that key_set
// lives (hold the std::shared_ptr<const key_set>), is trivially copyable, and every
// const member is thread-safe, like the key_set itself. Nothing here reads a token:
// the input is the JWS signing input, ASCII "header.payload" (RFC 7515 §5.1 step 5),
// and signatures are the decoded bytes of the third segment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/status.hpp"

namespace jwtbatch {

namespace detail {
struct key;
}

// The kind of a key's material, named after the JWK "kty" it has (RFC 7518 §6, RFC
// 8037 §2): an HMAC secret, an RSA key, an EC key on P-256/P-384/P-521, an Ed25519 key.
enum class key_kind : std::uint8_t { oct, rsa, ec, okp };

class key_handle {
 public:
  // The key's kid (exact bytes) and whether it has one (an empty kid is a kid).
  [[nodiscard]] std::string_view kid() const noexcept;
  [[nodiscard]] bool has_kid() const noexcept;
  [[nodiscard]] key_kind kind() const noexcept;
  // allows says whether the key is bound to `a`: the key set verifies a token with
  // this key only under these algorithms (RFC 8725 §3.1).
  [[nodiscard]] bool allows(alg a) const noexcept;
  // can_sign says whether the private part is present (an oct key always can).
  [[nodiscard]] bool can_sign() const noexcept;

  // signature_size returns the exact length of a signature of this key under `a`:
  // HS256/384/512 32/48/64, RS*/PS* the modulus size, ES256/384/512 64/96/132 (R || S,
  // RFC 7518 §3.4), EdDSA 64; 0 when the key is not bound to `a`.
  [[nodiscard]] std::size_t signature_size(alg a) const noexcept;

  // sign computes the signature of `signing_input` under `a` into `out` (resized, its
  // capacity reused). Returns false, `out` unspecified, when the key is not bound to
  // `a`, has no private part, or BoringSSL fails. ES* and PS* signatures are randomized
  // by their algorithms; the others are deterministic.
  [[nodiscard]] bool sign(alg a, std::string_view signing_input,
                          std::vector<std::uint8_t>& out) const;

  // verify checks `signature` over `signing_input` under `a`, exactly as the verifier
  // does after it has parsed a token and selected this key: ok, bad_signature_length
  // (checked before any crypto), bad_signature, or alg_key_mismatch when the key is not
  // bound to `a`. Never throws, never allocates.
  [[nodiscard]] status verify(alg a, std::string_view signing_input,
                              std::span<const std::uint8_t> signature) const noexcept;

  // public_spki_der returns the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of an
  // RSA, EC or Ed25519 key's public part, empty for an oct key. Throws config_error
  // when the key cannot be exported.
  [[nodiscard]] std::vector<std::uint8_t> public_spki_der() const;

  // hmac_secret returns an oct key's secret bytes (empty for the other kinds): for
  // tools that must compute MACs the key set would not (gen's algorithm-confusion
  // tokens). The view lives as long as the key_set. Treat it as the secret it is.
  [[nodiscard]] std::span<const std::uint8_t> hmac_secret() const noexcept;

 private:
  friend key_handle key_at(const key_set& keys, std::size_t index);
  explicit key_handle(const detail::key* k) noexcept : key_(k) {}
  const detail::key* key_;
};

// key_at returns the key of `keys` at `index` (0 <= index < keys.size(), in the order
// of key_set::describe()). Throws config_error when index is out of range.
[[nodiscard]] key_handle key_at(const key_set& keys, std::size_t index);

}  // namespace jwtbatch
