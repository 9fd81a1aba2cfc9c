// jwtbatch/key_set.hpp: the trusted keys, loaded once from configuration.
//
// Keys come only from here: never from a token's `jwk`, `jku`, `x5u` or `x5c`
// (SECURITY.md S3). Every key is parsed once into a ready-to-use object (BoringSSL
// RSA / EC_KEY, raw Ed25519, precomputed HMAC states) and bound to the algorithms it
// may serve. A key_set is immutable and thread-safe; share it as
// std::shared_ptr<const key_set> and swap the pointer to reload.
//
// Loading is configuration, not the hot path: problems are reported with messages
// that name the source (file name or label), the key (kid or index) and the reason.
// One bad key in a JWKS is skipped and reported (warnings()); a source with no usable
// key, and a set that is empty or mixes symmetric and asymmetric keys, throw
// config_error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/alg.hpp"

namespace jwtbatch {

namespace detail {
class key_store;
}

// Thrown for configuration errors only (bad key file, bad flag); never per token.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a loaded key looks like from outside (for listings and the CLI).
struct key_info {
  std::string kid;  // empty when has_kid is false
  bool has_kid = false;
  std::string type;       // "oct", "RSA", "EC", "OKP"
  std::vector<alg> algs;  // algorithms the key is bound to
  bool can_sign = false;  // private material present
  std::string origin;     // where it came from, for messages
};

class key_set {
 public:
  key_set(const key_set&) = delete;
  key_set& operator=(const key_set&) = delete;
  ~key_set();

  [[nodiscard]] std::size_t size() const noexcept;
  // A process-wide increasing number, different for every key_set built: caches keyed
  // on it are invalidated by a reload.
  [[nodiscard]] std::uint64_t generation() const noexcept;
  [[nodiscard]] std::vector<key_info> describe() const;
  // Keys that were skipped while loading, one message each.
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

  // Engine internals.
  [[nodiscard]] const detail::key_store& store() const noexcept { return *store_; }

 private:
  friend class key_set_builder;
  key_set(std::unique_ptr<detail::key_store> store, std::vector<std::string> warnings);
  std::unique_ptr<detail::key_store> store_;
  std::vector<std::string> warnings_;
};

class key_set_builder {
 public:
  key_set_builder();
  ~key_set_builder();
  key_set_builder(const key_set_builder&) = delete;
  key_set_builder& operator=(const key_set_builder&) = delete;
  key_set_builder(key_set_builder&&) noexcept;
  key_set_builder& operator=(key_set_builder&&) noexcept;

  // add_jwks adds every usable key of a JWK Set document (RFC 7517 §5) or of a single
  // JWK object. `source` names the document in messages (usually its file name).
  // Unusable keys are skipped with a warning; throws config_error when the document
  // is not JSON, not a JWK/JWKS, or yields no usable key.
  key_set_builder& add_jwks(std::string_view json, std::string_view source);

  // add_pem adds one key from PEM text: SPKI public key, PKCS#1 RSA public key,
  // X.509 certificate (its public key), or a PKCS#8 / PKCS#1 / SEC1 private key
  // (usable for signing too). `bind` narrows the key to one algorithm (required for
  // RSA to pick RS* or PS*... when absent an RSA key serves all six). Throws
  // config_error on any problem.
  key_set_builder& add_pem(std::string_view pem, std::string_view source, std::string_view kid,
                           std::optional<alg> bind);

  // add_secret adds an HMAC secret (raw bytes) bound to an HS* algorithm; the secret
  // must be at least as long as the hash output (RFC 7518 §3.2).
  key_set_builder& add_secret(std::span<const std::uint8_t> secret, std::string_view source,
                              std::string_view kid, alg bind);

  // add_file reads `path` and adds it as PEM if it contains "-----BEGIN", else as a
  // JWK/JWKS document. Throws config_error naming the file if it cannot be read.
  key_set_builder& add_file(const std::string& path, std::string_view kid = {},
                            std::optional<alg> bind = std::nullopt);

  // allow_mixed_key_types lets one set hold HMAC secrets and public keys together.
  // Off by default (SECURITY.md K3, Wycheproof "MixedKeySet"). Turning it on is safe
  // against algorithm confusion here because every key is typed and bound to its own
  // algorithms; it is for deployments that really verify both kinds with one set.
  key_set_builder& allow_mixed_key_types(bool allow = true);

  // build checks the whole set and returns it. Throws config_error when no key was
  // added, or when the set mixes oct keys with asymmetric ones and mixing was not
  // allowed (SECURITY.md K3).
  // Keys sharing a kid are all refused (ambiguous) with a warning each.
  [[nodiscard]] std::shared_ptr<const key_set> build();

  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept;

  struct state;

 private:
  std::unique_ptr<state> state_;
};

}  // namespace jwtbatch
