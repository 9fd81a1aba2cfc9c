// jwtbatch/key_set.hpp: the trusted keys, loaded once from configuration.
//
// Keys come only from here: never from a token's `jwk`, `jku`, `x5u` or `x5c`
// (docs/SECURITY.md S3). Every key is parsed once into a ready-to-use object (BoringSSL
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

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwtbatch/alg.hpp"
#include "jwtbatch/error.hpp"

namespace jwtbatch {

namespace detail {
class key_store;
struct access;
}  // namespace detail

// Thrown by key_set_builder::build when the set holds HMAC secrets and public keys and
// mixing was not allowed. what() is a whole sentence for library users; mix() only
// says which keys of each kind were seen ("HMAC secrets (a) with public keys (b, c)"),
// for programs that word the remedy their own way (the CLI names --allow-mixed-keys).
class mixed_key_set_error : public config_error {
 public:
  mixed_key_set_error(const std::string& what, std::string mix)
      : config_error(what), mix_(std::move(mix)) {}
  [[nodiscard]] const std::string& mix() const noexcept { return mix_; }

 private:
  std::string mix_;
};

// The largest key file add_file and add_secret_file read: a JWK Set of thousands of
// RSA keys stays far below it, and a wrong path (a log, an image) is refused early.
inline constexpr std::size_t max_key_file_bytes = std::size_t{64} * 1024 * 1024;

// What a loaded key looks like from outside (for listings and the CLI).
struct key_info {
  std::string kid;  // empty when has_kid is false
  bool has_kid = false;
  std::string type;       // "oct", "RSA", "EC", "OKP"
  std::vector<alg> algs;  // algorithms the key is bound to
  bool can_sign = false;  // private material present
  std::string origin;     // where it came from, for messages
  // The RFC 7638 JWK thumbprint: SHA-256 of the key's required public members (for an
  // oct key, of its k, as RFC 7638 §3.2 says), base64url without padding (43 chars).
  std::string thumbprint;
  // The key's size: RSA modulus bits; EC curve bits (256, 384, 521); Ed25519 256; an
  // HMAC secret's length in bits.
  unsigned bits = 0;
  // The public JWK, members sorted by name without whitespace (RFC 7638 §3.3 order):
  // kty, crv, the public members, "kid" when the key has one and "alg" when it is bound
  // to exactly one algorithm. Empty for an oct key: a secret is never exported here.
  std::string public_jwk;
};

class key_set {
 public:
  key_set(const key_set&) = delete;
  key_set& operator=(const key_set&) = delete;
  ~key_set();

  [[nodiscard]] std::size_t size() const noexcept;
  // describe returns one key_info per key, in the set's order (key_at's index). Not the
  // hot path: it exports and hashes every key. Throws config_error naming the key if
  // one cannot be exported (out of memory).
  [[nodiscard]] std::vector<key_info> describe() const;
  // Keys that were skipped while loading, and keys that loaded but deserve a word (an
  // RSA key not bound to one algorithm, a private key in a set built for verifying),
  // one message each, naming the key.
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  friend class key_set_builder;
  friend struct detail::access;
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
  key_set_builder(key_set_builder&& other) noexcept;
  key_set_builder& operator=(key_set_builder&& other) noexcept;

  // add_jwks adds every usable key of a JWK Set document (RFC 7517 §5) or of a single
  // JWK object. `source` names the document in messages (usually its file name).
  // Unusable keys are skipped with a warning (among them a key whose "kid", "alg" or
  // other string member is not a string: never loaded as a key without kid or alg); an
  // RSA key without "alg" loads with a warning, since it then verifies RS256..PS512
  // alike. Throws config_error when the document is not JSON, not a JWK/JWKS, or
  // yields no usable key.
  key_set_builder& add_jwks(std::string_view json, std::string_view source);

  // add_pem adds one key from PEM text: SPKI public key, PKCS#1 RSA public key,
  // X.509 certificate (its public key), or a PKCS#8 / PKCS#1 / SEC1 private key
  // (usable for signing too). `bind` narrows the key to one algorithm (required for
  // RSA to pick RS* or PS*... when absent an RSA key serves all six, with a warning).
  // Throws config_error on any problem.
  key_set_builder& add_pem(std::string_view pem, std::string_view source, std::string_view kid,
                           std::optional<alg> bind);

  // add_secret adds an HMAC secret (raw bytes) bound to an HS* algorithm; the secret
  // must be at least as long as the hash output (RFC 7518 §3.2). A secret that is
  // public-key material is refused (config_error naming `source` and what it looks
  // like): a PEM block, a JSON object or array (a JWK or JWK Set's text), a DER
  // SubjectPublicKeyInfo, PKCS#1 RSAPublicKey or X.509 certificate, an uncompressed or
  // compressed P-256/384/521 point, or the base64 / base64url text of one of these.
  // Anyone can read a public key, so an HMAC keyed with it lets anyone MAC tokens: the
  // algorithm-confusion attack (RFC 8725 §2.1) rebuilt by configuration. The same
  // check applies to the "k" of oct JWKs.
  key_set_builder& add_secret(std::span<const std::uint8_t> secret, std::string_view source,
                              std::string_view kid, alg bind);

  // add_secret_file reads an HMAC secret (raw bytes, used as they are, newline
  // included) from `path` with add_file's checks, then adds it as add_secret does with
  // `path` as the source. The bytes read are wiped after use.
  key_set_builder& add_secret_file(const std::string& path, std::string_view kid, alg bind);

  // add_file reads `path` and adds it as PEM if it contains "-----BEGIN", else as a
  // JWK/JWKS document; with a kid or a binding it must be PEM (a JWK carries its own).
  // Only a regular file is read (a FIFO, a device such as /dev/zero, a directory is
  // refused before reading, without blocking), at most max_key_file_bytes. Throws
  // config_error starting with "<path>: " and saying why, with strerror() when the
  // system refused (open, read).
  key_set_builder& add_file(const std::string& path, std::string_view kid = {},
                            std::optional<alg> bind = std::nullopt);

  // allow_mixed_key_types lets one set hold HMAC secrets and public keys together.
  // Off by default (Wycheproof "MixedKeySet"; the jwtbatch security catalogue, rule
  // K3): a set that serves both kinds is where algorithm confusion starts (RFC 8725
  // §2.1), and usually means a configuration slip. Turning it on is safe against
  // algorithm confusion here because every key is typed and bound to its own
  // algorithms; it is for deployments that really verify both kinds with one set.
  key_set_builder& allow_mixed_key_types(bool allow = true);

  // expect_private_keys says the set is for signing (jwtbatch sign): keys with private
  // material are then expected. Off by default: build() adds a warning for every
  // RSA, EC or Ed25519 key that holds its private part, since verifying needs only
  // the public one and a verifier's configuration is not a place for private keys.
  key_set_builder& expect_private_keys(bool expect = true);

  // build checks the whole set and returns it. Throws config_error when no key was
  // added, and mixed_key_set_error when the set mixes oct keys with asymmetric ones
  // and mixing was not allowed.
  // Keys sharing a kid are all refused (ambiguous) with a warning each.
  [[nodiscard]] std::shared_ptr<const key_set> build();

  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept;

  struct state;

 private:
  std::unique_ptr<state> state_;
};

}  // namespace jwtbatch
