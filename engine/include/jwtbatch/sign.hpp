// jwtbatch/sign.hpp: producing tokens and keys (tests, corpora, benchmarks, the CLI).
// Not the hot path: these allocate and throw config_error on misuse.
#pragma once

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
// HMAC secrets have the hash's output size. Uses BoringSSL's RNG.
[[nodiscard]] generated_key generate_key(alg a, std::string_view kid, unsigned rsa_bits = 2048);

}  // namespace jwtbatch
