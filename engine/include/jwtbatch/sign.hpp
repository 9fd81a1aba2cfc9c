// jwtbatch/sign.hpp: producing tokens and keys (tests, corpora, benchmarks, the CLI).
// Not the hot path: these allocate and throw config_error on misuse.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"

namespace jwtbatch {

// sign_compact returns the compact JWS of `payload` (raw bytes, base64url-encoded
// here) signed with the key `kid` of `keys` using `a`. The protected header is
// `header_json` when given (used verbatim, so tests can craft any header), else
// {"alg":"<a>","typ":"JWT","kid":"<kid>"} (kid omitted when empty). Throws
// config_error when no key has that kid, the key is not bound to `a`, or it has no
// private part.
[[nodiscard]] std::string sign_compact(const key_set& keys, std::string_view kid, alg a,
                                       std::string_view payload,
                                       std::optional<std::string_view> header_json = {});

// A freshly generated key as JWK text: the private JWK (with d, or k) and its public
// JWK (for oct keys the two are the same secret).
struct generated_key {
  std::string private_jwk;
  std::string public_jwk;
};

// generate_key makes a new key for `a` with `kid` (omitted when empty), "use":"sig"
// and "alg" set. rsa_bits (RSA only) defaults to 2048 and must be 2048..16384.
// HMAC secrets have the hash's output size. Uses BoringSSL's RNG. The JWKs keep
// keygen's member order: kty, the key's members (RFC 7518 §6 order), kid, use, alg.
[[nodiscard]] generated_key generate_key(alg a, std::string_view kid, unsigned rsa_bits = 2048);

// Exports of one key of a set, by its index (0 <= index < keys.size(), the order of
// key_set::describe() and key_at). Each throws config_error naming the key when the
// index is out of range or the key has nothing of that kind to export. The public JWK
// of a key is key_info::public_jwk.

// export_private_jwk returns the key's JWK with its private members (RFC 7518 §6.2.2,
// §6.3.2, RFC 8037 §2; an oct key's k), members sorted by name, "kid" and "alg" as in
// key_info::public_jwk. Throws when the key has no private part. The text is the
// caller's secret to keep and wipe.
[[nodiscard]] std::string export_private_jwk(const key_set& keys, std::size_t index);

// export_public_pem returns the "PUBLIC KEY" PEM block (RFC 7468 §13) of an RSA, EC or
// Ed25519 key's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 8410 §4): base64 in lines
// of 64 characters, ending with a newline. Throws for an oct key (no public part).
[[nodiscard]] std::string export_public_pem(const key_set& keys, std::size_t index);

}  // namespace jwtbatch
