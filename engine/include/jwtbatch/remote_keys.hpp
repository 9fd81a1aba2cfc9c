// jwtbatch/remote_keys.hpp: a key source that fetches JWK Sets over HTTPS, keeps them
// fresh, and reloads key files on request.
//
// Fetching (libcurl): https only, redirects followed only to https (at most 5), a
// total timeout per request, a cap on the body, the system's CA store or the one
// given. Failures are reported with the URL and the cause, TLS errors included.
// Freshness, as jose's createRemoteJWKSet or PyJWT's PyJWKClient keep it:
//  - a background thread fetches every document again every `refresh_seconds`, sooner
//    when the server's Cache-Control max-age says so (never sooner than the cooldown);
//  - a token whose kid the keys lack makes one fetch at most once per
//    `cooldown_seconds` (refresh_for_unknown_kid), waited for at most `timeout_seconds`;
//  - a fetch that fails keeps the last good keys, with a message through `log`;
//  - a new set is published atomically; followers verify with it from their next batch
//    (and their token cache drops the old set's entries).
// Only documents that changed cause a new key set to be built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jwtbatch/key_set.hpp"
#include "jwtbatch/key_source.hpp"

namespace jwtbatch {

// The largest JWK Set (or discovery document) body accepted.
inline constexpr std::size_t default_max_jwks_bytes = std::size_t{1} << 20;

// Bounds of remote_key_options: refresh and cooldown at most a week, a fetch at most
// ten minutes. The background thread never fetches again sooner than
// min_background_wait_seconds after a fetch, whatever the cooldown or the server's
// Cache-Control say (a failing or "no-cache" server is not hammered).
inline constexpr double max_refresh_seconds = 7.0 * 24 * 3600;
inline constexpr double max_fetch_timeout_seconds = 600;
inline constexpr double min_background_wait_seconds = 1;

struct remote_jwks {
  std::string url;  // https://...
  // The URL is an OpenID Provider's issuer: its discovery document
  // (url + "/.well-known/openid-configuration") is read for `jwks_uri`, and its
  // `issuer` must equal `url` exactly (OpenID Connect Discovery 1.0 §4.3).
  bool discovery = false;
  // How messages name this source (the CLI passes "--jwks-url URL"); empty = the URL.
  std::string name;
};

struct remote_key_options {
  std::vector<remote_jwks> sources;
  std::string ca_file;  // PEM bundle trusted instead of the system's CA store; empty = system
  double refresh_seconds = 300;  // (0, max_refresh_seconds]
  // [0, max_refresh_seconds]. 0 lets every batch with an unknown kid fetch (the kid is
  // the token's: anyone who can put a token in the input then makes requests).
  double cooldown_seconds = 30;
  // (0, max_fetch_timeout_seconds]: per request, redirects, connection and TLS included.
  double timeout_seconds = 10;
  std::size_t max_body_bytes = default_max_jwks_bytes;
  bool allow_mixed_key_types = false;
  // Adds the keys that do not come from a URL (files) to every set built. Run at
  // construction, by reload(), and when a fetched document changed. Throws
  // config_error to refuse (the keys in use then stay).
  std::function<void(key_set_builder&)> local_keys;
  // Receives one line per event (no trailing newline): a refresh that failed, keys
  // that changed, the build's warnings. Called from the refresh thread or a verifying
  // thread; must be thread-safe. An exception it throws is ignored. Empty = silent.
  std::function<void(std::string_view)> log;
  // Run the background refresh thread (off: documents are fetched only at
  // construction, by reload() and for unknown kids).
  bool refresh_in_background = true;
};

struct key_source_stats {
  std::uint64_t fetches = 0;         // requests that returned a document (or failed)
  std::uint64_t fetch_failures = 0;  // of which failed
  std::uint64_t updates = 0;         // new key sets published after the first
};

class refreshing_key_source final : public key_source {
 public:
  // Fetches every source once and builds the first set. Throws config_error naming
  // the source ("NAME: cause") when a fetch or the set fails: a verifier never starts
  // without its keys.
  explicit refreshing_key_source(remote_key_options options);
  ~refreshing_key_source() override;  // stops the refresh thread (waits for a fetch in flight)

  [[nodiscard]] std::shared_ptr<const key_set> keys() const override;
  [[nodiscard]] bool refresh_for_unknown_kid(std::uint64_t seen) noexcept override;

  // reload fetches every source again (discovery included) and runs local_keys, then
  // publishes the new set: all or nothing. Throws config_error saying what failed, and
  // the keys in use stay. Thread-safe (SIGHUP handlers call it between batches).
  void reload();

  [[nodiscard]] key_source_stats stats() const;

  struct state;

 private:
  std::unique_ptr<state> state_;
  void publish(std::shared_ptr<const key_set> keys);
  friend struct state;
};

// fetch_jwks fetches the JWK Set of `source` once (its discovery document first for an
// issuer), with the rules above, and returns its text (not checked as keys here).
// Throws config_error "NAME: cause". For tools that record what a URL publishes
// (jwtbatch keys snapshot).
[[nodiscard]] std::string fetch_jwks(const remote_jwks& source, const std::string& ca_file = {},
                                     double timeout_seconds = 10,
                                     std::size_t max_body_bytes = default_max_jwks_bytes);

// make_local_key_source: a key source of local keys only (files), with reload(); the
// same class with no URL and no thread.
[[nodiscard]] std::shared_ptr<refreshing_key_source> make_local_key_source(
    std::function<void(key_set_builder&)> local_keys, bool allow_mixed_key_types,
    std::function<void(std::string_view)> log = {});

}  // namespace jwtbatch
