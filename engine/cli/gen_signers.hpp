// gen_signers.hpp: how `jwtbatch gen` makes tokens: the signing keys of the requested
// algorithms (through the public key_handle), compact serialization by hand for the
// tokens the engine would never sign, and the small encoders they need.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/key_set.hpp"
#include "jwtbatch/primitives.hpp"

namespace jwtbatch::cli::gen_parts {

// Base64url of bytes; its inverse (throws std::logic_error on a bad input: gen only
// decodes what it encoded); a JSON string literal; lowercase hex.
[[nodiscard]] std::string b64(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::vector<std::uint8_t> unb64(std::string_view s);
[[nodiscard]] std::string json_str(std::string_view s);
[[nodiscard]] std::string hex(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::span<const std::uint8_t> as_bytes(std::string_view s);

// hmac returns the base64url HMAC (RFC 7518 §3.2) of `input` under HS256/384/512 `a`
// keyed with any bytes: the forged MACs of the hostile shapes.
[[nodiscard]] std::string hmac(alg a, std::span<const std::uint8_t> secret, std::string_view input);

// compact returns the compact JWS of header JSON, payload JSON and an already encoded
// signature.
[[nodiscard]] std::string compact(std::string_view header, std::string_view payload,
                                  std::string_view sig);

// The three segments of a token with exactly two dots.
struct parts {
  std::string_view header, payload, signature;
};
[[nodiscard]] parts split(std::string_view token);

// One key a token can be signed with, under one of the requested algorithms.
struct signing_key {
  alg a;
  std::string kid;  // empty: the key has none (it is then the only key for `a`)
  key_handle k;
};

// The signing keys of the requested algorithms. Throws config_error naming the alg when
// one has no private key reachable by kid (or the only key serving it).
class signer {
 public:
  signer(const key_set& keys, const std::vector<alg>& algs);

  // The keys of the i-th requested alg.
  [[nodiscard]] const std::vector<signing_key>& keys_for(std::size_t i) const { return by_alg_[i]; }
  // Every signing key with a kid, in requested-alg order (hostile mode's targets).
  [[nodiscard]] const std::vector<signing_key>& targets() const { return targets_; }

  // sign returns sign_compact's token of `payload` with `s` (header as sign_compact's).
  [[nodiscard]] std::string sign(const signing_key& s, std::string_view payload,
                                 std::optional<std::string_view> header = {}) const;

 private:
  const key_set& keys_;
  std::vector<std::vector<signing_key>> by_alg_;
  std::vector<signing_key> targets_;
};

// default_header is the header sign_compact writes for `s`.
[[nodiscard]] std::string default_header(const signing_key& s);

// spki_pem returns the PEM text of a DER SubjectPublicKeyInfo, 64 characters a line,
// with or without the final newline (the spellings of a public key file).
[[nodiscard]] std::string spki_pem(std::span<const std::uint8_t> der, bool final_newline);

}  // namespace jwtbatch::cli::gen_parts
